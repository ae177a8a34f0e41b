from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "jusha.projects"
    verbose_name = _("Service projects")

    def ready(self):
        from . import kinds  # noqa: F401  (registers the notification kinds projects send)
