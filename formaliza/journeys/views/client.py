"""The client's journey pages (pt-BR, mobile first, server-rendered).

The link (/j/<token>) binds the journey to the browser session and redirects to the current step;
every page then checks, on each request, that the session's link still works (not expired, not
replaced, formalization still open), so renewing a link ends old sessions at once. Reopening the
link resumes where the client stopped. Unknown and malformed tokens get the same page and status,
so a guess reveals nothing.
"""

from __future__ import annotations

import contextlib
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from formaliza.core.errors import ApplicationError
from formaliza.evidence.services import context_from_request
from formaliza.journeys import progress, selectors, services
from formaliza.journeys.forms import (
    CaptureForm,
    ConditionsForm,
    ConfirmForm,
    IssueForm,
    ReadingForm,
    TermsForm,
    WelcomeForm,
)
from formaliza.journeys.models import CaptureKind, Journey, Step
from formaliza.journeys.selectors import LinkState, ResolvedLink

SESSION_KEY = "journey"
STEP_URL = {
    Step.WELCOME: "journey:welcome",
    Step.TERMS: "journey:terms",
    Step.CONDITIONS: "journey:conditions",
    Step.CONTRACTS: "journey:contracts",
    Step.ID_FRONT: "journey:id_front",
    Step.ID_BACK: "journey:id_back",
    Step.SELFIE: "journey:selfie",
    Step.CONFIRM: "journey:confirm",
    Step.DONE: "journey:done",
}


# Contract templates are tenant-written HTML shown with |safe: no script may run from them.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' blob: data:; media-src 'self' blob: mediastream:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def _private(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = CSP
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: with no-referrer Chromium posts forms with "Origin: null",
    # which the CSRF check refuses. No page under /j/ carries the token in its URL anyway.
    response["Referrer-Policy"] = "same-origin"
    return response


