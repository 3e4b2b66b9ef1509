from django.urls import path

from formaliza.payments import views

app_name = "payments"
urlpatterns = [
    path("pix-webhook/<str:token>/pix", views.pix_webhook, name="pix_webhook"),
    path("pix-webhook/<str:token>", views.pix_webhook, name="pix_webhook_base"),
]
