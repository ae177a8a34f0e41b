from django.urls import path

from . import console

app_name = "points_console"
urlpatterns = [
    path("", console.rules, name="rules"),
    path("award/", console.award, name="award"),
    path("people/<int:pk>/", console.person, name="person"),
    path("rewards/", console.reward_list, name="rewards"),
    path("rewards/new/", console.reward_new, name="reward_new"),
    path("rewards/<int:pk>/", console.reward_edit, name="reward"),
    path("redemptions/", console.redemption_list, name="redemptions"),
    path("redemptions/<int:pk>/cancel/", console.redemption_cancel, name="cancel"),
    path("pickup/", console.pickup, name="pickup"),
    path("leaderboards/", console.leaderboards, name="leaderboards"),
]
