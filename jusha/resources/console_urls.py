from django.urls import path

from . import console

app_name = "resources_console"
urlpatterns = [
    path("", console.resource_list, name="list"),
    path("mine/", console.mine, name="mine"),
    path("export.xlsx", console.export_xlsx, name="export"),
    path("new/", console.create, name="new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/edit/", console.edit, name="edit"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
