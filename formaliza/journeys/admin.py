from django.contrib import admin

from formaliza.journeys.models import (
    CaptureAccess,
    ContractTemplate,
    Journey,
    JourneyIssue,
    JourneyNotification,
    JourneyTerms,
)


@admin.register(Journey)
class JourneyAdmin(admin.ModelAdmin):
    list_display = ("request", "client_name", "phone", "status", "tenant", "created_at")
    list_filter = ("tenant", "status")
    search_fields = ("client_name", "cpf", "phone")
    readonly_fields = [f.name for f in Journey._meta.fields]


@admin.register(JourneyTerms)
class JourneyTermsAdmin(admin.ModelAdmin):
    list_display = ("tenant", "version", "title", "sha256", "created_at")
    list_filter = ("tenant",)

    def has_change_permission(self, request, obj=None):
        return False  # versions are immutable


@admin.register(ContractTemplate)
class ContractTemplateAdmin(admin.ModelAdmin):
    list_display = ("tenant", "product", "title", "updated_at")
    list_filter = ("tenant",)


@admin.register(JourneyIssue)
class JourneyIssueAdmin(admin.ModelAdmin):
    list_display = ("journey", "kind", "status", "step", "created_at")
    list_filter = ("tenant", "kind", "status")


@admin.register(JourneyNotification)
class JourneyNotificationAdmin(admin.ModelAdmin):
    list_display = ("journey", "kind", "reason", "status", "attempts", "created_at")
    list_filter = ("status", "kind")


@admin.register(CaptureAccess)
class CaptureAccessAdmin(admin.ModelAdmin):
    list_display = ("capture", "user", "ip", "accessed_at")
    list_filter = ("tenant",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
