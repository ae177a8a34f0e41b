from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WishesConfig(AppConfig):
    name = "jusha.wishes"
    verbose_name = _("Micro-wishes")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds micro-wishes send)
