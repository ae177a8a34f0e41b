"""The GeoReport v2 endpoints (docs/open311.md), each in `.xml` and `.json`.

Thin: parse the query or form, call a selector or a service, describe the answer for `georeport`. Every
refusal is the spec's error form with its status — 403 for the key, 404 for an unknown service code,
token, request or jurisdiction, 400 for anything else — so no input gives a 500. An unknown format is
answered in XML, the format every GeoReport server must speak.
"""

import re
from functools import wraps

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import FileResponse, Http404
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from jusha.core.errors import DomainError

from . import selectors, services
from .georeport import FORMATS, JSON, MEDIA_TYPES, XML, Many, errors, respond

SPEC = "http://wiki.open311.org/GeoReport_v2"
# When this endpoint's behaviour last changed (discovery's changeset).
CHANGESET = "2026-11-27T00:00:00+08:00"
ATTRIBUTE_RE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
LIST_MAX = 200  # comma-separated values read from one parameter


class Refused(Exception):
    """A refusal of the endpoint itself (format, method, jurisdiction, a parameter): status and words."""

    def __init__(self, status: int, description):
        super().__init__(str(description))
        self.status = status
        self.description = description


def endpoint(*methods: str):
    """Check the format, the method and the jurisdiction; turn refusals into the spec's errors.

    CSRF-exempt: the API never reads the session (what it shows is the same for everyone), and its one
    write is authenticated by the app's api_key; exempting every resource also lets a stray POST get the
    spec's 405 rather than Django's CSRF page."""
    def decorate(view):
        @wraps(view)
        def wrapper(request, fmt, **kwargs):
            answer_in = fmt if fmt in FORMATS else XML
            try:
                if fmt not in FORMATS:
                    raise Refused(400, _("Unknown format: use .xml or .json."))
                if request.method not in methods and not (request.method == "HEAD" and "GET" in methods):
                    raise Refused(405, _("Method not allowed here."))
                data = request.POST if request.method == "POST" else request.GET
                if _has_nul(data, kwargs):
                    raise Refused(400, _("Parameters may not contain NUL characters."))
                jurisdiction = data.get("jurisdiction_id", "").strip()
                if jurisdiction and jurisdiction != settings.JUSHA_OPEN311_JURISDICTION:
                    raise Refused(404, _("jurisdiction_id was not found."))
                return view(request, fmt, **kwargs)
            except Refused as refused:
                response = errors(answer_in, refused.status, refused.description)
            except DomainError as exc:
                response = errors(answer_in, exc.status if exc.status in (403, 404) else 400, exc.message)
            except (MultiPartParserError, SuspiciousOperation, BadRequest):
                response = errors(answer_in, 400, _("The request could not be read."))
            if response.status_code == 405:
                response["Allow"] = ", ".join(methods)
            return response

        return csrf_exempt(wrapper)

    return decorate


def _has_nul(data, kwargs) -> bool:
    """A NUL anywhere in the input: PostgreSQL cannot even compare such a string, so refuse it first."""
    return any("\x00" in name or any("\x00" in value for value in data.getlist(name)) for name in data) or any(
        "\x00" in value for value in kwargs.values())


def _w3c(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


# --- discovery and services ------------------------------------------------------------------------

@endpoint("GET")
def discovery(request, fmt):
    return respond(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": settings.JUSHA_OPEN311_CONTACT or str(settings.JUSHA_SITE_NAME),
        "key_service": _("Ask the subdistrict's staff for an api_key (console: Open311)."),
        "endpoints": Many("endpoint", [{
            "specification": SPEC,
            "url": request.build_absolute_uri(reverse("open311:root")).rstrip("/"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": Many("format", [MEDIA_TYPES[XML], MEDIA_TYPES[JSON]]),
        }]),
    })


def _keywords(category) -> str:
    names = [category.code, category.name, category.name_en, category.parent.name, category.parent.name_en]
    return ", ".join(dict.fromkeys(n for n in names if n))


@endpoint("GET")
def service_list(request, fmt):
    return respond(fmt, "services", Many("service", [{
        "service_code": c.code,
        "service_name": c.label,
        "description": f"{c.get_kind_display()} · {c.parent.label} · {c.label}",
        "metadata": bool(c.open311_attributes.all()),
        "type": "realtime",
        "keywords": _keywords(c),
        "group": c.parent.label,
    } for c in selectors.services()]))


@endpoint("GET")
def service_definition(request, fmt, code):
    category = services.service(code)
    attributes = category.open311_attributes.order_by("order")
    return respond(fmt, "service_definition", {
        "service_code": category.code,
        "attributes": Many("attribute", [_attribute(a) for a in attributes]),
    })


def _attribute(attribute) -> dict:
    described = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
    }
    if attribute.datatype in ("singlevaluelist", "multivaluelist"):
        described["values"] = Many("value", [{"key": str(v["key"]), "name": str(v["name"])}
                                             for v in attribute.values])
    return described


# --- requests --------------------------------------------------------------------------------------

def _attributes(data) -> dict[str, list[str]]:
    given: dict[str, list[str]] = {}
    for name in data:
        match = ATTRIBUTE_RE.match(name)
        if match:
            given.setdefault(match.group(1), []).extend(data.getlist(name))
        elif name.startswith("attribute"):
            raise Refused(400, _("Send attributes as attribute[code]=value."))
    return given


