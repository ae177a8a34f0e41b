from django.urls import path

from . import views

app_name = "wishes"
urlpatterns = [
    path("", views.wall, name="wall"),
    path("thanks/", views.thanks, name="thanks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:claim_pk>/<slug:step>/", views.claim_act, name="claim_act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
