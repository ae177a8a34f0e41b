"""Where the current request came from, for audit entries written deep inside services.

Services take an explicit actor; the network origin is ambient, so the middleware puts it in a
context variable rather than threading `request` through every service call.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


_origin: ContextVar[Origin] = ContextVar("jusha_origin", default=Origin())  # noqa: B039 (frozen dataclass)


def current_origin() -> Origin:
    return _origin.get()


def set_origin(origin: Origin):
    return _origin.set(origin)


def reset_origin(token) -> None:
    _origin.reset(token)


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is trivially forged, and rate limits key on this value.
    # A deployment behind a proxy sets the proxy to overwrite REMOTE_ADDR (granian --respect-proxy-headers).
    return request.META.get("REMOTE_ADDR") or None
