"""Administrators look resources up here; they change only through the services, which audit each step."""

from django.contrib import admin

from .models import Resource


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title", "member_unit", "kind", "status", "capacity", "capacity_period", "reviewed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "member_unit__name"]
    list_select_related = ["member_unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
