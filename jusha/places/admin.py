from django.contrib import admin

from .models import Community, District, Grid, Subdistrict


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "district"]
    search_fields = ["code", "name"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "subdistrict"]
    list_filter = ["kind", "subdistrict"]
    search_fields = ["code", "name"]


@admin.register(Grid)
class GridAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "community"]
    list_filter = ["community"]
    search_fields = ["code", "name"]
    list_select_related = ["community"]
