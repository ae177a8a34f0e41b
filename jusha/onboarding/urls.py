from django.urls import path

from . import console

app_name = "onboarding"
urlpatterns = [
    path("", console.index, name="index"),
    path("subdistricts/", console.create_subdistrict, name="create_subdistrict"),
    path("upload/", console.upload, name="upload"),
    path("templates/<slug:kind>.xlsx", console.template, name="template"),
    path("export/<int:subdistrict_id>/<slug:kind>.xlsx", console.export, name="export"),
    path("<int:pk>/", console.job, name="job"),
    path("<int:pk>/progress/", console.progress, name="progress"),
    path("<int:pk>/check/", console.check, name="check"),
    path("<int:pk>/confirm/", console.confirm, name="confirm"),
    path("<int:pk>/errors/", console.error_report, name="errors"),
    path("<int:pk>/preview/<slug:layer>.geojson", console.preview, name="preview"),
]
