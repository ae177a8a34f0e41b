"""Administrators see cases read-only (they change only through the workflow); the category tree is
edited in the console (/console/cases/categories/), and here too, audited."""

from django.contrib import admin

from jusha.audit.admin_mixins import AuditedAdminMixin

from .models import Case, CaseCategory, CaseEvent


@admin.register(CaseCategory)
class CaseCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "kind", "parent", "handler", "team_kind", "urgency", "is_active"]
    list_filter = ["kind", "handler", "is_active"]
    search_fields = ["code", "name", "name_en"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["at", "step", "from_status", "to_status", "team", "assignee", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["number", "category", "community", "grid", "source", "status", "reported_at"]
    list_filter = ["status", "source", "category"]
    search_fields = ["number", "description"]
    list_select_related = ["category", "community", "grid"]
    # No Report inline: an anonymous reporter stays anonymous even here.
    inlines = [CaseEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
