from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from formaliza.accounts.models import ApiKey, Branch, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_active")


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tenant")
    list_filter = ("tenant",)


@admin.register(User)
class FormalizaUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Formaliza", {"fields": ("tenant", "branch", "role", "cpf")}),
    )
    list_display = ("username", "email", "tenant", "role", "is_active")
    list_filter = ("tenant", "role", "is_active")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "tenant", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash")
