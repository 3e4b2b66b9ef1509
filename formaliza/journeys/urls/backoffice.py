"""Back office (/jornadas/...)."""

from django.urls import path

from formaliza.journeys.views import backoffice as views

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list, name="list"),
    path("pendencias/", views.issue_list, name="issues"),
    path("pendencias/<str:issue_id>/resolver/", views.issue_resolve, name="issue_resolve"),
    path("conteudo/", views.content, name="content"),
    path("conteudo/termos/", views.terms_publish, name="terms_publish"),
    path("conteudo/modelos/", views.template_edit, name="template_edit"),
    path("<str:journey_id>/", views.journey_detail, name="detail"),
    path("<str:journey_id>/reenviar/", views.link_resend, name="resend"),
    path("<str:journey_id>/renovar/", views.link_renew, name="renew"),
    path("<str:journey_id>/fotos/<str:capture_id>/", views.capture_image, name="capture_image"),
]
