from django.urls import path

from . import console

app_name = "command_console"

urlpatterns = [
    path("", console.screen, name="screen"),
    path("data.json", console.data, name="data"),
]
