"""The signed, short-lived token in a check-in or check-out QR code.

The organiser's console shows a QR code whose URL carries `sign(session, purpose)`; the token is
signed with the project's secret key and a salt of its own (so no other signed value of Jusha can
pass for it) and carries the time it was made, so a photo of the code forwarded to someone at home
stops working after JUSHA_CHECKIN_TOKEN_SECONDS. A token names one session and one purpose
("in" or "out"); each mismatch is its own clear refusal.
"""

from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext as _

from jusha.core.errors import DomainError

SALT = "jusha.attendance.checkin"
MAX_TOKEN_LENGTH = 300


class Purpose(StrEnum):
    IN = "in"
    OUT = "out"


def sign(session_id: int, purpose: Purpose) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"s": session_id, "p": str(purpose)})


def read(token, *, session_id: int, purpose: Purpose) -> None:
    """Accept a token for this session and purpose, or raise the DomainError that says what is wrong."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise DomainError(_("This check-in code is not valid. Please scan the code the organiser shows."),
                          code="token_invalid", field="token")
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.JUSHA_CHECKIN_TOKEN_SECONDS)
    except signing.SignatureExpired:
        raise DomainError(_("This code has expired. Please scan the code on the organiser's screen again."),
                          code="token_expired", field="token") from None
    except (signing.BadSignature, ValueError, UnicodeDecodeError):
        raise DomainError(_("This check-in code is not valid. Please scan the code the organiser shows."),
                          code="token_invalid", field="token") from None
    if not isinstance(payload, dict) or payload.get("s") != session_id:
        raise DomainError(_("This code belongs to another session."), code="token_wrong_session", field="token")
    if payload.get("p") != str(purpose):
        message = (_("This is the check-out code; please scan the check-in code.") if purpose is Purpose.IN
                   else _("This is the check-in code; please scan the check-out code."))
        raise DomainError(message, code="token_wrong_purpose", field="token")
