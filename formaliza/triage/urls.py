"""Triage in the back office (/triagem/, namespace `triage`)."""

from django.urls import path

from formaliza.triage.views import imports, lists, orders, templates
from formaliza.triage.worklists import LISTS

app_name = "triage"

urlpatterns = [
    path("", lists.overview, name="overview"),
    path("importar/", imports.orders_import, name="import"),
    path("modelos/", templates.templates_edit, name="templates"),
    # One URL per list (not a <worklist> parameter): a list is not an object of a tenant.
    *(path(f"listas/{w}/", lists.worklist, {"worklist": str(w)}, name=f"list_{w}") for w in LISTS),
    path("pedidos/<int:order_id>/", orders.order_detail, name="order"),
    path("pedidos/<int:order_id>/ligar/", orders.order_call, name="order_call"),
    path("pedidos/<int:order_id>/resultado/", orders.order_outcome, name="order_outcome"),
    path("pedidos/<int:order_id>/mensagem/", orders.order_message, name="order_message"),
    path("pedidos/<int:order_id>/contabilidade/", orders.order_accountant, name="order_accountant"),
    path("pedidos/<int:order_id>/contato/", orders.order_contact, name="order_contact"),
    path("pedidos/<int:order_id>/responsavel/", orders.order_assign, name="order_assign"),
]
