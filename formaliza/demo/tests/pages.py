"""Every back-office page, opened on the demo data: the builder registry.

`backoffice_routes()` (formaliza/core/testing_urls.py) finds the pages in the URL configuration.
A page without path parameters opens as it is; a page with parameters (`/esteira/<number>/`)
needs an object, and gets it from the builder registered here under its URL name:

    @builds("proposals:detail")
    def _proposal(world: World) -> Visit:
        return Visit(number=world.proposal.number)

A builder takes the `World` (the demo tenant after `demo_seed`, plus objects made on demand)
and returns the `Visit`: path parameters and, optionally, a query string. A page without
parameters may have a builder too, to be opened in a fuller state (a search with results, a
chat open). A new page with parameters and no builder makes the page tests fail, naming it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.urls import reverse

from formaliza.acceptance.models import AcceptanceKit, CertifiedMessage, ContactDocument
from formaliza.accounts.actors import Actor
from formaliza.accounts.models import User
from formaliza.accounts.roles import Role
from formaliza.cases.models import Calculation, Case, CaseClient, CaseStatus, ClientDocument
from formaliza.conversations.models import (
    Channel,
    Conversation,
    Department,
    FinalizationStatus,
    Template,
)
from formaliza.conversations.services import conversation_keys_add
from formaliza.conversations.services.conversations import conversation_for, handle_for_inbound
from formaliza.conversations.services.inbox import note_add
from formaliza.core import clock
from formaliza.demo.seed import demo_seed
from formaliza.evidence.models import SealedDocument
from formaliza.flows.defaults import formalization_flow_ensure
from formaliza.flows.models import BulkRecipient, BulkSend, Flow, FlowRun
from formaliza.flows.services.system import notify_group_save
from formaliza.history import services as history
from formaliza.history.selectors import HistoryFilters
from formaliza.history.tests.conftest import Corpus
from formaliza.journeys.models import Journey
from formaliza.payments.models import Charge
from formaliza.proposals.models import FormalizationRequest, Proposal
from formaliza.triage.models import CertificateOrder
from formaliza.webhooks.models import WebhookEndpoint
from formaliza.webhooks.services import webhook_event_emit

CLIENT_PHONE = "+5511987650000"
# Long values as real data has them: the pages must wrap or scroll them inside their cards.
LONG_NAME = "Maria Aparecida dos Santos Albuquerque de Oliveira Cavalcanti"
LONG_TEXT = (
    "Bom dia! Segue o comprovante de residência atualizado e o link do contrato que recebi: "
    "https://formaliza.example.com/j/zHIr6o5ecG8UL2PkcWXoMkGJM83YMyJ4G5PKPo7v1xc-sem-quebra"
)


class Visit:
    """Where a builder sends the page test: the path parameters and an optional query string."""

    def __init__(self, query: dict | None = None, **kwargs):
        self.kwargs, self.query = kwargs, query or {}

    def url(self, name: str) -> str:
        path = reverse(name, kwargs=self.kwargs)
        return f"{path}?{urlencode(self.query)}" if self.query else path


class World:
    """The demo tenant (`demo_seed`), and the objects builders need, made once on demand."""

    def __init__(self):
        self.tenant = demo_seed().tenant
        self.admin = User.objects.get(tenant=self.tenant, role=Role.ADMIN)

    @cached_property
    def whatsapp(self) -> Channel:
        return Channel.objects.get(tenant=self.tenant, kind="whatsapp")

    @cached_property
    def proposal(self) -> Proposal:
        return Proposal.objects.filter(tenant=self.tenant).order_by("number").first()

    @cached_property
    def journey(self) -> Journey:
        return Journey.objects.get(tenant=self.tenant, status="signed")

    @cached_property
    def face_match(self):
        """A comparison of the signed journey's selfie waiting in the review queue."""
        from formaliza.journeys.models import FaceMatch

        journey = self.journey
        return FaceMatch.objects.create(
            tenant=self.tenant, journey=journey, attempt=journey.face_matches.count() + 1,
            selfie=journey.captures.filter(kind="selfie", accepted=True).last(),
            document=journey.captures.filter(kind="id_front", accepted=True).last(),
            status=FaceMatch.Status.REVIEW, outcome="compared", score=0.41,
            accept_threshold=0.45, review_threshold=0.35, max_attempts=3,
            reason="semelhança entre os limites de aceite e de recusa",
        )  # fmt: skip

    @cached_property
    def conversation(self) -> Conversation:
        """A client's open conversation on the demo WhatsApp: a long message with a document,
        an answer, a contract key and the "Assinado" status, as the history shows them."""
        handle = handle_for_inbound(
            channel=self.whatsapp, sender=CLIENT_PHONE.lstrip("+"), profile_name=LONG_NAME
        )
        conversation, _ = conversation_for(handle=handle, origin=Conversation.Origin.CLIENT)
        conversation.finalization = FinalizationStatus.objects.get(
            tenant=self.tenant, code="assinado"
        )
        conversation.save(update_fields=["finalization"])
        conversation_keys_add(
            conversation=conversation, keys=[("contract", "CTR-2026-000000123456789")]
        )
        corpus = Corpus(self.tenant, self.whatsapp)
        message = corpus.message(conversation, LONG_TEXT)
        corpus.attachment(message, filename="comprovante-de-residencia-atualizado-2026.pdf")
        corpus.message(conversation, "Recebido, obrigado!", inbound=False, user=self.admin)
        # The formalization assistant waiting for the attendant's decision (the inbox shows a
        # note and the button to start it).
        assistant = formalization_flow_ensure(tenant=self.tenant)
        run = FlowRun.objects.create(
            tenant=self.tenant, conversation=conversation, flow=assistant,
            version=assistant.live, status=FlowRun.Status.PENDING,
            context={"journey": "demo", "formalization": "FML-2026-000000123456789"},
        )  # fmt: skip
        note_add(
            conversation=conversation, kind="note", run_id=run.pk,
            text="Formalização FML-2026-000000123456789: o convite foi enviado ao cliente, mas o "
            "assistente de formalização não foi iniciado porque este atendimento está com "
            f"{LONG_NAME}.",
        )  # fmt: skip
        return conversation

    @cached_property
    def export(self):
        export = history.history_export_create(
            tenant=self.tenant, user=self.admin, format="csv", filters=self.history_filters
        )
        history.history_export_run(export_id=str(export.pk))
        return export

    @property
    def history_filters(self) -> HistoryFilters:
        today = clock.local(clock.now()).date()
        return HistoryFilters(start=today - dt.timedelta(days=7), end=today)

    @property
    def history_query(self) -> dict:
        self.conversation  # noqa: B018 - made before the search
        filters = self.history_filters
        return {"start": filters.start.isoformat(), "end": filters.end.isoformat()}

    @cached_property
    def portal_send(self):
        template = Template.objects.get(channel=self.whatsapp, name="formalizacao_link")
        return history.portal_send(
            actor=Actor.of_user(self.admin), template_id=template.pk, phone="(11) 98765-0000",
            variables=[LONG_NAME, "https://formaliza.example.com/j/" + "x" * 43],
        )  # fmt: skip

    @cached_property
    def delivery(self):
        # Made directly: the service resolves the host (no DNS in tests) to refuse private ones.
        endpoint = WebhookEndpoint.objects.create(
            tenant=self.tenant, url="https://integrador.example.com/webhooks/formaliza/eventos",
            secret="whsec_demo", event_types=[],
        )  # fmt: skip
        event = webhook_event_emit(
            tenant=self.tenant, event_type="proposal.activity_changed",
            data={"proposal": self.proposal.number},
        )  # fmt: skip
        return event.deliveries.get(endpoint=endpoint)

    @cached_property
    def bulk(self) -> BulkSend:
        bulk = BulkSend.objects.create(
            tenant=self.tenant, flow=Flow.objects.get(tenant=self.tenant, key="formalizacao"),
            channel=self.whatsapp, card="convite", template="convite_formalizacao",
            created_by=self.admin, total=2,
        )  # fmt: skip
        BulkRecipient.objects.bulk_create(
            BulkRecipient(bulk=bulk, phone=p) for p in (CLIENT_PHONE, "+5521998765432")
        )
        return bulk


