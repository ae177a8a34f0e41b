from django.urls import path

from . import console

app_name = "volunteers_console"
urlpatterns = [
    path("", console.volunteer_list, name="list"),
    path("team/", console.team, name="team"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/reveal/", console.reveal, name="reveal"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
