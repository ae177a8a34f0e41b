from django.urls import path

from . import console

app_name = "notifications_console"
urlpatterns = [
    path("", console.inbox, name="inbox"),
    path("read-all/", console.mark_all_read, name="read_all"),
    path("<int:pk>/", console.message, name="message"),
    path("announcements/", console.announcements, name="announcements"),
    path("announcements/new/", console.announcement_new, name="announcement_new"),
    path("announcements/<int:pk>/", console.announcement, name="announcement"),
    path("deliveries/", console.deliveries, name="deliveries"),
    path("deliveries/<int:pk>/resend/", console.delivery_resend, name="delivery_resend"),
]
