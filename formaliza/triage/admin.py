"""The Django admin for orders: saving goes through `order_upsert`, so the timeline and the
order's list stay true whatever the entry point (API, import, admin)."""

from __future__ import annotations

from django.contrib import admin

from formaliza.triage.events import Who
from formaliza.triage.models import CertificateOrder, ContactAttempt, OrderEvent, Slot
from formaliza.triage.services import OrderInput, order_upsert
from formaliza.triage.services.orders import ORDER_FIELDS


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "author_label", "outcome", "text")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CertificateOrder)
class CertificateOrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "client_name", "product", "worklist", "assigned_to", "tenant")
    list_filter = ("worklist", "payment_status", "documents_status", "tenant")
    search_fields = ("external_id", "client_name", "client_document")
    fields = ("tenant", "external_id", *ORDER_FIELDS)
    inlines = [OrderEventInline]

    def get_readonly_fields(self, request, obj=None):
        return ("tenant", "external_id") if obj is not None else ()

    def save_model(self, request, obj, form, change):
        data = OrderInput(
            external_id=obj.external_id, **{name: getattr(obj, name) for name in ORDER_FIELDS}
        )
        who = Who(kind="user", label=f"Admin: {request.user.get_username()}", user=request.user)
        saved, _ = order_upsert(tenant=obj.tenant, data=data, who=who)
        obj.pk = saved.pk


admin.site.register(ContactAttempt)
admin.site.register(Slot)
