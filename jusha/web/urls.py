from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.services_tab, name="services"),
    path("me/", views.me, name="me"),
    path("me/community/", views.join_community, name="join_community"),
    path("elderly-mode/", views.elderly_mode, name="elderly_mode"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
]
