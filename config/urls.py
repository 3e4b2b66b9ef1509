from django.contrib import admin
from django.urls import include, path

from formaliza.accounts.views import home
from formaliza.api.api import api

urlpatterns = [
    path("", home, name="home"),
    path("conta/", include("formaliza.accounts.urls")),
    path("esteira/", include("formaliza.proposals.urls")),
    path("webhooks/", include("formaliza.webhooks.urls")),
    path("pagamentos/", include("formaliza.payments.urls")),
    path("conversas/", include("formaliza.conversations.urls")),
    path("historico/", include("formaliza.history.urls")),
    path("atendimento/", include("formaliza.conversations.urls.inbox")),
    path("jornadas/", include("formaliza.journeys.urls.backoffice")),
    path("j/", include("formaliza.journeys.urls.client")),
    path("evidencias/", include("formaliza.evidence.urls")),
    path("fluxos/sistema/", include("formaliza.flows.urls.system")),  # before <key>/ patterns
    path("fluxos/", include("formaliza.flows.urls")),
    path("verificar/", include("formaliza.evidence.urls.public")),
    path("casos/", include("formaliza.cases.urls.backoffice")),
    path("c/", include("formaliza.cases.urls.client")),
    path("contatos/", include("formaliza.acceptance.urls")),
    path("a/", include("formaliza.acceptance.urls.public")),
    path("triagem/", include("formaliza.triage.urls")),
    path("t/", include("formaliza.triage.urls_public")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
