from django.urls import path

from . import console

app_name = "activities_console"
urlpatterns = [
    path("", console.activity_list, name="list"),
    path("review/", console.review_queue, name="review"),
    path("new/", console.new, name="new"),
    path("<int:pk>/", console.detail, name="detail"),
    path("<int:pk>/edit/", console.edit, name="edit"),
    path("<int:pk>/sessions/", console.add_sessions, name="add_sessions"),
    path("<int:pk>/sessions/<int:session_pk>/cancel/", console.cancel_session, name="cancel_session"),
    path("<int:pk>/<slug:step>/", console.act, name="act"),
]