BUILDERS: dict[str, Callable[[World], Visit]] = {}
# Values of path parameters, by "<namespace>:<parameter>" (the URL namespace of a back-office
# route, or the first segment after /api/v1/ of an API path): what the tenant matrix
# (formaliza/demo/tests/test_tenant_matrix.py) needs for routes no builder opens — form
# actions and API operations. The builders' own parameters count too (read from their Visit).
PARAMS: dict[str, Callable[[World], object]] = {}


def provides(*keys: str):
    def register(provider: Callable[[World], object]):
        for key in keys:
            PARAMS[key] = provider
        return provider

    return register


def visit_of(name: str, world: World) -> Visit:
    """The page `name` as its builder opens it (as it is when it has none)."""
    builder = BUILDERS.get(name)
    return builder(world) if builder else Visit()


def builds(*names: str):
    def register(builder: Callable[[World], Visit]):
        for name in names:
            BUILDERS[name] = builder
        return builder

    return register


@builds("proposals:detail")
def _proposal(world: World) -> Visit:
    return Visit(number=world.proposal.number)


@builds("proposals:formalization_detail")
def _formalization(world: World) -> Visit:
    request = FormalizationRequest.objects.filter(tenant=world.tenant).first()
    return Visit(request_id=str(request.pk))


@builds("webhooks:delivery_detail")
def _delivery(world: World) -> Visit:
    return Visit(delivery_id=str(world.delivery.pk))


