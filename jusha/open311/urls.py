from django.urls import path, re_path

from . import views

app_name = "open311"
FMT = r"\.(?P<fmt>[^./]*)"
urlpatterns = [
    path("", views.not_found, name="root"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.service_list, name="services"),
    re_path(rf"^services/(?P<code>[^/]+?){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/(?P<service_request_id>[^/]+?){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[^/]+?){FMT}$", views.token, name="token"),
    path("media/<str:service_request_id>", views.media, name="media"),
    re_path(r"^(?P<path>.+)$", views.not_found),
]
