from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "jusha.volunteers"
    verbose_name = _("Volunteers")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds volunteers' records send)
