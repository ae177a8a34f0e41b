from django.contrib import admin

from jusha.audit.admin_mixins import AuditedAdminMixin

from .models import Alliance, GridWorker, MemberUnit, SubAlliance, Team


@admin.register(Alliance)
class AllianceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "subdistrict"]


@admin.register(SubAlliance)
class SubAllianceAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "community", "alliance"]
    list_select_related = ["community", "alliance"]


@admin.register(MemberUnit)
class MemberUnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "category", "sub_alliance", "contact_name", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "contact_name"]
    filter_horizontal = ["service_area"]
    list_select_related = ["sub_alliance"]


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "subdistrict"]
    list_filter = ["kind"]


@admin.register(GridWorker)
class GridWorkerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "on_duty"]
    filter_horizontal = ["grids"]
    raw_id_fields = ["user"]
