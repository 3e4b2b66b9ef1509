from django.urls import path

from formaliza.conversations.views import conversations as inbox
from formaliza.conversations.views import setup, simulator, webhook

app_name = "conversations"

urlpatterns = [
    path("", inbox.conversation_list, name="list"),
    path("webhook/<uuid:channel_key>/", webhook.webhook, name="webhook"),
    path("modelos/", setup.templates_overview, name="templates_all"),
    path("canais/", setup.channel_list, name="channels"),
    path("canais/<int:channel_id>/", setup.channel_detail, name="channel_detail"),
    path(
        "canais/<int:channel_id>/eventos/<int:event_id>/reprocessar/",
        setup.inbound_event_reprocess,
        name="event_reprocess",
    ),
    path("canais/<int:channel_id>/modelos/", setup.template_list, name="templates"),
    path("canais/<int:channel_id>/modelos/novo/", setup.template_edit, name="template_new"),
    path(
        "canais/<int:channel_id>/modelos/<int:template_id>/",
        setup.template_edit,
        name="template_edit",
    ),
    path("canais/<int:channel_id>/modelos/sincronizar/", setup.template_sync, name="template_sync"),
    path("simulador/", simulator.simulator, name="simulator"),
    path(
        "simulador/<int:channel_id>/mensagens/",
        simulator.simulator_messages,
        name="simulator_messages",
    ),
    path("simulador/<int:channel_id>/enviar/", simulator.simulator_send, name="simulator_send"),
    path("anexos/<int:attachment_id>/", inbox.attachment_download, name="attachment"),
    path("<str:protocol>/", inbox.conversation_detail, name="detail"),
    path("<str:protocol>/responder/", inbox.conversation_reply, name="reply"),
    path("<str:protocol>/modelo/", inbox.conversation_send_template, name="send_template"),
    path("<str:protocol>/encerrar/", inbox.conversation_close, name="close"),
    path("<str:protocol>/consentimento/", inbox.conversation_consent, name="consent"),
]
