from django.urls import path

from . import console

app_name = "needs_console"
urlpatterns = [
    path("", console.queue, name="queue"),
    path("escalated/", console.escalated, name="escalated"),
    path("export.xlsx", console.export, name="export"),
    path("unit/", console.unit, name="unit"),
    path("new/", console.new_on_behalf, name="new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
