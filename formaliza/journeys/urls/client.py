"""The client's pages, behind the link sent by WhatsApp (/j/...)."""

from django.urls import path

from formaliza.journeys.views import client as views

app_name = "journey"

urlpatterns = [
    path("", views.resume, name="resume"),
    path("inicio/", views.welcome, name="welcome"),
    path("termos/", views.terms, name="terms"),
    path("condicoes/", views.conditions, name="conditions"),
    path("algo-errado/", views.issue, name="issue"),
    path("contratos/", views.contracts, name="contracts"),
    path("contratos/leitura/", views.reading, name="reading"),
    path("documento-frente/", views.capture, {"kind": "id_front"}, name="id_front"),
    path("documento-verso/", views.capture, {"kind": "id_back"}, name="id_back"),
    path("selfie/", views.capture, {"kind": "selfie"}, name="selfie"),
    path("selfie/conferencia/", views.face_status, name="face_status"),
    path("assinar/", views.confirm, name="confirm"),
    path("concluido/", views.done, name="done"),
    path("novo-link/", views.new_link_session, name="new_link_session"),
    path("<str:token>/novo-link", views.new_link, name="new_link"),
    path("<str:token>", views.enter, name="enter"),
]
