from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("sessions/<int:pk>/check-<slug:purpose>/", views.scan, name="scan"),
    path("hours/", views.hours, name="hours"),
    path("hours/<int:pk>/correction/", views.request_correction, name="request_correction"),
    path("certificates/", views.issue_certificate, name="issue_certificate"),
    path("certificates/<str:number>.pdf", views.certificate, name="certificate"),
]
