from django.urls import path

from . import views

app_name = "livelihood"
urlpatterns = [
    path("<int:pk>/", views.respond, name="respond"),
    path("<int:pk>/thanks/", views.thanks, name="thanks"),
]
