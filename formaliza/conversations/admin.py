from django.contrib import admin

from formaliza.conversations.models import Channel, Conversation, Message, Template


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "kind", "provider", "is_active")
    list_filter = ("kind", "provider", "tenant")
    exclude = ("access_token", "app_secret", "verify_token")


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "category", "status", "channel")
    list_filter = ("status", "category")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("protocol", "tenant", "channel", "status", "opened_at")
    list_filter = ("status", "tenant")
    raw_id_fields = ("handle", "contact")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("public_id", "tenant", "direction", "kind", "status", "created_at")
    list_filter = ("direction", "status", "kind")
    raw_id_fields = ("conversation", "handle", "contact", "reply_to")
