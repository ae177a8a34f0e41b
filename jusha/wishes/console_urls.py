from django.urls import path

from . import console

app_name = "wishes_console"
urlpatterns = [
    path("", console.wish_list, name="list"),
    path("new/", console.new, name="new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
