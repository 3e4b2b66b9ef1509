"""The client's kit pages and the certified messages' tracking (/a/, no sign-in)."""

from django.urls import path

from formaliza.acceptance.views import client

app_name = "acceptance_public"

urlpatterns = [
    path("r/<str:token>/", client.track_click, name="track_click"),
    path("r/<str:token>/p.gif", client.track_pixel, name="track_pixel"),
    path("<str:token>/", client.kit_page, name="kit"),
    path("<str:token>/aceitar/", client.kit_accept, name="accept"),
    path("<str:token>/selfie/", client.kit_selfie, name="selfie"),
    path("<str:token>/d/<str:document_id>/p/<int:page>.png", client.kit_page_image, name="page"),
    path("<str:token>/d/<str:document_id>/leitura/", client.kit_scroll, name="scroll"),
]
