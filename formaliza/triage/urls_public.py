"""The client's pages of triage (/t/, namespace `triage_public`)."""

from django.urls import path

from formaliza.triage.views import public

app_name = "triage_public"

urlpatterns = [path("agendar/<str:token>/", public.book, name="book")]
