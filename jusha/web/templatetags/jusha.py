from django import template

from jusha.accounts.models import mask_mobile

register = template.Library()


@register.filter
def masked(mobile):
    return mask_mobile(mobile)
