from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "jusha.attendance"
    verbose_name = _("Attendance and service hours")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds attendance sends)
