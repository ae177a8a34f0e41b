from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NeedsConfig(AppConfig):
    name = "jusha.needs"
    verbose_name = _("Needs")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds needs send)
