from django.urls import path

from . import views

app_name = "points"
urlpatterns = [
    path("", views.my_points, name="mine"),
    path("visibility/", views.visibility, name="visibility"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/<int:pk>/", views.reward, name="reward"),
    path("rewards/<int:pk>/redeem/", views.redeem, name="redeem"),
    path("rewards/<int:pk>/photo/", views.photo, name="photo"),
    path("redemptions/", views.redemptions, name="redemptions"),
    path("redemptions/<int:pk>/cancel/", views.cancel, name="cancel"),
]
