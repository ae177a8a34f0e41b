from django.urls import path

from . import console

app_name = "projects_console"
urlpatterns = [
    path("", console.project_list, name="list"),
    path("export.xlsx", console.export, name="export"),
    path("items/", console.items, name="items"),
    path("new/", console.new, name="new"),
    path("photos/<int:pk>/", console.photo, name="photo"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/edit/", console.edit, name="edit"),
    path("<int:pk>/progress/", console.record_progress, name="progress"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
