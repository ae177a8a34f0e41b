"""Reads for the GeoReport server and the console, each narrowed by `permissions`.

The requests the API shows are the ones apps posted through Open311 that are in cases (public fields
only: what the app sent, and where its case stands); residents' own reports from the H5 pages are not
published. How our workflow's statuses map onto GeoReport's two is `OPEN` / `CLOSED` below.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.cases.models import Case, CaseCategory
from jusha.core import clock
from jusha.permissions import Action

from .models import ApiClient, ServiceAttribute, ServiceRequest

S = Case.Status
# GeoReport knows "open" (reported, being worked on) and "closed" (resolved, or not to be handled).
OPEN = (S.REPORTED, S.ACCEPTED, S.FILED, S.DISPATCHED, S.HANDLING, S.HANDLED, S.VERIFIED, S.PARKED)
CLOSED = (S.CLOSED, S.CANCELLED, S.MERGED)
STATUSES = {"open": OPEN, "closed": CLOSED}
MAX_SPAN = timedelta(days=90)
DEFAULT_PAGE_SIZE = 1000  # the spec's default volume: 90 days or the first 1000 requests
MAX_PAGE_SIZE = 1000


def services():
    """Every active leaf category: GeoReport's services, in code order, with their attributes."""
    return (CaseCategory.objects.filter(is_active=True, parent__isnull=False).select_related("parent")
            .prefetch_related(Prefetch("open311_attributes", queryset=ServiceAttribute.objects.order_by("order")))
            .order_by("code"))


def _requests() -> QuerySet:
    """The published requests: the same for everyone, so read as nobody in particular (no session)."""
    rows = (ServiceRequest.objects.select_related("category", "report__case__deadline", "report__case__team",
                                                  "report__case__grid", "report__case__community")
            .annotate(last_step_at=Max("report__case__events__at")))
    return permissions.visible(None, Action.OPEN311_VIEW, rows)


def one(service_request_id: str) -> ServiceRequest | None:
    if not service_request_id.isascii() or not service_request_id.isdigit() or len(service_request_id) > 18:
        return None
    return _requests().filter(report_id=int(service_request_id)).first()


def by_token(token: str) -> ServiceRequest | None:
    """Anyone holding a token may learn its service_request_id (tokens are unguessable)."""
    return ServiceRequest.objects.filter(token=token).first() if len(token) <= 40 else None


@dataclass
class Query:
    ids: list[str] | None = None
    codes: list[str] | None = None
    start: datetime | None = None
    end: datetime | None = None
    statuses: list[str] | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


def search(query: Query) -> list[ServiceRequest]:
    """GET requests: by ids (which overrides every other filter), else by requested time (the 90 days
    ending at `end`, or starting at `start`, or the last 90 days), codes and statuses; newest first."""
    rows = _requests()
    if query.ids is not None:
        ids = [int(i) for i in query.ids if i.isascii() and i.isdigit() and len(i) <= 18]
        rows = rows.filter(report_id__in=ids)
    else:
        end = query.end or (query.start + MAX_SPAN if query.start else clock.now())
        start = query.start or end - MAX_SPAN
        rows = rows.filter(created_at__gte=start, created_at__lte=end)
        if query.codes is not None:
            rows = rows.filter(category__code__in=query.codes)
        if query.statuses is not None:
            rows = rows.filter(report__case__status__in=[s for name in query.statuses for s in STATUSES[name]])
    offset = (query.page - 1) * query.page_size
    return list(rows.order_by("-created_at", "-id")[offset:offset + query.page_size])


def status_of(case: Case) -> str:
    return "closed" if case.status in CLOSED else "open"


def status_notes(case: Case) -> str:
    """Why the case is where it is, in words a resident may read (internal reasons stay inside)."""
    label = str(case.get_status_display())
    if case.status == S.CANCELLED and case.cancel_reason:
        return f"{label}: {case.cancel_reason}"
    if case.status in (S.HANDLED, S.VERIFIED, S.CLOSED) and case.handling_note:
        return f"{label}: {case.handling_note}"
    return label


def agency_responsible(case: Case) -> str:
    if case.team_id:
        return case.team.name
    if case.grid_id:
        return f"{case.community.name} {case.grid.name}"
    return case.community.name


def updated_at(request: ServiceRequest, case: Case) -> datetime:
    """When the request last changed: for a closed one, when it was closed (the spec asks for that)."""
    if case.status == S.CLOSED and case.closed_at:
        return case.closed_at
    if case.status == S.CANCELLED and case.cancelled_at:
        return case.cancelled_at
    return max(filter(None, [getattr(request, "last_step_at", None), request.created_at]))


def notice(attached: bool) -> str:
    if attached:
        return _("This problem was already reported nearby; your request joined that case and is handled with it.")
    return _("Received. The command center will accept it, dispatch it and tell you how it ends.")


# --- the console ---------------------------------------------------------------------------------

def clients(actor):
    return permissions.visible(actor, Action.OPEN311_KEY_MANAGE, ApiClient.objects.select_related("created_by"))


def client(actor, pk) -> ApiClient:
    return permissions.fetch(actor, Action.OPEN311_KEY_MANAGE, ApiClient.objects.all(), pk=pk)


def waiting(actor):
    """Address-only requests waiting to be placed on the map, oldest first."""
    rows = ServiceRequest.objects.filter(report__isnull=True).select_related("category", "client")
    return permissions.visible(actor, Action.OPEN311_PLACE, rows).order_by("created_at", "id")


def waiting_one(actor, pk) -> ServiceRequest:
    return permissions.fetch(actor, Action.OPEN311_PLACE, ServiceRequest.objects.filter(report__isnull=True), pk=pk)
