from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.me, name="me"),
    path("apply/", views.apply, name="apply"),
    path("edit/", views.edit, name="edit"),
    path("withdraw/", views.withdraw, name="withdraw"),
]
