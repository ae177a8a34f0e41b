"""Every write about Open311: client keys (created, revoked) and the requests apps post.

A posted request is checked completely before anything is written (a refusal is a `DomainError`: 400,
403 for the key, 404 for an unknown service); then, in one transaction, it is stored and, when it has a
point, handed to cases (`cases.services.open311_report`: routing by place, and a nearby open case of the
same category takes it in as a duplicate). An address-only request waits for the command center to
place it (`request_place`).
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.cases import services as cases
from jusha.cases.models import ADDRESS_MAX_LENGTH as CASE_ADDRESS_MAX_LENGTH
from jusha.cases.models import TEXT_MAX_LENGTH as CASE_TEXT_MAX_LENGTH
from jusha.cases.models import CaseCategory
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.permissions import Action

from .models import (
    ADDRESS_MAX_LENGTH,
    ATTRIBUTE_VALUE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SHORT_MAX_LENGTH,
    URL_MAX_LENGTH,
    ApiClient,
    ServiceAttribute,
    ServiceRequest,
)

KEY_PREFIX = "o311_"
A = ServiceAttribute.Datatype


class KeyRefused(DomainError):
    """No api_key, an unknown one or a revoked one: GeoReport's 403."""

    status = 403

    def __init__(self, message):
        super().__init__(message, code="invalid_api_key", field="api_key")


class UnknownService(DomainError):
    """The service_code names no active service: GeoReport's 404."""

    status = 404

    def __init__(self):
        super().__init__(_("service_code was not found."), code="unknown_service_code", field="service_code")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# --- client keys ----------------------------------------------------------------------------------

