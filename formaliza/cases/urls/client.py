from django.urls import path

from formaliza.cases.views import client

app_name = "cases_client"

urlpatterns = [
    path("calculo/", client.calculate, name="calculate"),
    path("resultado/", client.result, name="result"),
    path("resultado/demonstrativo.pdf", client.result_pdf, name="result_pdf"),
    path("cadastro/", client.register, name="register"),
    path("confirmar-email/", client.verify, name="verify"),
    path("documentos/", client.documents, name="documents"),
    path("acesso/<str:token>/", client.access, name="access"),
    path("<str:token>/", client.signup, name="signup"),
]
