from django import template

from jusha.cases.workflow import STEP_LABELS, Step

register = template.Library()


@register.filter
def case_step_label(code: str) -> str:
    try:
        return str(STEP_LABELS[Step(code)])
    except ValueError:
        return code