def client_create(*, actor, name: str) -> tuple[ApiClient, str]:
    """A new client app and its key, returned once (only its hash is kept). `actor` None: the command line."""
    if actor is not None and not permissions.can(actor, Action.OPEN311_KEY_MANAGE):
        raise NotAllowed()
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name:
        raise DomainError(_("Name the app this key is for."), code="required", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": NAME_MAX_LENGTH, "count": len(name)}, code="too_long", field="name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(name=name, prefix=key[:12], key_hash=hash_key(key), created_by=actor,
                                          created_at=clock.now())
        audit_record(actor=actor, action="open311.key_create", target=client,
                     after={"name": name, "prefix": client.prefix})
    return client, key


def client_revoke(*, actor, client: ApiClient | int) -> ApiClient:
    """The app's key stops working at once (a leaked key, an app retired). Revoking is final."""
    pk = client.pk if isinstance(client, ApiClient) else client
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
        if locked is None or not permissions.can(actor, Action.OPEN311_KEY_MANAGE, locked):
            raise NotAllowed()
        if locked.revoked_at is None:
            locked.revoked_at, locked.revoked_by = clock.now(), actor
            locked.save(update_fields=["revoked_at", "revoked_by"])
            audit_record(actor=actor, action="open311.key_revoke", target=locked,
                         before={"revoked": False}, after={"revoked": True})
    return locked


def authenticate(api_key) -> ApiClient:
    """The client app whose key this is, if it is not revoked; else the 403 of the spec."""
    if not isinstance(api_key, str) or not api_key.strip():
        raise KeyRefused(_("api_key is missing."))
    client = ApiClient.objects.filter(key_hash=hash_key(api_key.strip())).first()
    if client is None or client.revoked_at is not None:
        raise KeyRefused(_("Invalid api_key received -- can't proceed with create_request."))
    return client


# --- checking a posted request ---------------------------------------------------------------------

def service(code) -> CaseCategory:
    """The active leaf category whose code this is (a GeoReport service), else a 404."""
    category = (CaseCategory.objects.filter(code=code, is_active=True, parent__isnull=False)
                .select_related("parent").first() if isinstance(code, str) and code else None)
    if category is None:
        raise UnknownService()
    return category


def _bad(message, field: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, field=field)


def _limited(value, field: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise _bad(_("%(field)s may be at most %(limit)s characters.") % {"field": field, "limit": limit}, field,
                   "too_long")
    return value


def _coordinate(value, field: str, bound: float) -> float | None:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or not -bound <= number <= bound:
        raise _bad(_("%(field)s must be a number of degrees (WGS-84).") % {"field": field}, field)
    return number


def parse_instant(value: str) -> datetime | None:
    """A W3C date-time (with its offset; without one, the server's time zone), or a date (its start), or None.
    Years far from now are refused too: a 90-day window around them would leave the calendar."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        return None
    if moment is None or not 1900 <= moment.year <= 9000:
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def check_attributes(category: CaseCategory, given: dict[str, list[str]]) -> dict:
    """The answers to the service's questions, checked against its definition: {code: value or [values]}."""
    definition = {a.code: a for a in category.open311_attributes.all()}
    unknown = sorted(set(given) - set(definition))
    if unknown:
        raise _bad(_("attribute[%(code)s] is not part of this service's definition.") % {"code": unknown[0]},
                   "attribute", "unknown_attribute")
    answers: dict = {}
    for attribute in sorted(definition.values(), key=lambda a: a.order):
        if not attribute.variable:
            continue
        values = [v.strip() for v in given.get(attribute.code, []) if isinstance(v, str) and v.strip()]
        field = f"attribute[{attribute.code}]"
        if not values:
            if attribute.required:
                raise _bad(_("%(field)s is required.") % {"field": field}, field, "required")
            continue
        if any(len(v) > ATTRIBUTE_VALUE_MAX_LENGTH for v in values):
            raise _bad(_("%(field)s is too long.") % {"field": field}, field, "too_long")
        if attribute.datatype != A.MULTIVALUELIST and len(values) > 1:
            raise _bad(_("%(field)s takes one value.") % {"field": field}, field)
        answers[attribute.code] = _attribute_value(attribute, values, field)
    return answers


def _attribute_value(attribute: ServiceAttribute, values: list[str], field: str):
    value = values[0]
    if attribute.datatype == A.NUMBER:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise _bad(_("%(field)s must be a number.") % {"field": field}, field)
        return value
    if attribute.datatype == A.DATETIME:
        if parse_instant(value) is None:
            raise _bad(_("%(field)s must be an ISO 8601 date and time.") % {"field": field}, field)
        return value
    if attribute.datatype == A.STRING and ("\n" in value or "\r" in value):
        raise _bad(_("%(field)s must be one line.") % {"field": field}, field)
    if attribute.datatype in (A.SINGLEVALUELIST, A.MULTIVALUELIST):
        wrong = [v for v in values if v not in attribute.keys]
        if wrong:
            raise _bad(_("%(value)s is not one of the values of %(field)s.") % {"value": wrong[0], "field": field},
                       field)
        return values if attribute.datatype == A.MULTIVALUELIST else value
    return value


@dataclass
class Submitted:
    request: ServiceRequest
    attached: bool  # joined an open case nearby (a duplicate)


def request_submit(*, client: ApiClient, service_code, lat=None, long=None, address_string="", address_id="",
                   attributes: dict[str, list[str]] | None = None, email="", device_id="", account_id="",
                   first_name="", last_name="", phone="", description="", media_url="", media=None) -> Submitted:
    """An app posts a request for a resident. With a point it is a report in cases at once; with only an
    address it waits, by its token, until the command center places it."""
    category = service(service_code)
    lat_value, lng_value = _coordinate(lat, "lat", 90), _coordinate(long, "long", 180)
    if (lat_value is None) != (lng_value is None):
        raise _bad(_("Send both lat and long."), "lat", "location")
    address_string = _limited(address_string, "address_string", ADDRESS_MAX_LENGTH)
    address_id = _limited(address_id, "address_id", SHORT_MAX_LENGTH)
    if lat_value is None and not address_string and not address_id:
        raise _bad(_("A location is required: lat and long, address_string or address_id."), "lat", "location")
    place = cases.locate(lng_value, lat_value) if lat_value is not None else None
    answers = check_attributes(category, attributes or {})
    description = _limited(description, "description", DESCRIPTION_MAX_LENGTH)
    contact = {name: _limited(value, name, SHORT_MAX_LENGTH) for name, value in (
        ("device_id", device_id), ("account_id", account_id), ("first_name", first_name), ("last_name", last_name))}
    contact["phone"] = _limited(phone, "phone", 40)
    contact["email"] = _limited(email, "email", 254)
    if contact["email"]:
        try:
            EmailValidator()(contact["email"])
        except ValidationError:
            raise _bad(_("email is not an e-mail address."), "email") from None
    media_url = _limited(media_url, "media_url", URL_MAX_LENGTH)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise _bad(_("media_url must be an http or https URL."), "media_url") from None
    cleaned = photos.clean_photo(media) if media else None
    with transaction.atomic():
        now = clock.now()
        request = ServiceRequest.objects.create(
            client=client, token=secrets.token_urlsafe(16), category=category, description=description,
            lat=place.lat if place else None, lng=place.lng if place else None, address_string=address_string,
            address_id=address_id, media_url=media_url, attributes=answers, created_at=now,
            media=cleaned.file if cleaned else "", **contact)
        attached = _into_cases(request, place) if place else False
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        audit_record(actor=None, action="open311.request", target=request,
                     after={"client": client.name, "service_code": category.code,
                            "service_request_id": request.service_request_id, "attached": attached},
                     community_id=place.community.pk if place else None)
    return Submitted(request=request, attached=attached)


def _case_text(request: ServiceRequest) -> str:
    text = request.description or request.category.label
    return text if len(text) <= CASE_TEXT_MAX_LENGTH else text[:CASE_TEXT_MAX_LENGTH - 1] + "…"


def _into_cases(request: ServiceRequest, place: cases.Place) -> bool:
    _case, report, attached = cases.open311_report(
        category=request.category, description=_case_text(request), place=place,
        address=request.address_string[:CASE_ADDRESS_MAX_LENGTH], at=request.created_at)
    request.report = report
    request.save(update_fields=["report"])
    return attached


def request_place(*, actor, request: ServiceRequest | int, lng, lat) -> ServiceRequest:
    """The command center finds an address-only request's place on the map: it becomes a report in cases,
    and its token now gives the app the service_request_id."""
    pk = request.pk if isinstance(request, ServiceRequest) else request
    place = cases.locate(lng, lat)
    with transaction.atomic():
        locked = (ServiceRequest.objects.select_for_update().select_related("category").filter(pk=pk).first()
                  if isinstance(pk, int) else None)
        if locked is None or not permissions.can(actor, Action.OPEN311_PLACE, locked):
            raise NotAllowed()
        if locked.report_id is not None:
            raise DomainError(_("This request is already on the map."), code="already_placed")
        locked.lat, locked.lng, locked.placed_by = place.lat, place.lng, actor
        locked.save(update_fields=["lat", "lng", "placed_by"])
        attached = _into_cases(locked, place)
        audit_record(actor=actor, action="open311.place", target=locked,
                     after={"lng": place.lng, "lat": place.lat, "service_request_id": locked.service_request_id,
                            "attached": attached}, community_id=place.community.pk)
    return locked
