from django.contrib import admin

from formaliza.evidence.models import SealAttempt, SealedDocument, SealedDocumentDownload


class SealAttemptInline(admin.TabularInline):
    model = SealAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "started_at", "finished_at", "error", "will_retry", "duration_ms")


@admin.register(SealedDocument)
class SealedDocumentAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "tenant", "status", "attempts", "created_at", "sealed_at")
    list_filter = ("status", "tenant")
    search_fields = ("code", "reference", "subject_id", "sha256")
    exclude = ("manifest",)  # personal data: read it through the sealed PDF
    readonly_fields = [f.name for f in SealedDocument._meta.fields if f.name != "manifest"]
    inlines = [SealAttemptInline]


@admin.register(SealedDocumentDownload)
class SealedDocumentDownloadAdmin(admin.ModelAdmin):
    list_display = ("document", "at", "via", "actor_label", "ip")
    list_filter = ("via",)
    readonly_fields = ("document", "at", "via", "user", "actor_label", "ip", "user_agent")
