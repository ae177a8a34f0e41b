from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "jusha.devices"
    verbose_name = _("Devices")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kind devices send)
