from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "jusha.points"
    verbose_name = _("Points")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds points send)