@endpoint("GET", "POST")
def requests(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return _search(request, fmt)


def _create(request, fmt):
    data = request.POST
    client = services.authenticate(data.get("api_key"))
    if not data.get("service_code", "").strip():
        raise Refused(400, _("service_code was not provided."))
    submitted = services.request_submit(
        client=client, service_code=data.get("service_code", "").strip(), lat=data.get("lat"),
        long=data.get("long"), address_string=data.get("address_string"), address_id=data.get("address_id"),
        attributes=_attributes(data), email=data.get("email"), device_id=data.get("device_id"),
        account_id=data.get("account_id"), first_name=data.get("first_name"), last_name=data.get("last_name"),
        phone=data.get("phone"), description=data.get("description"), media_url=data.get("media_url"),
        media=request.FILES.get("media"))
    created = submitted.request
    answer = ({"service_request_id": created.service_request_id} if created.report_id
              else {"token": created.token})
    answer["service_notice"] = (selectors.notice(submitted.attached) if created.report_id
                                else _("Received. The command center will place the address on the map; "
                                       "ask for the service_request_id with the token."))
    answer["account_id"] = created.account_id or None
    # 200, not 201: the spec names no success status, and its clients are written against 200.
    return respond(fmt, "service_requests", Many("request", [answer]))


def _list(value: str | None) -> list[str] | None:
    items = [v.strip() for v in (value or "").split(",") if v.strip()]
    if len(items) > LIST_MAX:
        raise Refused(400, _("Ask for at most %(n)s values at once.") % {"n": LIST_MAX})
    return items or None


def _instant(data, name: str):
    value = data.get(name, "").strip()
    if not value:
        return None
    moment = services.parse_instant(value)
    if moment is None:
        raise Refused(400, _("%(name)s must be a W3C date and time, e.g. 2026-11-01T00:00:00+08:00.")
                      % {"name": name})
    return moment


def _positive(data, name: str, default: int, most: int) -> int:
    value = data.get(name, "").strip()
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= most:
        raise Refused(400, _("%(name)s must be a whole number from 1 to %(most)s.") % {"name": name, "most": most})
    return int(value)


def _search(request, fmt):
    data = request.GET
    query = selectors.Query(ids=_list(data.get("service_request_id")), codes=_list(data.get("service_code")),
                            start=_instant(data, "start_date"), end=_instant(data, "end_date"),
                            page=_positive(data, "page", 1, 100_000),
                            page_size=_positive(data, "page_size", selectors.DEFAULT_PAGE_SIZE,
                                                selectors.MAX_PAGE_SIZE))
    if query.start and query.end:
        if query.end < query.start:
            raise Refused(400, _("end_date is before start_date."))
        if query.end - query.start > selectors.MAX_SPAN:
            raise Refused(400, _("start_date and end_date may not span more than 90 days."))
    statuses = _list(data.get("status"))
    if statuses is not None:
        wrong = [s for s in statuses if s not in selectors.STATUSES]
        if wrong:
            raise Refused(400, _("status must be open or closed (comma-separated)."))
        query.statuses = statuses
    rows = selectors.search(query)
    return respond(fmt, "service_requests", Many("request", [_request(request, r) for r in rows]))


def _media_url(request, row) -> str | None:
    if row.media_url:
        return row.media_url
    if row.media:
        return request.build_absolute_uri(reverse("open311:media", args=[row.service_request_id]))
    return None


def _request(request, row) -> dict:
    case = row.report.case
    return {
        "service_request_id": row.service_request_id,
        "status": selectors.status_of(case),
        "status_notes": selectors.status_notes(case),
        "service_name": row.category.label,
        "service_code": row.category.code,
        "description": row.description or None,
        "agency_responsible": selectors.agency_responsible(case),
        "service_notice": None,
        "requested_datetime": _w3c(row.created_at),
        "updated_datetime": _w3c(selectors.updated_at(row, case)),
        "expected_datetime": _w3c(case.due_at),
        "address": row.address_string or case.address or None,
        "address_id": row.address_id or None,
        "zipcode": None,
        "lat": row.lat,
        "long": row.lng,
        "media_url": _media_url(request, row),
    }


@endpoint("GET")
def request_detail(request, fmt, service_request_id):
    row = selectors.one(service_request_id)
    if row is None:
        raise Refused(404, _("service_request_id was not found."))
    return respond(fmt, "service_requests", Many("request", [_request(request, row)]))


@endpoint("GET")
def token(request, fmt, token):
    row = selectors.by_token(token)
    if row is None:
        raise Refused(404, _("token was not found."))
    return respond(fmt, "service_requests", Many("request", [{
        "service_request_id": row.service_request_id, "token": row.token}]))


def media(request, service_request_id):
    """The photo uploaded with a request (our extension); public like the request itself."""
    row = selectors.one(service_request_id)
    if row is None or not row.media:
        raise Http404
    return FileResponse(row.media.open("rb"), content_type="image/jpeg")


def not_found(request, path=""):
    """Anything else under the endpoint: the spec's 404, in XML."""
    return errors(XML, 404, _("Not found: see discovery.xml for this endpoint's resources."))
