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
    path("console/cases/", include("jusha.cases.console_urls")),
    path("console/", include("jusha.web.console_urls")),
    path("", include("jusha.notifications.urls")),
    path("needs/", include("jusha.needs.urls")),
    path("cases/", include("jusha.cases.urls")),
    path("", include("jusha.web.urls")),
]
