from django.urls import path

from formaliza.history.views import labels, portal, search

app_name = "history"

urlpatterns = [
    path("", search.history_search, name="search"),
    path("exportar/", search.history_export, name="export"),
    path("exportacoes/<uuid:export_id>/", search.export_progress, name="export_progress"),
    path("exportacoes/<uuid:export_id>/status/", search.export_status, name="export_status"),
    path("exportacoes/<uuid:export_id>/baixar/", search.export_download, name="export_download"),
    path("anexos/<int:attachment_id>/", search.attachment_download, name="attachment"),
    path("portal/", portal.portal, name="portal"),
    path("portal/envios/<int:send_id>/", portal.portal_send_detail, name="portal_send"),
    path("portal/relatorio/", portal.portal_report, name="portal_report"),
    path("status/", labels.labels, name="labels"),
    path("status/<int:status_id>/", labels.label_edit, name="label_edit"),
    path("atendimentos/<str:protocol>/", search.transcript, name="transcript"),
    path("atendimentos/<str:protocol>/pdf/", search.transcript_pdf, name="transcript_pdf"),
    path("atendimentos/<str:protocol>/texto/", search.transcript_text, name="transcript_text"),
    path(
        "atendimentos/<str:protocol>/anexos/",
        search.conversation_attachments,
        name="attachments",
    ),
    path("atendimentos/<str:protocol>/finalizar/", search.finalize, name="finalize"),
]
