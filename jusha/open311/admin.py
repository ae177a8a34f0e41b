"""Administrators keep the services' attributes (GeoReport service definitions) here, audited; keys are
managed in the console (/console/open311/), requests only read."""

from django.contrib import admin

from jusha.audit.admin_mixins import AuditedAdminMixin

from .models import ApiClient, ServiceAttribute, ServiceRequest


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["category", "order", "code", "datatype", "variable", "required", "description"]
    list_filter = ["datatype", "required"]
    search_fields = ["code", "description", "category__code"]
    list_select_related = ["category"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "category":
            from jusha.cases.models import CaseCategory

            kwargs["queryset"] = CaseCategory.objects.filter(parent__isnull=False).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Keys change only in the console (audited); requests only through the API and the console."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiClient)
class ApiClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "client", "category", "report", "address_string"]
    list_filter = ["client", "category"]
    list_select_related = ["client", "category", "report"]
