"""Micro-wishes are read in the admin; they change only through the services, which audit each step."""

from django.contrib import admin

from .models import MicroWish, WishClaim


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MicroWish)
class MicroWishAdmin(_ReadOnly):
    list_display = ["id", "community", "public_name", "category", "status", "target_date"]
    list_filter = ["status", "category", "community"]


@admin.register(WishClaim)
class WishClaimAdmin(_ReadOnly):
    list_display = ["id", "wish", "member_unit", "claimant", "status", "contact_due_at"]
    list_filter = ["status"]
