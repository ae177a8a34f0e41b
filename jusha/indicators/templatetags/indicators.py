from urllib.parse import urlencode

from django import template
from django.utils.translation import gettext as _

register = template.Library()

NOTHING = "—"  # shown where a rate or mean has nothing to divide by


@register.filter
def get(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def percent(value) -> str:
    return NOTHING if value is None else f"{value:.2f}%"


@register.filter
def dash(value) -> str:
    return NOTHING if value is None else f"{value:.2f}"


@register.filter
def urlencode_dict(query: dict) -> str:
    return urlencode(query)


@register.simple_tag
def period_kind_label(kind: str) -> str:
    return {"day": _("day"), "week": _("week"), "month": _("month"), "quarter": _("quarter"), "year": _("year"),
            "custom": _("custom range")}[kind]
