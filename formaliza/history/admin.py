from django.contrib import admin

from formaliza.history.models import AttachmentAccess, HistoryExport, PortalSend


@admin.register(PortalSend)
class PortalSendAdmin(admin.ModelAdmin):
    list_display = ("template_name", "phone", "user", "created_at")
    list_filter = ("tenant",)
    raw_id_fields = ("message",)


@admin.register(AttachmentAccess)
class AttachmentAccessAdmin(admin.ModelAdmin):
    list_display = ("attachment", "user", "ip", "accessed_at")
    list_filter = ("tenant",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HistoryExport)
class HistoryExportAdmin(admin.ModelAdmin):
    list_display = ("pk", "format", "status", "processed", "total", "created_at", "expires_at")
    list_filter = ("status", "format")
