from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "jusha.resources"
    verbose_name = _("Resources")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds resources send)
