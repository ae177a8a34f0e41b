"""Reading untrusted request values the same way on every page: numbers and where to go next."""

from django.utils.http import url_has_allowed_host_and_scheme


def int_param(raw) -> int | None:
    """A positive id from a query or form value, or None for anything else (never an exception)."""
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 12 else None


def safe_next_url(request, default=None):
    """The `next` value of the request when it points back into this site, else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return default
