from django.urls import path

from formaliza.evidence import views

app_name = "evidence"

urlpatterns = [
    path("", views.documents, name="documents"),
    path("baixar/<str:token>/", views.download_link, name="download_link"),
    path("<str:document_id>/", views.document_detail, name="document"),
    path("<str:document_id>/repetir/", views.document_retry, name="document_retry"),
    path("<str:document_id>/baixar/", views.document_download, name="document_download"),
]
