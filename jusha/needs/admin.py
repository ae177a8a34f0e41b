"""Administrators configure the category tree here; needs are changed only through the workflow."""

from django.contrib import admin

from jusha.audit.admin_mixins import AuditedAdminMixin

from .models import Claim, Need, NeedCategory, NeedEvent


@admin.register(NeedCategory)
class NeedCategoryAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "parent", "sort_order", "is_active", "first_response_minutes",
                    "completion_hours"]
    list_filter = ["is_active", "parent"]
    search_fields = ["name", "name_en", "code"]


class _ReadOnly(admin.ModelAdmin):
    """A need's status, claims and timeline change only through the services, which audit each step."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class NeedEventInline(admin.TabularInline):
    model = NeedEvent
    extra = 0
    fields = ["at", "step", "from_status", "to_status", "actor", "member_unit", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Need)
class NeedAdmin(_ReadOnly):
    list_display = ["id", "text", "community", "category", "urgency", "status", "level", "submitted_at"]
    list_filter = ["status", "level", "urgency", "category"]
    search_fields = ["text"]
    list_select_related = ["community", "category"]
    inlines = [NeedEventInline]


@admin.register(Claim)
class ClaimAdmin(_ReadOnly):
    list_display = ["id", "need", "member_unit", "claimant", "via", "status", "created_at"]
    list_filter = ["status", "via"]
    list_select_related = ["need", "member_unit", "claimant"]
