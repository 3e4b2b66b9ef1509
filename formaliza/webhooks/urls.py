from django.urls import path

from formaliza.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("destinos/<int:endpoint_id>/alternar/", views.endpoint_toggle, name="endpoint_toggle"),
    path("destinos/<int:endpoint_id>/novo-segredo/", views.endpoint_rotate, name="endpoint_rotate"),
    path("entregas/", views.deliveries, name="deliveries"),
    path("entregas/<str:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path(
        "entregas/<str:delivery_id>/reenviar/", views.delivery_redeliver, name="delivery_redeliver"
    ),
]
