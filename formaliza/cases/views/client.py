"""The client's pages on the phone (the agent's self-service link and the documents link).

They reuse the journey's mobile layout (journeys/client/base.html and its CSS). The session
holds what the client reached: the agent's link, the draft calculation, the e-mail challenge,
the client record once registered. An unknown link gets the same 404 page as a wrong one.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from formaliza.cases import selectors, services
from formaliza.cases.display import demonstrative
from formaliza.cases.events import Who
from formaliza.cases.forms import CalculationForm, ClientForm, CodeForm, UploadForm
from formaliza.cases.models import Calculation, CaseClient, EmailChallenge
from formaliza.cases.pdf import demonstrative_pdf
from formaliza.cases.views.common import form_errors, private
from formaliza.core.errors import ApplicationError

SESSION_KEY = "case_client"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _page(request, template: str, context: dict, status: int = 200):
    state = request.session.get(SESSION_KEY) or {}
    context.setdefault("tenant_name", state.get("tenant_name", ""))
    response = render(request, f"cases/client/{template}", context, status=status)
    response["Content-Security-Policy"] = CSP
    response["X-Robots-Tag"] = "noindex, nofollow"
    return private(response)


def _invalid(request):
    return _page(request, "invalid.html", {}, status=404)


def _state(request) -> dict:
    return dict(request.session.get(SESSION_KEY) or {})


def _save(request, **changes) -> None:
    request.session[SESSION_KEY] = {**_state(request), **changes}


def with_profile(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        profile = selectors.signup_profile(token=_state(request).get("token", ""))
        if profile is None:
            return _invalid(request)
        return view(request, profile, *args, **kwargs)

    return wrapper


def _draft(request, profile) -> Calculation | None:
    calc_id = _state(request).get("calc")
    if not calc_id:
        return None
    return Calculation.objects.filter(
        pk=calc_id,
        tenant=profile.tenant,
        agent=profile.user,
        origin=Calculation.Origin.SELF_SERVICE,
    ).first()


@require_http_methods(["GET", "HEAD"])
def signup(request, token: str):
    profile = selectors.signup_profile(token=token)
    if profile is None:
        return _invalid(request)
    if _state(request).get("token") != token:
        request.session.cycle_key()
        request.session[SESSION_KEY] = {"token": token, "tenant_name": profile.tenant.name}
    return redirect("cases_client:calculate")


@with_profile
def calculate(request, profile):
    draft = _draft(request, profile)
    if draft is not None and draft.saved_at is not None:
        return redirect("cases_client:documents")
    form = CalculationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            calc = services.calculation_run(
                tenant=profile.tenant, agent=profile.user, data=form.to_input(),
                origin=Calculation.Origin.SELF_SERVICE, draft_id=draft.pk if draft else None,
            )  # fmt: skip
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            _save(request, calc=str(calc.pk))
            return redirect("cases_client:result")
    return _page(request, "calculate.html", {
        "form": form, "agent": profile.user, "draft": draft, "step_number": 1, "total_steps": 3,
    })  # fmt: skip


@with_profile
def result(request, profile):
    draft = _draft(request, profile)
    if draft is None:
        return redirect("cases_client:calculate")
    return _page(request, "result.html", {
        "calc": draft, "demo": demonstrative(draft), "step_number": 1, "total_steps": 3,
    })  # fmt: skip


@with_profile
def result_pdf(request, profile):
    draft = _draft(request, profile)
    if draft is None:
        return _invalid(request)
    response = HttpResponse(demonstrative_pdf(draft), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="demonstrativo.pdf"'
    return private(response)


@with_profile
def register(request, profile):
    draft = _draft(request, profile)
    if draft is None or not demonstrative(draft)["claimable"]:
        return redirect("cases_client:calculate")
    if draft.saved_at is not None:
        return redirect("cases_client:documents")
    form = ClientForm(request.POST or None, initial={"name": draft.label})
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.selfservice_register(
                profile=profile, calculation=draft, data=form.to_input()
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            if outcome.challenge is not None:
                _save(request, challenge=outcome.challenge.pk, pending=form.data.dict())
                return redirect("cases_client:verify")
            _save(request, client=outcome.client.pk)
            return redirect("cases_client:documents")
    return _page(request, "register.html", {"form": form, "step_number": 2, "total_steps": 3})


@with_profile
def verify(request, profile):
    state = _state(request)
    challenge = EmailChallenge.objects.filter(
        pk=state.get("challenge"), tenant=profile.tenant
    ).first()
    if challenge is None:
        return redirect("cases_client:register")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        client_form = ClientForm(state.get("pending") or {})
        client_form.is_valid()
        try:
            outcome = services.selfservice_verify(
                challenge=challenge, code=form.cleaned_data["code"], data=client_form.to_input()
            )
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            _save(request, client=outcome.client.pk, challenge=None, pending=None)
            return redirect("cases_client:documents")
    return _page(request, "verify.html", {
        "form": form, "email": challenge.client.email, "step_number": 2, "total_steps": 3,
    })  # fmt: skip


def access(request, token: str):
    """The link in a rejection message: opens the client's documents page."""
    client = services.access_resolve(token=token)
    if client is None:
        return _invalid(request)
    request.session.cycle_key()
    request.session[SESSION_KEY] = {"client": client.pk, "tenant_name": client.tenant.name}
    return redirect("cases_client:documents")


def _client(request) -> CaseClient | None:
    client_id = _state(request).get("client")
    return (
        CaseClient.objects.select_related("tenant").filter(pk=client_id).first()
        if client_id
        else None
    )


def documents(request):
    client = _client(request)
    if client is None:
        return _invalid(request)
    services.document_types_ensure(tenant=client.tenant)
    slots = selectors.client_slots(client=client)
    form = UploadForm(
        request.POST or None, request.FILES or None, types=[s.doc_type for s in slots]
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                client=client, doc_type_id=form.cleaned_data["doc_type"], filename=upload.name,
                data=upload.read(), who=Who.client(client.name),
            )  # fmt: skip
        except ApplicationError as exc:
            form_errors(form, exc)
        else:
            return redirect("cases_client:documents")
    case = client.cases.order_by("-pk").first()
    payment = services.case_payment_panel(case=case, create=True) if case else None
    return _page(request, "documents.html", {
        "client": client, "slots": slots, "form": form, "case": case, "step_number": 3,
        "total_steps": 3, "payment": payment,
    })  # fmt: skip
