from django.contrib import admin

from formaliza.contacts.models import Contact, ContactEmail, ContactPhone


class PhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 0


class EmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "document", "tenant", "kind")
    list_filter = ("tenant", "kind")
    search_fields = ("name", "document")
    inlines = [PhoneInline, EmailInline]
