"""Identity numbers of volunteers: checked, then kept encrypted (or not at all), never in the clear.

The resident identity card number is checked per GB 11643 (17 digits, a real birth date, the ISO 7064
MOD 11-2 check character); the other documents get format checks of their own. The number is stored
as a Fernet token under JUSHA_VOLUNTEER_ID_KEY, or under a key derived from SECRET_KEY with HKDF
when that setting is empty, so a database dump alone reveals nothing. With
JUSHA_VOLUNTEER_ID_STORAGE = "none" nothing but the last four characters is kept.
"""

import base64
import hashlib
import hmac
import re
from datetime import date

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

from jusha.core.errors import DomainError
from jusha.onboarding.sheets import valid_id_number

# Format checks for the other documents (their check digits are not public standards).
_FORMATS = {
    # 港澳居民来往内地通行证 (回乡证): H or M and 8 or 10 digits; 港澳台居民居住证 numbers are 18 digits
    # starting 810000 / 820000 and follow GB 11643, checked below.
    "hk_macao": re.compile(r"[HM]\d{8}(\d{2})?"),
    # 台湾居民来往大陆通行证: 8 digits (older: 10 characters with a letter).
    "taiwan": re.compile(r"\d{8}|\d{10}|[A-Z]\d{9}"),
    "passport": re.compile(r"[A-Z0-9]{5,17}"),
    # 外国人永久居留身份证: the 2017 card has 15 characters (3 letters, 12 digits); the 2023 card 18 digits
    # starting with 9, which follows GB 11643.
    "foreign_pr": re.compile(r"[A-Z]{3}\d{12}"),
}
_RESIDENCE_PERMIT = {"hk_macao": ("810000", "820000"), "taiwan": ("830000",), "foreign_pr": ("9",)}


def normalise(id_type: str, raw) -> str:
    """The number in its canonical form (upper case, no spaces), or a DomainError saying what is wrong."""
    number = re.sub(r"\s", "", raw if isinstance(raw, str) else "").upper()
    if not number:
        raise DomainError(_("Enter the number of your identity document."), code="required", field="id_number")
    if id_type == "resident_id" or (len(number) == 18 and number.startswith(_RESIDENCE_PERMIT.get(id_type, ()))):
        if not valid_id_number(number):
            raise DomainError(_("This identity card number is not valid: check every digit and the last "
                                "character."), code="invalid_id_number", field="id_number")
        return number
    pattern = _FORMATS.get(id_type)
    if pattern is None:
        raise DomainError(_("Choose the kind of identity document."), code="invalid_choice", field="id_type")
    if not pattern.fullmatch(number):
        raise DomainError(_("This number does not look like one of that document."), code="invalid_id_number",
                          field="id_number")
    return number


def birth_date_of(number: str) -> date | None:
    """The birth date an 18-digit GB 11643 number carries, else None."""
    if len(number) == 18 and number[:17].isdigit():
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return None


def gender_of(number: str) -> str | None:
    """"male" or "female" from the 17th digit of an 18-digit GB 11643 number (odd: male), else None."""
    if len(number) == 18 and number[:17].isdigit():
        return "male" if int(number[16]) % 2 else "female"
    return None


def _fernet() -> Fernet:
    key = settings.JUSHA_VOLUNTEER_ID_KEY
    if key:
        return Fernet(key)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"jusha volunteer identity numbers").derive(settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def stores_numbers() -> bool:
    return settings.JUSHA_VOLUNTEER_ID_STORAGE != "none"


def seal(number: str) -> str:
    """What the database keeps of the number: a Fernet token, or nothing in "none" mode."""
    return _fernet().encrypt(number.encode()).decode() if stores_numbers() else ""


def digest(id_type: str, number: str) -> str:
    """A keyed digest of the document, to find a second record of it; empty in "none" mode."""
    if not stores_numbers():
        return ""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"jusha volunteer identity digests").derive(settings.SECRET_KEY.encode())
    return hmac.new(key, f"{id_type}:{number}".encode(), hashlib.sha256).hexdigest()


def unseal(token: str) -> str:
    """The number back from its token; empty when nothing was kept or the key no longer fits."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def masked(last4: str) -> str:
    return "*" * 14 + last4 if last4 else ""
