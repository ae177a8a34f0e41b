from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "jusha.onboarding"
    verbose_name = _("Onboarding imports")
