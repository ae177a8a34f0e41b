from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from jusha.api import api

admin.site.site_header = _("Jusha administration")
admin.site.site_title = _("Jusha")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("jusha.accounts.urls")),
    path("console/messages/", include("jusha.notifications.console_urls")),
    path("console/needs/", include("jusha.needs.console_urls")),
    path("console/resources/", include("jusha.resources.console_urls")),
    path("console/wishes/", include("jusha.wishes.console_urls")),
    path("console/points/", include("jusha.points.console_urls")),
    path("console/projects/", include("jusha.projects.console_urls")),
    path("console/calendar/", include("jusha.calendars.console_urls")),
    path("console/onboarding/", include("jusha.onboarding.urls")),
    path("console/cases/", include("jusha.cases.console_urls")),
    path("console/devices/", include("jusha.devices.console_urls")),
    path("console/volunteers/", include("jusha.volunteers.console_urls")),
    path("console/open311/", include("jusha.open311.console_urls")),
    path("console/indicators/", include("jusha.indicators.console_urls")),
    path("console/activities/", include("jusha.activities.console_urls")),
    path("console/attendance/", include("jusha.attendance.console_urls")),
    path("console/livelihood/", include("jusha.livelihood.console_urls")),
    path("console/command/", include("jusha.command.console_urls")),
    path("console/", include("jusha.web.console_urls")),
    path("", include("jusha.notifications.urls")),
    path("needs/", include("jusha.needs.urls")),
    path("wishes/", include("jusha.wishes.urls")),
    path("points/", include("jusha.points.urls")),
    path("projects/", include("jusha.projects.urls")),
    path("cases/", include("jusha.cases.urls")),
    path("volunteers/", include("jusha.volunteers.urls")),
    path("open311/v2/", include("jusha.open311.urls")),
    path("activities/", include("jusha.activities.urls")),
    path("attendance/", include("jusha.attendance.urls")),
    path("surveys/", include("jusha.livelihood.urls")),
    path("", include("jusha.web.urls")),
]
