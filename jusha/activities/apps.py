from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "jusha.activities"
    verbose_name = _("Activities")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds activities send)
