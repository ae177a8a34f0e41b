"""Administrators keep the services' attributes (GeoReport service definitions) here, audited; keys are
managed in the console (/console/open311/), requests only read."""

from django.contrib import admin

from jusha.audit.admin_mixins import AuditedAdminMixin

from .models import ServiceAttribute


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
