from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jusha.cases"
    verbose_name = _("Cases")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds cases send)