@builds("conversations:channel_detail", "conversations:templates", "conversations:template_new")
def _channel(world: World) -> Visit:
    return Visit(channel_id=world.whatsapp.pk)


@builds("conversations:template_edit")
def _template(world: World) -> Visit:
    template = world.whatsapp.templates.order_by("pk").first()
    return Visit(channel_id=world.whatsapp.pk, template_id=template.pk)


@builds("conversations:simulator")
def _simulator_chat(world: World) -> Visit:
    return Visit(
        query={"channel": world.whatsapp.pk, "phone": "(11) 98765-0000", "name": LONG_NAME}
    )


@builds("conversations:simulator_messages")
def _simulator_messages(world: World) -> Visit:
    world.conversation  # noqa: B018 - its messages are what the simulator polls
    return Visit(channel_id=world.whatsapp.pk, query={"telefone": "11987650000"})


@builds("conversations:attachment", "history:attachment")
def _attachment(world: World) -> Visit:
    message = world.conversation.messages.filter(attachments__isnull=False).get()
    return Visit(attachment_id=message.attachments.get().pk)


@builds(
    "conversations:detail", "history:transcript", "history:transcript_pdf",
    "history:transcript_text", "history:attachments", "inbox:detail",
)  # fmt: skip
def _conversation(world: World) -> Visit:
    return Visit(protocol=world.conversation.protocol)


@builds("history:search", "history:export")
def _history_search(world: World) -> Visit:
    return Visit(query=world.history_query)


@builds("history:export_progress", "history:export_status", "history:export_download")
def _export(world: World) -> Visit:
    return Visit(export_id=world.export.pk)


@builds("history:portal_send")
def _portal_send(world: World) -> Visit:
    return Visit(send_id=world.portal_send.pk)


@builds("history:portal_report")
def _portal_report(world: World) -> Visit:
    world.portal_send  # noqa: B018 - a sent message in the report
    return Visit()


@builds("history:label_edit")
def _label(world: World) -> Visit:
    return Visit(status_id=FinalizationStatus.objects.filter(tenant=world.tenant).first().pk)


@builds("journeys:detail")
def _journey(world: World) -> Visit:
    return Visit(journey_id=str(world.journey.pk))


@builds("journeys:capture_image")
def _capture(world: World) -> Visit:
    capture = world.journey.captures.filter(kind="selfie").first()
    return Visit(journey_id=str(world.journey.pk), capture_id=str(capture.pk))


@builds("journeys:face_detail")
def _face_match(world: World) -> Visit:
    return Visit(face_match_id=str(world.face_match.pk))


@builds("journeys:face_image")
def _face_image(world: World) -> Visit:
    return Visit(face_match_id=str(world.face_match.pk), which="selfie")


@builds("evidence:document", "evidence:document_download")
def _document(world: World) -> Visit:
    document = SealedDocument.objects.get(tenant=world.tenant, subject_type="journey")
    return Visit(document_id=str(document.pk))


@builds("flows_system:group_edit")
def _group(world: World) -> Visit:
    group = notify_group_save(
        tenant=world.tenant, name="Supervisão da formalização", members=[world.admin],
        emails=["supervisao.formalizacao@promotora-exemplo.com.br"],
    )  # fmt: skip
    return Visit(group_id=group.pk)


@builds("flows_system:department_edit")
def _department(world: World) -> Visit:
    return Visit(department_id=Department.objects.filter(tenant=world.tenant).first().pk)


@builds("flows_system:bulk", "flows_system:bulk_progress")
def _bulk(world: World) -> Visit:
    return Visit(bulk_id=world.bulk.pk)


@builds("flows:detail", "flows:export", "flows:versions")
def _flow(world: World) -> Visit:
    return Visit(key="formalizacao")


@builds("cases:detail")
def _case(world: World) -> Visit:
    case = Case.objects.filter(tenant=world.tenant, status=CaseStatus.FILED).first()
    return Visit(case_id=case.pk)


@builds("cases:calculation", "cases:calculation_pdf")
def _calculation(world: World) -> Visit:
    return Visit(calculation_id=Calculation.objects.filter(tenant=world.tenant).first().pk)


@builds("cases:client", "cases:client_edit", "cases:client_documents")
def _case_client(world: World) -> Visit:
    client = CaseClient.objects.filter(tenant=world.tenant, documents__isnull=False).first()
    return Visit(client_id=client.pk)


@builds("cases:document_file")
def _case_document(world: World) -> Visit:
    return Visit(document_id=ClientDocument.objects.filter(tenant=world.tenant).first().pk)


