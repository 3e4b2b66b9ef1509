from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from formaliza.api.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="proposals:pipeline", permanent=False)),
    path("conta/", include("formaliza.accounts.urls")),
    path("esteira/", include("formaliza.proposals.urls")),
    path("webhooks/", include("formaliza.webhooks.urls")),
    path("conversas/", include("formaliza.conversations.urls")),
    path("historico/", include("formaliza.history.urls")),
    path("atendimento/", include("formaliza.flows.urls_inbox")),
    path("jornadas/", include("formaliza.journeys.urls_backoffice")),
    path("j/", include("formaliza.journeys.urls_client")),
    path("evidencias/", include("formaliza.evidence.urls")),
    path("fluxos/sistema/", include("formaliza.flows.urls_system")),  # before <key>/ patterns
    path("fluxos/", include("formaliza.flows.urls")),
    path("verificar/", include("formaliza.evidence.urls_public")),
    path("casos/", include("formaliza.cases.urls")),
    path("c/", include("formaliza.cases.urls_client")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