def _page(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    journey: Journey | None = context.get("journey")
    if journey is not None:
        context.setdefault("tenant_name", journey.tenant.name)
        step = journey.current_step
        context.setdefault("step", step)
        context.setdefault("step_number", progress.step_number(step))
        context.setdefault("total_steps", progress.TOTAL_STEPS)
    return _private(render(request, f"journeys/client/{template}", context, status=status))


def _posted(request):
    """The POST data to bind a form to (even when empty), or None for a GET."""
    return request.POST if request.method == "POST" else None


def _invalid(request) -> HttpResponse:
    return _page(request, "invalid.html", {}, status=404)


def _ctx(request, journey: Journey):
    return context_from_request(request, phone=journey.phone)


def _state_page(request, resolved: ResolvedLink, *, action: str, error: str = "", status=410):
    return _page(
        request, "link_state.html",
        {"journey": resolved.journey, "state": resolved.state, "action": action, "error": error,
         "step_number": None, "S": LinkState},
        status=status,
    )  # fmt: skip


def _settle(resolved: ResolvedLink) -> ResolvedLink:
    """A formalization cancelled in the back office: revoke its journey now (the sweep would)."""
    if resolved.state == LinkState.REQUEST_CLOSED:
        services.journey_cancel_closed(journey_id=resolved.journey.pk)
        resolved = selectors.link_resolve_by_id(
            journey_id=resolved.journey.pk, link_id=resolved.link.pk
        )
    return resolved


@require_http_methods(["GET", "HEAD"])
def enter(request: HttpRequest, token: str) -> HttpResponse:
    resolved = selectors.link_resolve(token=token)
    if resolved is None:
        return _invalid(request)
    resolved = _settle(resolved)
    if resolved.state not in (LinkState.OK, LinkState.STOPPED, LinkState.SIGNED):
        return _state_page(request, resolved, action=reverse("journey:new_link", args=[token]))
    request.session.cycle_key()  # a fresh session id for the journey (no fixation)
    request.session[SESSION_KEY] = {
        "id": str(resolved.journey.pk),
        "link": resolved.link.pk,
        "fresh": True,
    }
    return _private(redirect("journey:resume"))


def client_page(step: str | None = None):
    """Resolve the session's journey for a client page; show the link's state page when it no
    longer works, record the opening once per entry, and keep the client on the current step."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            data = request.session.get(SESSION_KEY) or {}
            resolved = selectors.link_resolve_by_id(
                journey_id=data.get("id"), link_id=data.get("link")
            )
            if resolved is None:
                return _invalid(request)
            resolved = _settle(resolved)
            journey, state = resolved.journey, resolved.state
            if state == LinkState.SIGNED:
                return (
                    view(request, journey, *args, **kwargs)
                    if step == Step.DONE
                    else (_private(redirect("journey:done")))
                )
            if state == LinkState.STOPPED:
                return _page(request, "stopped.html", {"journey": journey, "step_number": None})
            if state != LinkState.OK:
                return _state_page(request, resolved, action=reverse("journey:new_link_session"))
            if data.get("fresh"):
                services.journey_open(
                    journey_id=journey.pk, link_id=resolved.link.pk, context=_ctx(request, journey)
                )
                request.session[SESSION_KEY] = {**data, "fresh": False}
            if step is not None and journey.current_step != step:
                return _private(redirect(STEP_URL[journey.current_step]))
            return view(request, journey, *args, **kwargs)

        return wrapper

    return decorator


@client_page()
def resume(request, journey: Journey) -> HttpResponse:
    return _private(redirect(STEP_URL[journey.current_step]))


def _next(journey_id) -> HttpResponse:
    return _private(redirect(STEP_URL[selectors.journey_current_step(journey_id=journey_id)]))


def _run(request, journey: Journey, template: str, context: dict, call) -> HttpResponse:
    """Call a step service; on success go to the next step, on refusal show why."""
    try:
        call()
    except ApplicationError as exc:
        if exc.code == "step_out_of_order":
            return _next(journey.pk)
        context["error"] = exc.message
        return _page(request, template, {"journey": journey, **context}, status=exc.status)
    return _next(journey.pk)


@client_page(Step.WELCOME)
def welcome(request, journey: Journey) -> HttpResponse:
    form = WelcomeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        context = {"form": form, "client_steps": progress.CLIENT_STEPS}
        return _run(request, journey, "welcome.html", context, lambda: (
            services.journey_welcome_confirm(
                journey_id=journey.pk, phone_is_own=form.cleaned_data["phone_is_own"],
                context=_ctx(request, journey),
            )
        ))  # fmt: skip
    return _page(
        request, "welcome.html",
        {"journey": journey, "form": form, "client_steps": progress.CLIENT_STEPS},
    )  # fmt: skip


@client_page(Step.TERMS)
def terms(request, journey: Journey) -> HttpResponse:
    form = TermsForm(_posted(request), initial={"terms_sha256": journey.terms.sha256})
    context = {"form": form, "terms": journey.terms}
    if request.method == "POST" and form.is_valid():
        return _run(request, journey, "terms.html", context, lambda: (
            services.journey_terms_accept(
                journey_id=journey.pk, terms_sha256=form.cleaned_data["terms_sha256"],
                context=_ctx(request, journey),
            )
        ))  # fmt: skip
    return _page(request, "terms.html", {"journey": journey, **context})


@client_page(Step.CONDITIONS)
def conditions(request, journey: Journey) -> HttpResponse:
    form = ConditionsForm(_posted(request), initial={"snapshot_sha256": journey.conditions_sha256})
    context = {"form": form, "issue_form": IssueForm(), "snapshot": journey.conditions_snapshot}
    if request.method == "POST" and form.is_valid():
        return _run(request, journey, "conditions.html", context, lambda: (
            services.journey_conditions_confirm(
                journey_id=journey.pk, snapshot_sha256=form.cleaned_data["snapshot_sha256"],
                context=_ctx(request, journey),
            )
        ))  # fmt: skip
    return _page(request, "conditions.html", {"journey": journey, **context})


@require_POST
@client_page()
def issue(request, journey: Journey) -> HttpResponse:
    form = IssueForm(request.POST)
    message = form.cleaned_data["message"] if form.is_valid() else ""
    # Refused when not at a step where it applies: the resume below shows where the client is.
    with contextlib.suppress(ApplicationError):
        services.journey_issue_report(
            journey_id=journey.pk, message=message, context=_ctx(request, journey)
        )
    return _private(redirect("journey:resume"))


@client_page(Step.CONTRACTS)
def contracts(request, journey: Journey) -> HttpResponse:
    if request.method == "POST":
        try:
            services.journey_contracts_accept(journey_id=journey.pk, context=_ctx(request, journey))
        except ApplicationError as exc:
            if exc.code == "step_out_of_order":
                return _next(journey.pk)
            return _contracts_page(request, journey, error=exc.message, status=exc.status)
        return _next(journey.pk)
    return _contracts_page(request, journey)


def _contracts_page(request, journey: Journey, *, error: str = "", status: int = 200):
    items = services.journey_contracts_shown(journey_id=journey.pk, context=_ctx(request, journey))
    threshold = settings.JOURNEY_READ_MIN_FRACTION
    all_read = all(c.read_at is not None for c in items)
    return _page(
        request, "contracts.html",
        {"journey": journey, "contracts": items, "all_read": all_read, "min_fraction": threshold,
         "error": error, "issue_form": IssueForm()},
        status=status,
    )  # fmt: skip


@require_POST
@client_page(Step.CONTRACTS)
def reading(request, journey: Journey) -> JsonResponse:
    form = ReadingForm(request.POST)
    if not form.is_valid():
        return _private(
            JsonResponse({"ok": False, "message": "Dados de leitura inválidos."}, status=400)
        )
    try:
        contract = services.journey_contract_reading_record(
            journey_id=journey.pk, contract_id=form.cleaned_data["contract"],
            max_fraction=form.cleaned_data["max_fraction"],
            client_seconds=form.cleaned_data["seconds"], context=_ctx(request, journey),
        )  # fmt: skip
    except ApplicationError as exc:
        # reading_too_fast carries retry_after: the page asks again once the floor has passed.
        answer = {"ok": False, "code": exc.code, "message": exc.message, **exc.extra}
        return _private(JsonResponse(answer, status=exc.status))
    return _private(JsonResponse({"ok": True, "read": contract.read_at is not None}))


CAPTURE_PAGES = {
    CaptureKind.ID_FRONT: {
        "title": "Foto do documento — frente",
        "hint": "Coloque a FRENTE do documento (RG ou CNH) dentro da moldura, sem reflexo, e toque em Tirar foto.",
        "facing": "environment", "guide": "card",
    },
    CaptureKind.ID_BACK: {
        "title": "Foto do documento — verso",
        "hint": "Agora vire o documento: o VERSO dentro da moldura, sem reflexo, e toque em Tirar foto.",
        "facing": "environment", "guide": "card",
    },
    CaptureKind.SELFIE: {
        "title": "Selfie",
        "hint": "Segure o celular na altura dos olhos, tire óculos escuros e boné e deixe o rosto inteiro dentro do oval.",
        "facing": "user", "guide": "oval",
    },
}  # fmt: skip


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def capture(request, kind: str) -> HttpResponse:
    return client_page(kind)(_capture)(request, kind=kind)


def _capture(request, journey: Journey, kind: str) -> HttpResponse:
    page = {"journey": journey, "kind": kind, **CAPTURE_PAGES[kind], "error": ""}
    if kind == CaptureKind.SELFIE:
        page["face"] = selectors.face_match_client_state(journey=journey)
    if request.method != "POST":
        return _page(request, "capture.html", page)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    data, declared, form_data = b"", 0, {"retakes": 0, "source": ""}
    if length > settings.JOURNEY_IMAGE_MAX_BYTES + 64 * 1024:
        declared = length  # refused before Django reads the body (no megabytes spooled)
    else:
        form = CaptureForm(request.POST, request.FILES)
        form.is_valid()
        upload = form.cleaned_data.get("image")
        data = upload.read() if upload else b""
        form_data = {"retakes": form.cleaned_data.get("retakes") or 0,
                     "source": form.cleaned_data.get("source") or ""}  # fmt: skip
    try:
        outcome = services.journey_capture_submit(
            journey_id=journey.pk, kind=kind, data=data, source=form_data["source"],
            client_retakes=form_data["retakes"], context=_ctx(request, journey),
            declared_bytes=declared,
        )  # fmt: skip
    except ApplicationError as exc:
        if _wants_json(request):
            return _private(
                JsonResponse(
                    {"ok": False, "code": exc.code, "message": exc.message}, status=exc.status
                )
            )
        return _next(journey.pk)
    if outcome.accepted:
        next_url = reverse(STEP_URL[selectors.journey_current_step(journey_id=journey.pk)])
        if _wants_json(request):
            return _private(JsonResponse({"ok": True, "next": next_url}))
        return _private(redirect(next_url))
    refusal = outcome.refusal
    if _wants_json(request):
        return _private(
            JsonResponse(
                {"ok": False, "code": refusal.code, "message": refusal.message}, status=422
            )
        )
    page["error"] = refusal.message
    return _page(request, "capture.html", page, status=422)


@client_page(Step.CONFIRM)
def confirm(request, journey: Journey) -> HttpResponse:
    form = ConfirmForm(_posted(request))
    contracts = selectors.journey_contracts(journey=journey)
    face = selectors.face_match_client_state(journey=journey)
    context = {"form": form, "contracts": contracts, "face": face}
    if request.method == "POST" and form.is_valid():
        return _run(request, journey, "confirm.html", context, lambda: (
            services.journey_sign(journey_id=journey.pk, context=_ctx(request, journey))
        ))  # fmt: skip
    return _page(request, "confirm.html", {"journey": journey, **context})


@client_page(Step.DONE)
def done(request, journey: Journey) -> HttpResponse:
    face = selectors.face_match_client_state(journey=journey)
    return _page(request, "done.html", {"journey": journey, "step_number": None, "face": face})


@require_http_methods(["GET"])
@client_page()
def face_status(request, journey: Journey) -> JsonResponse:
    """Polled by the confirmation page while the selfie is compared in the background: where
    the client should be (a refused selfie sends them back to the selfie step)."""
    face = selectors.face_match_client_state(journey=journey)
    step = journey.current_step
    return _private(
        JsonResponse(
            {"status": face.status, "pending": face.pending, "step": step,
             "next": reverse(STEP_URL[step])}
        )
    )  # fmt: skip


def _request_new_link(
    request, resolved: ResolvedLink | None, *, action: str, still_valid: str
) -> HttpResponse:
    if resolved is None:
        return _invalid(request)
    resolved = _settle(resolved)
    journey = resolved.journey
    try:
        services.journey_link_request(link_id=resolved.link.pk, context=_ctx(request, journey))
    except ApplicationError as exc:
        if exc.code == "link_still_valid":
            return _private(redirect(still_valid))
        return _state_page(request, resolved, action=action, error=exc.message, status=exc.status)
    return _page(
        request, "link_requested.html",
        {"journey": journey, "phone_end": journey.phone[-4:], "step_number": None},
    )  # fmt: skip


@require_POST
def new_link(request: HttpRequest, token: str) -> HttpResponse:
    resolved = selectors.link_resolve(token=token)
    return _request_new_link(
        request, resolved, action=reverse("journey:new_link", args=[token]),
        still_valid=reverse("journey:enter", args=[token]),
    )  # fmt: skip


@require_POST
def new_link_session(request: HttpRequest) -> HttpResponse:
    data = request.session.get(SESSION_KEY) or {}
    resolved = selectors.link_resolve_by_id(journey_id=data.get("id"), link_id=data.get("link"))
    return _request_new_link(
        request, resolved, action=reverse("journey:new_link_session"),
        still_valid=reverse("journey:resume"),
    )  # fmt: skip
