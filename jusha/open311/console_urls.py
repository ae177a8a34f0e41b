from django.urls import path

from . import console

app_name = "open311_console"
urlpatterns = [
    path("", console.index, name="index"),
    path("keys/", console.client_create, name="create"),
    path("keys/<int:pk>/revoke/", console.client_revoke, name="revoke"),
    path("requests/<int:pk>/place/", console.place, name="place"),
]
