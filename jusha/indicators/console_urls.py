from django.urls import path

from . import console

app_name = "indicators_console"

urlpatterns = [
    path("", console.page, name="page"),
    path("export.xlsx", console.export, name="export"),
]
