from django.urls import path

from . import console

app_name = "devices_console"
urlpatterns = [
    path("", console.device_list, name="devices"),
    path("<int:pk>/", console.device_detail, name="device"),
    path("<int:pk>/rotate/", console.device_rotate, name="rotate"),
    path("<int:pk>/active/", console.device_active, name="active"),
    path("detections/", console.review, name="review"),
    path("detections/<int:pk>/", console.detection_detail, name="detection"),
    path("detections/<int:pk>/evidence/", console.evidence, name="evidence"),
    path("detections/<int:pk>/<slug:decision>/", console.detection_decide, name="decide"),
    path("rules/", console.rules, name="rules"),
    path("rules/<int:pk>/", console.rules, name="rule"),
]