# --- contact base (acceptance) ---


def _contact_document(world: World, **filters) -> ContactDocument:
    return ContactDocument.objects.filter(tenant=world.tenant, **filters).order_by("pk").first()


@provides("contacts:contact_id")
def _contact_id(world: World):
    return str(_contact_document(world, kit__isnull=False).contact.public_id)


@builds("contacts:search")
def _contact_search(world: World) -> Visit:
    return Visit(query={"kind": "nome", "q": "Maria Clara"})


@builds("contacts:profile")
def _contact_profile(world: World) -> Visit:
    contact = _contact_document(world, kit__isnull=False).contact
    return Visit(public_id=contact.public_id, query={"aba": "documentos"})


@builds("contacts:kit_new")
def _contact_kit_new(world: World) -> Visit:
    return Visit(public_id=_contact_document(world).contact.public_id)


@builds("contacts:document_download")
def _contact_document_download(world: World) -> Visit:
    return Visit(public_id=_contact_document(world, storage="default").public_id)


@builds("contacts:document_resend")
def _contact_document_resend(world: World) -> Visit:
    return Visit(public_id=_contact_document(world, kit__status="waiting").public_id)


@builds("contacts:kit_report")
def _contact_kit_report(world: World) -> Visit:
    kit = AcceptanceKit.objects.filter(tenant=world.tenant, status="accepted").first()
    return Visit(public_id=kit.public_id)


@builds("contacts:certified_report", "contacts:message_resend")
def _contact_certified(world: World) -> Visit:
    certified = CertifiedMessage.objects.filter(tenant=world.tenant, channel="sms").first()
    return Visit(public_id=certified.public_id)


# --- triage ---


@builds("triage:order")
def _triage_order(world: World) -> Visit:
    """A documents order of the demo with a contact and an operator."""
    order = (
        CertificateOrder.objects.filter(tenant=world.tenant, worklist="documentos")
        .exclude(assigned_to=None)
        .order_by("pk")
        .first()
    )
    return Visit(order_id=order.pk)


# --- path parameters for actions and API operations (tenant matrix) ---


@provides("proposals:proposal_id")
def _proposal_id(world: World):
    return str(world.proposal.pk)


@provides("formalizations:request_id")
def _request_id(world: World):
    return str(FormalizationRequest.objects.filter(tenant=world.tenant).first().pk)


@provides("cases:case_id")
def _case_id(world: World):
    return _case(world).kwargs["case_id"]


@provides("cases:txid")
def _charge_txid(world: World):
    return Charge.objects.filter(tenant=world.tenant, status=Charge.Status.FLAGGED).first().txid


@provides("cases:agent_id")
def _agent_id(world: World):
    return Case.objects.filter(tenant=world.tenant).first().agent_id


@provides("inbox:run_id")
def _pending_run_id(world: World):
    return FlowRun.objects.get(
        tenant=world.tenant, conversation=world.conversation, status=FlowRun.Status.PENDING
    ).pk


@provides("journeys:journey_id")
def _journey_id(world: World):
    return str(world.journey.pk)


@provides("journeys:face_match_id")
def _face_match_id(world: World):
    return str(world.face_match.pk)


@provides("journeys:which")
def _face_image_which(world: World):
    return "selfie"


@provides("accounts:key_id")
def _key_id(world: World):
    from formaliza.accounts.services import api_key_create

    return api_key_create(tenant=world.tenant, name="Integrador do ERP").api_key.pk


@provides("conversations:event_id")
def _event_id(world: World):
    from formaliza.conversations.models import InboundEvent

    event = InboundEvent.objects.create(
        channel=world.whatsapp, received_at=clock.now(), body=b"{}", body_sha256="0" * 64,
        status=InboundEvent.Status.FAILED,
    )  # fmt: skip
    return event.pk


@provides("flows:number")
def _flow_version_number(world: World):
    return Flow.objects.get(tenant=world.tenant, key="formalizacao").versions.first().number


@provides("flows_system:period_id")
def _period_id(world: World):
    from formaliza.flows.models import BusinessPeriod

    period = BusinessPeriod.objects.create(
        tenant=world.tenant, weekday=0, start=dt.time(8), end=dt.time(18)
    )
    return period.pk


@provides("journeys:issue_id")
def _issue_id(world: World):
    from formaliza.journeys.models import JourneyIssue

    issue = JourneyIssue.objects.create(
        tenant=world.tenant, journey=world.journey, step="contract", message="Valor errado."
    )
    return str(issue.pk)


@provides("triage:order_id")  # the API's /api/v1/triage/orders/{order_id}
def _triage_order_id(world: World):
    return _triage_order(world).kwargs["order_id"]


@provides("webhooks:endpoint_id")
def _endpoint_id(world: World):
    return world.delivery.endpoint_id
