"""The one domain error that every service raises when it refuses something.

Views and the API turn it into a clear, translated message and a 4xx answer; nothing is changed
when it is raised, because services raise it before (or inside the transaction of) any write.
"""


class DomainError(Exception):
    """A refused action. `message` is already translated (lazy) and safe to show the user."""

    status = 400

    def __init__(self, message, *, code: str = "invalid", field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.field = field


class NotAllowed(DomainError):
    """The actor may not do this, or may not see the object (the two look the same to the caller)."""

    status = 404

    def __init__(self, message=None, *, code: str = "not_found"):
        from django.utils.translation import gettext_lazy as _

        super().__init__(message or _("Not found."), code=code)


class RateLimited(DomainError):
    status = 429

    def __init__(self, message, *, retry_after: int = 60):
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after
