"""Log-in backends. Staff passwords are checked with a lock-out; residents log in by code."""

from django.contrib.auth.backends import ModelBackend

from jusha.core.request_context import client_ip

from . import services


class StaffPasswordBackend(ModelBackend):
    """Django's password check with a lock-out after repeated failures (the admin's log-in too)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        key = f"user:{username}"
        if services.login_locked(key):
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.staff_password_failed(username=username, ip=client_ip(request) if request else None)
        else:
            services.login_failures_clear(key=key)
        return user


class MobileCodeBackend(ModelBackend):
    """Lets `login()` attach a person verified by `services.code_login`; never checks a password."""

    def authenticate(self, request, **kwargs):
        return None
