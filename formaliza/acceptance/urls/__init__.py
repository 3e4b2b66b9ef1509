"""The contact base in the back office (/contatos/, namespace `contacts`)."""

from django.urls import path

from formaliza.acceptance.views import contacts, documents

app_name = "contacts"

urlpatterns = [
    path("", contacts.search, name="search"),
    path("documentos/<str:public_id>/baixar/", documents.document_download,
         name="document_download"),
    path("documentos/<str:public_id>/desarquivar/", documents.document_unarchive,
         name="document_unarchive"),
    path("documentos/<str:public_id>/reenviar/", documents.document_resend,
         name="document_resend"),
    path("kits/<str:public_id>/laudo/", documents.kit_report, name="kit_report"),
    path("mensagens/<str:public_id>/laudo/", documents.certified_report,
         name="certified_report"),
    path("mensagens/<str:public_id>/reenviar/", documents.message_resend,
         name="message_resend"),
    path("<str:public_id>/", contacts.profile, name="profile"),
    path("<str:public_id>/aceite/novo/", documents.kit_new, name="kit_new"),
]  # fmt: skip
