from django import template

from jusha.notifications import kinds, selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_count(context) -> int:
    """The logged-in person's unread messages, counted once per request (tab bar, bell, 我的)."""
    request = context.get("request")
    if request is None:
        return 0
    if not hasattr(request, "_jusha_unread"):
        request._jusha_unread = selectors.unread_count(getattr(request, "user", None))
    return request._jusha_unread


@register.filter
def kind_label(code: str) -> str:
    return kinds.label(code)
