from django import template

from jusha.needs.workflow import STEP_LABELS, Step

register = template.Library()


@register.filter
def step_label(code: str) -> str:
    try:
        return str(STEP_LABELS[Step(code)])
    except ValueError:
        return code


@register.filter
def stars(n) -> str:
    n = int(n or 0)
    return "★" * n + "☆" * (5 - n)
