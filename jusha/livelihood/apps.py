from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "jusha.livelihood"
    verbose_name = _("Livelihood survey")
