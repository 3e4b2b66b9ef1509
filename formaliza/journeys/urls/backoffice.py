"""Back office (/jornadas/...)."""

from django.urls import path

from formaliza.journeys.views import backoffice as views
from formaliza.journeys.views import face

app_name = "journeys"

urlpatterns = [
    path("", views.journey_list, name="list"),
    path("pendencias/", views.issue_list, name="issues"),
    path("pendencias/<str:issue_id>/resolver/", views.issue_resolve, name="issue_resolve"),
    path("conferencia-facial/", face.face_queue, name="face_queue"),
    path("conferencia-facial/configuracao/", face.face_policy, name="face_policy"),
    path("conferencia-facial/<str:face_match_id>/", face.face_detail, name="face_detail"),
    path("conferencia-facial/<str:face_match_id>/decidir/", face.face_review, name="face_review"),
    path(
        "conferencia-facial/<str:face_match_id>/<str:which>.jpg", face.face_image, name="face_image"
    ),
    path("conteudo/", views.content, name="content"),
    path("conteudo/termos/", views.terms_publish, name="terms_publish"),
    path("conteudo/modelos/", views.template_edit, name="template_edit"),
    path("<str:journey_id>/", views.journey_detail, name="detail"),
    path("<str:journey_id>/reenviar/", views.link_resend, name="resend"),
    path("<str:journey_id>/renovar/", views.link_renew, name="renew"),
    path("<str:journey_id>/fotos/<str:capture_id>/", views.capture_image, name="capture_image"),
]
