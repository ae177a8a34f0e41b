"""Points are read in the admin; they change only through the services (the ledger is append-only,
balances are sums, and every step is audited)."""

from django.contrib import admin

from .models import PointsAccount, PointsEntry, PointsRule, PointsTransaction, Redemption, Reward


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PointsAccount)
class PointsAccountAdmin(_ReadOnly):
    list_display = ["id", "kind", "person", "balance", "hide_from_leaderboards"]
    list_filter = ["kind"]


class EntryInline(admin.TabularInline):
    model = PointsEntry
    fields = ["account", "amount", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsTransaction)
class PointsTransactionAdmin(_ReadOnly):
    list_display = ["id", "kind", "person", "amount", "trigger", "reason", "created_at"]
    list_filter = ["kind", "trigger"]
    inlines = [EntryInline]


@admin.register(PointsRule)
class PointsRuleAdmin(_ReadOnly):
    list_display = ["id", "subdistrict", "trigger", "name", "points", "is_active"]


@admin.register(Reward)
class RewardAdmin(_ReadOnly):
    list_display = ["id", "name", "subdistrict", "member_unit", "community", "cost", "stock", "is_active"]


@admin.register(Redemption)
class RedemptionAdmin(_ReadOnly):
    list_display = ["id", "reward", "person", "cost", "status", "created_at"]
    list_filter = ["status"]
    exclude = ["code"]
