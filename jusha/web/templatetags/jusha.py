from django import template

from jusha.accounts.models import mask_mobile
from jusha.audit.actions import action_label

register = template.Library()


@register.filter
def masked(mobile):
    return mask_mobile(mobile)


@register.filter
def audit_action(code):
    return action_label(code)
