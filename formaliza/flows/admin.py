from django.contrib import admin

from formaliza.flows.models import BusinessPeriod, Flow, FlowRun, FlowVersion


class FlowVersionInline(admin.TabularInline):
    model = FlowVersion
    fields = ("number", "published_at", "published_by", "note", "checksum")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ("name", "key", "tenant", "trigger", "live", "archived_at")
    list_filter = ("trigger", "tenant")
    search_fields = ("name", "key")
    readonly_fields = ("live", "created_at", "updated_at")
    inlines = [FlowVersionInline]


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    """Versions are immutable: the admin only shows them."""

    list_display = ("flow", "number", "published_at", "published_by", "checksum")
    readonly_fields = (
        "flow",
        "number",
        "document",
        "checksum",
        "published_at",
        "published_by",
        "note",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BusinessPeriod)
class BusinessPeriodAdmin(admin.ModelAdmin):
    list_display = ("tenant", "weekday", "start", "end")
    list_filter = ("tenant", "weekday")


@admin.register(FlowRun)
class FlowRunAdmin(admin.ModelAdmin):
    list_display = ("id", "flow", "version", "conversation", "status", "card", "updated_at")
    list_filter = ("status",)
    readonly_fields = ("state", "context")
