from django.urls import path

from . import console

app_name = "calendars_console"
urlpatterns = [
    path("", console.page, name="page"),
    path("days/", console.day_save, name="day_save"),
    path("days/remove/", console.day_remove, name="day_remove"),
    path("seed/", console.seed, name="seed"),
    path("hours/", console.hours_save, name="hours_save"),
]
