from django.contrib import admin

from formaliza.proposals.models import ActivityChange, CatalogEntry, FormalizationRequest, Proposal


@admin.register(CatalogEntry)
class CatalogEntryAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "name", "tenant", "is_active")
    list_filter = ("tenant", "kind")


class HistoryInline(admin.TabularInline):
    model = ActivityChange
    extra = 0
    can_delete = False
    readonly_fields = (
        "from_activity",
        "to_activity",
        "decision",
        "observation",
        "actor_label",
        "created_at",
    )


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ("number", "name", "cpf", "activity", "tenant", "created_at")
    list_filter = ("tenant", "activity")
    search_fields = ("number", "cpf", "name")
    inlines = [HistoryInline]


@admin.register(FormalizationRequest)
class FormalizationRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "cpf", "phone", "status", "tenant", "created_at")
    list_filter = ("tenant", "status")
