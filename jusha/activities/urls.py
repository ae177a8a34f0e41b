from django.urls import path

from . import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("sessions/<int:session_pk>/sign-up/", views.sign_up, name="sign_up"),
    path("sign-ups/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.mine, name="mine"),
    path("mine/feed/", views.feed, name="feed"),
    path("feeds/community/<slug:code>.ics", views.community_feed, name="community_feed"),
    path("feeds/<str:token>.ics", views.person_feed, name="person_feed"),
]
