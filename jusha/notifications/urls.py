from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("me/messages/", views.inbox, name="messages"),
    path("me/messages/read-all/", views.mark_all_read, name="read_all"),
    path("me/messages/<int:pk>/", views.message, name="message"),
    path("me/notifications/", views.preferences, name="preferences"),
]
