from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "jusha.notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the kinds this release sends)
