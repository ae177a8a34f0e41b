"""Every write about cases: one function per step of the workflow (`workflow.TRANSITIONS`).

Each step locks the case's row, checks the actor through `permissions` (a refusal looks like a 404),
looks the step up in the transition table (one refusal for every invalid step), changes the row with a
conditional update on the status it read, appends the `CaseEvent` the timeline shows, writes the audit
entry, and tells the people concerned only after commit (`notices.tell`).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import Role
from jusha.audit.services import audit_record
from jusha.calendars.selectors import add_working_time
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.orgs.models import FieldStatus, GridWorker, Team
from jusha.permissions import Action
from jusha.places.coords import CRS
from jusha.places.models import Community, Grid
from jusha.places.selectors import locate_in_crs

from . import notices, workflow
from .models import (
    ADDRESS_MAX_LENGTH,
    MAX_PHOTOS,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Case,
    CaseCategory,
    CaseDeadline,
    CaseEvent,
    CasePhoto,
    CaseRating,
    Report,
    Source,
)
from .workflow import Step

S = Case.Status
EARTH_RADIUS_M = 6_371_000


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _reason(value, *, missing=None) -> str:
    return _text(value, field="reason", limit=NOTE_MAX_LENGTH, required=True,
                 missing=missing or _("Please give a reason."))


def _category(value) -> CaseCategory:
    pk = value.pk if isinstance(value, CaseCategory) else value
    category = (CaseCategory.objects.filter(pk=pk, is_active=True, parent__isnull=False).first()
                if isinstance(pk, int) and not isinstance(pk, bool) else None)
    if category is None:
        raise DomainError(_("Choose what kind of problem it is."), code="invalid_category", field="category")
    return category


def _clean_photos(files, *, already: int = 0) -> list[photos.CleanPhoto]:
    files = [f for f in (files or []) if f]
    if already + len(files) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos, please.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                          field="photos")
    return [photos.clean_photo(f) for f in files]


@dataclass(frozen=True)
class Place:
    lng: float
    lat: float
    community: Community
    grid: Grid | None


def locate(lng, lat, crs: str = CRS.WGS84) -> Place:
    """Where a point (in any of WGS-84, GCJ-02, BD-09) is: its WGS-84 position, community and grid.
    A point outside every community of the deployment is refused: nobody could handle the case."""
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in (lng, lat))
    if not ok or not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise DomainError(_("Share your location or pick the place on the map."), code="invalid_location",
                          field="location")
    if crs not in {c.value for c in CRS}:
        raise DomainError(_("Unknown coordinate system."), code="invalid_location", field="location")
    where = locate_in_crs(float(lng), float(lat), crs)
    if not where.inside:
        raise DomainError(_("This place is outside the area Jusha serves, so nobody here can handle it. "
                            "Pick a place inside the subdistrict on the map."), code="outside_area", field="location")
    grid = Grid.objects.filter(pk=where.grid_id).first() if where.grid_id else None
    return Place(lng=where.lng, lat=where.lat, community=Community.objects.get(pk=where.community_id), grid=grid)


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine): plenty for tens of metres to a few kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open_cases(*, category: CaseCategory, lng: float, lat: float, at: datetime | None = None,
                      reported_at: datetime | None = None) -> list[Case]:
    """Open cases of the same category reported within JUSHA_CASE_DUPLICATE_METERS and
    JUSHA_CASE_DUPLICATE_HOURS of the point (WGS-84), nearest first: what a resident may follow. A report
    made earlier than it arrives (`reported_at`, a hotline ticket) also finds cases reported since."""
    at = at or clock.now()
    meters = settings.JUSHA_CASE_DUPLICATE_METERS
    since = min(at, reported_at or at) - timedelta(hours=settings.JUSHA_CASE_DUPLICATE_HOURS)
    # A bounding box in degrees first (cheap, indexed by category/status/time), then the exact distance.
    dlat = meters / 111_000 * 1.01
    dlng = dlat / max(math.cos(math.radians(lat)), 0.01)
    rows = (Case.objects.filter(category=category, status__in=workflow.OPEN, reported_at__gte=since,
                                reported_at__lte=at, lng__gte=lng - dlng, lng__lte=lng + dlng,
                                lat__gte=lat - dlat, lat__lte=lat + dlat)
            .select_related("category", "community", "grid"))
    found = [(distance_m(lng, lat, c.lng, c.lat), c) for c in rows]
    return [c for d, c in sorted(found, key=lambda x: (x[0], x[1].pk)) if d <= meters]


class NearbyOpenCase(DomainError):
    """The resident's report matches open cases nearby: they are offered to follow one instead."""

    status = 409

    def __init__(self, cases: list[Case]):
        super().__init__(_("This has already been reported nearby and is being handled. Follow that case "
                           "instead, or send yours as a new case."), code="nearby_open_case", field="follow")
        self.cases = cases


# --- the timeline --------------------------------------------------------------------------------

def _is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _record(case: Case, step: Step, *, actor, from_status: str, at: datetime, note: str = "",
            internal: bool = False, lng=None, lat=None, after: dict | None = None,
            anonymous: bool = False, notify: bool = True) -> CaseEvent:
    # An anonymous reporter's own steps name nobody, in the timeline and in the audit log alike: staff
    # must never learn who they are (the Report row keeps the account so that they can follow it).
    if anonymous:
        actor = None
    event = CaseEvent.objects.create(case=case, at=at, actor=actor if _is_person(actor) else None, step=step,
                                     from_status=from_status, to_status=case.status, team_id=case.team_id,
                                     assignee_id=case.assignee_id, lng=lng, lat=lat, note=str(note),
                                     note_is_internal=internal)
    audit_record(actor=actor, action=f"cases.{step}", target=case,
                 before={"status": from_status} if from_status else None,
                 after={"status": case.status, **({"note": str(note)} if note else {}), **(after or {})},
                 community_id=case.community_id)
    if notify:
        transaction.on_commit(lambda: notices.tell(event.pk), robust=True)
    return event


def _lock(actor, action: Action, case: Case | int) -> Case:
    """The case's row, locked for this transaction, if the actor may do `action` to it (else a 404)."""
    pk = case.pk if isinstance(case, Case) else case
    locked = Case.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(case: Case, step: Step, *, actor, note: str = "", internal: bool = False, lng=None, lat=None,
          after: dict | None = None, anonymous: bool = False, **changes) -> Case:
    """Change the case as the table says, on the condition that nobody changed its status meanwhile."""
    from_status = case.status
    to_status = workflow.target(case, step)
    now = clock.now()
    changes["status"] = to_status
    updated = Case.objects.filter(pk=case.pk, status=from_status).update(**changes, updated_at=now)
    if updated != 1:
        raise DomainError(_("Someone else changed this case just now. Reload the page to see what changed."),
                          code="conflict")
    for field, value in changes.items():
        setattr(case, field, value)
    expressions = [f for f, v in changes.items() if hasattr(v, "resolve_expression")]
    if expressions:
        case.refresh_from_db(fields=expressions)
    _run_clock(case, step, from_status=from_status, at=now)
    _record(case, step, actor=actor, from_status=from_status, at=now, note=note, internal=internal, lng=lng,
            lat=lat, after=after, anonymous=anonymous)
    return case


# --- stage deadlines (docs/cases.md, "Deadlines") -------------------------------------------------

def stage_due(category: CaseCategory, stage: str, start: datetime) -> datetime:
    """When a stage started at `start` is due: the category's limit for it, counted in the working-time
    calendar (jusha.calendars) or, for categories that count calendar hours, straight on the clock."""
    limit = timedelta(minutes=getattr(category, f"{stage}_minutes"))
    return add_working_time(start, limit) if category.working_hours else timezone.localtime(start + limit)


def _start_clock(case: Case, at: datetime) -> None:
    stage = workflow.STAGES.get(case.status)
    deadline = (CaseDeadline.objects.create(case=case, stage=stage, started_at=at,
                                            due_at=stage_due(case.category, stage, at)) if stage else None)
    Case.objects.filter(pk=case.pk).update(deadline=deadline)
    case.deadline = deadline


def _run_clock(case: Case, step: Step, *, from_status: str, at: datetime) -> None:
    """Leaving a stage ends its clock (met when the step did the stage's work) and starts the next
    stage's. Steps within one stage (take, arrive, extensions, follow) leave the clock running; a
    parked case has none, and taking it up again starts its stage afresh with the full limit."""
    if workflow.STAGES.get(from_status) == workflow.STAGES.get(case.status):
        return
    if case.deadline_id is not None:
        CaseDeadline.objects.filter(pk=case.deadline_id, ended_at__isnull=True).update(
            ended_at=at, met=step in workflow.MEETS)
    _start_clock(case, at)


def _only_anonymously(case: Case, actor) -> bool:
    """Whether the person reported this case only anonymously (so their steps name nobody)."""
    mine = Report.objects.filter(case=case, reporter=actor.pk)
    return mine.exists() and not mine.filter(anonymous=False).exists()


def _store_photos(case: Case, cleaned, *, stage, by, at, report: Report | None = None) -> None:
    for photo in cleaned:
        CasePhoto.objects.create(case=case, report=report, stage=stage, image=photo.file, uploaded_by=by,
                                 created_at=at)


def _saw(actor, place: Place | None, at: datetime) -> None:
    """Remember where a field worker was last seen, for the next dispatch suggestions."""
    if place is None or not _is_person(actor):
        return
    FieldStatus.objects.update_or_create(user=actor, defaults={"lng": place.lng, "lat": place.lat,
                                                               "located_at": at})


# --- reporting -----------------------------------------------------------------------------------

def report_submit(*, actor, category, description: str, lng, lat, crs: str = CRS.WGS84, address: str = "",
                  anonymous: bool = False, photo_files=(), follow: int | None = None,
                  new_anyway: bool = False) -> tuple[Case, Report, bool]:
    """A resident reports a problem from their phone: (case, report, created).

    When open cases of the same category were reported nearby, the resident is offered to follow one
    (`NearbyOpenCase`); following attaches their report to that case, `new_anyway` opens a new one."""
    if not permissions.can(actor, Action.CASE_REPORT):
        raise NotAllowed()
    category = _category(category)
    description = _text(description, field="description", limit=TEXT_MAX_LENGTH, required=True,
                        missing=_("Describe the problem."))
    address = _text(address, field="address", limit=ADDRESS_MAX_LENGTH, required=False)
    place = locate(lng, lat, crs)
    cleaned = _clean_photos(photo_files)
    if category.photo_required and not cleaned and follow is None:
        raise DomainError(_("Please add a photo of the problem."), code="photo_required", field="photos")
    with transaction.atomic():
        if follow is not None:
            return _follow(actor, follow, category=category, description=description, place=place,
                           anonymous=bool(anonymous), cleaned=cleaned)
        nearby = nearby_open_cases(category=category, lng=place.lng, lat=place.lat)
        if nearby and not new_anyway:
            raise NearbyOpenCase(nearby)
        case, report = _open_case(actor=actor, reporter=actor, source=Source.RESIDENT, category=category,
                                  description=description, place=place, address=address,
                                  anonymous=bool(anonymous), cleaned=cleaned)
        return case, report, True


def _follow(actor, follow, *, category, description, place, anonymous, cleaned) -> tuple[Case, Report, bool]:
    candidates = {c.pk for c in nearby_open_cases(category=category, lng=place.lng, lat=place.lat)}
    pk = follow if isinstance(follow, int) and not isinstance(follow, bool) else None
    if pk not in candidates:
        raise DomainError(_("That case is no longer open nearby. Send your report as a new case."),
                          code="invalid_follow", field="follow")
    case = Case.objects.select_for_update().get(pk=pk)
    now = clock.now()
    report = Report.objects.create(case=case, source=Source.RESIDENT, reporter=actor, anonymous=anonymous,
                                   category=category, description=description, lng=place.lng, lat=place.lat,
                                   followed=True, created_at=now)
    _store_photos(case, cleaned, stage=CasePhoto.Stage.REPORTED, by=actor, at=now, report=report)
    _move(case, Step.FOLLOW, actor=actor, after={"report": report.pk, "photos": len(cleaned)}, anonymous=anonymous)
    return case, report, False


def _open_case(*, actor, reporter, source, category, description, place: Place, address: str = "",
               anonymous: bool = False, cleaned=(), status: str = S.REPORTED, at: datetime | None = None,
               external_id: str = "", notify: bool = True, **extra) -> tuple[Case, Report]:
    """Open a case for a report made at `at` (default now). The first stage's clock starts now: a report
    made earlier elsewhere (a hotline ticket) is the center's to accept from when it arrives here."""
    now = clock.now()
    at = at or now
    case = Case.objects.create(category=category, source=source, description=description, urgency=category.urgency,
                               community=place.community, grid=place.grid, lng=place.lng, lat=place.lat,
                               address=address, status=status, reported_at=at, **extra)
    prefix = "SJ" if category.kind == CaseCategory.Kind.EVENT else "BJ"
    case.number = f"{prefix}{now:%Y%m%d}{case.pk:06d}"
    Case.objects.filter(pk=case.pk).update(number=case.number)
    _start_clock(case, now)
    report = Report.objects.create(case=case, source=source, reporter=reporter if _is_person(reporter) else None,
                                   anonymous=anonymous, category=category, description=description, lng=place.lng,
                                   lat=place.lat, external_id=external_id, created_at=at)
    _store_photos(case, cleaned, stage=CasePhoto.Stage.REPORTED, by=actor, at=at, report=report)
    # The first event records the report as it arrived, before any later step of the same call.
    reported = case.status
    case.status = S.REPORTED
    _record(case, Step.REPORT, actor=actor, from_status="", at=at, anonymous=anonymous, notify=notify,
            after={"category": category.code, "source": source, "anonymous": anonymous, "photos": len(cleaned),
                   **({"external_id": external_id} if external_id else {})})
    case.status = reported
    return case, report


def case_self_handle(*, actor, category, description: str, lng, lat, crs: str = CRS.WGS84, note: str,
                     before_photos=(), after_photos=()) -> Case:
    """自行处置: a grid worker on patrol reports a small problem and fixes it on the spot, with photos
    before and after. The case starts out handled and goes to the supervisors to verify as usual."""
    if not permissions.can(actor, Action.CASE_PATROL):
        raise NotAllowed()
    category = _category(category)
    description = _text(description, field="description", limit=TEXT_MAX_LENGTH, required=True,
                        missing=_("Describe the problem."))
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=True, missing=_("Describe what was done."))
    place = locate(lng, lat, crs)
    if place.grid is None or place.grid.pk not in permissions.actor_of(actor).grids:
        raise DomainError(_("You can handle on the spot only in your own grids; report it instead."),
                          code="not_your_grid", field="location")
    before = _clean_photos(before_photos)
    after = _clean_photos(after_photos, already=len(before))
    if not before or not after:
        raise DomainError(_("Add a photo from before and one from after the work."), code="photo_required",
                          field="photos")
    with transaction.atomic():
        now = clock.now()
        case, _report = _open_case(actor=actor, reporter=actor, source=Source.PATROL, category=category,
                                   description=description, place=place, status=S.HANDLED, at=now, cleaned=(),
                                   self_handled=True, assignee=actor, accepted_at=now, filed_at=now, dispatched_at=now,
                                   handling_at=now, arrived_at=now, handled_at=now, handling_note=note,
                                   arrived_lng=place.lng, arrived_lat=place.lat)
        _store_photos(case, before, stage=CasePhoto.Stage.BEFORE, by=actor, at=now)
        _store_photos(case, after, stage=CasePhoto.Stage.AFTER, by=actor, at=now)
        _record(case, Step.SELF_HANDLE, actor=actor, from_status=S.REPORTED, at=now, note=note, lng=place.lng,
                lat=place.lat)
        _saw(actor, place, now)
        return case


def patrol_report(*, actor, category, description: str, lng, lat, crs: str = CRS.WGS84, photo_files=()) -> Case:
    """A grid worker on patrol reports a problem they cannot fix themselves; it goes to the center."""
    if not permissions.can(actor, Action.CASE_PATROL):
        raise NotAllowed()
    category = _category(category)
    description = _text(description, field="description", limit=TEXT_MAX_LENGTH, required=True,
                        missing=_("Describe the problem."))
    place = locate(lng, lat, crs)
    cleaned = _clean_photos(photo_files)
    with transaction.atomic():
        case, _report = _open_case(actor=actor, reporter=actor, source=Source.PATROL, category=category,
                                   description=description, place=place, cleaned=cleaned)
        _saw(actor, place, clock.now())
        return case


# --- reports from devices (jusha.devices) -------------------------------------------------------

def device_report(*, source: str, category, description: str, place: Place,
                  at: datetime | None = None) -> tuple[Case, Report, bool]:
    """A camera or a sensor reports a problem: (case, report, attached).

    No person stands behind the report (the caller, jusha.devices, has authenticated the device and
    audits who confirmed it), so nobody is asked whether to follow: the report joins the nearest open
    case of the same category nearby by itself, else it opens a new case for the center. Runs inside the
    caller's transaction."""
    if source not in (Source.CAMERA, Source.SENSOR):
        raise ValueError(f"not a device source: {source}")
    category = _category(category)
    description = _text(description, field="description", limit=TEXT_MAX_LENGTH, required=True,
                        missing=_("Describe the problem."))
    now = at or clock.now()
    nearby = nearby_open_cases(category=category, lng=place.lng, lat=place.lat, at=now)
    if nearby:
        case = Case.objects.select_for_update().get(pk=nearby[0].pk)
        report = Report.objects.create(case=case, source=source, reporter=None, category=category,
                                       description=description, lng=place.lng, lat=place.lat, followed=True,
                                       created_at=now)
        _move(case, Step.FOLLOW, actor=None, after={"report": report.pk, "source": source})
        return case, report, True
    case, report = _open_case(actor=None, reporter=None, source=source, category=category, description=description,
                              place=place, at=now)
    return case, report, False


def hotline_report(*, actor, ticket: str, category: CaseCategory, description: str, place: Place,
                   received_at: datetime, address: str = "", reporter=None) -> tuple[Case, Report, bool]:
    """A 12345 hotline ticket handed to the subdistrict becomes a report: (case, report, attached).

    The person importing the hotline's export (jusha.onboarding) stands behind it; the caller, when their
    mobile is known, is the report's reporter and hears about it like any resident. Like a device's
    report it joins the nearest open case of the same category nearby by itself (there is nobody to
    ask), else it opens a new case for the center. A ticket number already imported is refused
    (`duplicate_ticket`); the database's unique constraint holds the line against two imports at once.
    Runs inside the caller's transaction; the center finds the new cases in its queue (no notice per
    ticket: an export of hundreds would bury the operators)."""
    if not permissions.can(actor, Action.CASE_COMMAND):
        raise NotAllowed()
    if Report.objects.filter(source=Source.HOTLINE, external_id=ticket).exists():
        raise DomainError(_("This hotline ticket has already been imported."), code="duplicate_ticket",
                          field="ticket")
    nearby = (nearby_open_cases(category=category, lng=place.lng, lat=place.lat, reported_at=received_at)
              if place.grid else [])
    if nearby:
        case = _lock(actor, Action.CASE_COMMAND, nearby[0])
        report = Report.objects.create(case=case, source=Source.HOTLINE, reporter=reporter, category=category,
                                       description=description, lng=place.lng, lat=place.lat, followed=True,
                                       external_id=ticket, created_at=received_at)
        _move(case, Step.FOLLOW, actor=actor, after={"report": report.pk, "source": Source.HOTLINE,
                                                     "external_id": ticket})
        return case, report, True
    case, report = _open_case(actor=actor, reporter=reporter, source=Source.HOTLINE, category=category,
                              description=description, place=place, address=address, at=received_at,
                              external_id=ticket, notify=False)
    if not permissions.can(actor, Action.CASE_COMMAND, case):
        raise NotAllowed()
    return case, report, False


def open311_report(*, category, description: str, place: Place, address: str = "",
                   at: datetime | None = None) -> tuple[Case, Report, bool]:
    """Another city app reports a problem through Open311 (jusha.open311): (case, report, attached).

    Like a device's report: nobody can be asked whether to follow a nearby case, so the report joins the
    nearest open case of the same category nearby by itself, else it opens a new case for the center.
    The caller has authenticated the app's key and audits the request; runs inside its transaction."""
    category = _category(category)
    description = _text(description, field="description", limit=TEXT_MAX_LENGTH, required=True,
                        missing=_("Describe the problem."))
    address = _text(address, field="address", limit=ADDRESS_MAX_LENGTH, required=False)
    now = at or clock.now()
    nearby = nearby_open_cases(category=category, lng=place.lng, lat=place.lat, at=now)
    if nearby:
        case = Case.objects.select_for_update().get(pk=nearby[0].pk)
        report = Report.objects.create(case=case, source=Source.OPEN311, category=category, description=description,
                                       lng=place.lng, lat=place.lat, followed=True, created_at=now)
        _move(case, Step.FOLLOW, actor=None, after={"report": report.pk, "source": Source.OPEN311})
        return case, report, True
    case, report = _open_case(actor=None, reporter=None, source=Source.OPEN311, category=category,
                              description=description, place=place, address=address, at=now)
    return case, report, False


# --- the command center --------------------------------------------------------------------------

def case_accept(*, actor, case: Case | int) -> Case:
    """受理: the command center takes the report in; the reporter learns it is being looked at."""
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        return _move(case, Step.ACCEPT, actor=actor, accepted_at=clock.now())


def case_file(*, actor, case: Case | int) -> Case:
    """立案: the report is a real problem for the city to handle; it waits for dispatch."""
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        return _move(case, Step.FILE, actor=actor, filed_at=clock.now())


def case_cancel(*, actor, case: Case | int, reason: str) -> Case:
    """不立案/注销: not a case for the city (not in our area, not a problem, already fixed); the
    reporter sees the reason."""
    reason = _reason(reason, missing=_("Tell the reporter why this is not filed."))
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        now = clock.now()
        return _move(case, Step.CANCEL, actor=actor, note=reason, cancel_reason=reason, cancelled_at=now)


def case_merge(*, actor, case: Case | int, into: Case | int) -> Case:
    """Staff merge a case that duplicates another into it: its reports (and photos) join the other
    case, so every reporter hears when that one closes."""
    into_pk = into.pk if isinstance(into, Case) else into
    case_pk = case.pk if isinstance(case, Case) else case
    if not isinstance(into_pk, int) or into_pk == case_pk:
        raise DomainError(_("Choose another case to merge into."), code="invalid_merge", field="into")
    with transaction.atomic():
        # Lock both rows in id order so two opposite merges cannot deadlock.
        first, second = sorted([case_pk, into_pk])
        _lock(actor, Action.CASE_COMMAND, first)
        _lock(actor, Action.CASE_COMMAND, second)
        case = Case.objects.get(pk=case_pk)
        target = Case.objects.get(pk=into_pk)
        if target.status not in workflow.OPEN or target.status == S.PARKED:
            raise DomainError(_("Merge into a case that is still open."), code="invalid_merge", field="into")
        moved = Report.objects.filter(case=case).update(case=target)
        CasePhoto.objects.filter(case=case).update(case=target)
        _move(case, Step.MERGE, actor=actor, merged_into=target, note=str(target), after={"into": target.pk})
        target.refresh_from_db()
        _move(target, Step.FOLLOW, actor=actor, after={"merged": case.pk, "reports": moved})
        return target


def _responsible_team(case: Case) -> Team | None:
    kind = case.category.team_kind
    if not kind:
        return None
    return Team.objects.filter(subdistrict=case.community.subdistrict_id, kind=kind).first()


def dispatch_candidates(case: Case):
    """The people a case may be dispatched to: for grid categories the grid's workers, for team
    categories the members of the responsible team of the case's subdistrict."""
    from jusha.accounts.models import User

    if case.category.handler == CaseCategory.Handler.GRID:
        if case.grid_id is None:
            return User.objects.none()
        return User.objects.filter(grid_worker__grids=case.grid_id, is_active=True).distinct()
    team = _responsible_team(case)
    if team is None:
        return User.objects.none()
    return User.objects.filter(role_assignments__role=Role.TEAM_MEMBER, role_assignments__team=team,
                               is_active=True).distinct()


def case_dispatch(*, actor, case: Case | int, assignee=None, team: Team | int | None = None,
                  note: str = "") -> Case:
    """派遣: the command center sends the case to a grid worker or a team member (one click on the
    suggestion) or to a team as a whole, whose members then take it."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        workflow.target(case, Step.DISPATCH)
        person, chosen_team = _dispatch_target(case, assignee, team)
        return _move(case, Step.DISPATCH, actor=actor, note=note, internal=True, assignee=person, team=chosen_team,
                     dispatched_at=clock.now(), handling_at=None, arrived_at=None,
                     after={"assignee": person.pk if person else None, "team": chosen_team.pk if chosen_team
                            else None})


def _dispatch_target(case: Case, assignee, team):
    person = None
    if assignee is not None:
        pk = assignee.pk if hasattr(assignee, "pk") else assignee
        person = dispatch_candidates(case).filter(pk=pk).first() if isinstance(pk, int) else None
        if person is None:
            raise DomainError(_("Choose one of the suggested people."), code="invalid_assignee", field="assignee")
        chosen_team = _responsible_team(case) if case.category.handler == CaseCategory.Handler.TEAM else None
        return person, chosen_team
    if team is not None:
        pk = team.pk if isinstance(team, Team) else team
        chosen_team = (Team.objects.filter(pk=pk, subdistrict=case.community.subdistrict_id).first()
                       if isinstance(pk, int) else None)
        if chosen_team is None:
            raise DomainError(_("Choose a team of this subdistrict."), code="invalid_team", field="team")
        return None, chosen_team
    raise DomainError(_("Choose who handles the case."), code="required", field="assignee")


def case_extension_approve(*, actor, case: Case | int) -> Case:
    """延期: the operator grants the assignee's request; the new date is the deadline from now on."""
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        if case.extension_requested_until is None:
            raise DomainError(_("There is no extension request to decide."), code="no_extension_request")
        until = case.extension_requested_until
        # The handling is due by the end of the granted day; a flag already raised is lowered (the
        # audit log and the timeline keep it), and the sweep chases the new due time.
        due = timezone.make_aware(datetime.combine(until + timedelta(days=1), datetime.min.time()))
        CaseDeadline.objects.filter(pk=case.deadline_id, stage=CaseDeadline.Stage.HANDLE, ended_at__isnull=True
                                    ).update(due_at=due, due_before_extension=Coalesce("due_before_extension",
                                                                                        "due_at"),
                                             overdue_at=None, escalated_at=None)
        return _move(case, Step.EXTENSION_APPROVE, actor=actor, note=until.isoformat(), extended_until=until,
                     extension_requested_until=None, after={"until": until, "due": due})


def case_extension_refuse(*, actor, case: Case | int, reason: str) -> Case:
    reason = _reason(reason)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        if case.extension_requested_until is None:
            raise DomainError(_("There is no extension request to decide."), code="no_extension_request")
        return _move(case, Step.EXTENSION_REFUSE, actor=actor, note=reason, internal=True,
                     extension_requested_until=None)


def case_park(*, actor, case: Case | int, reason: str) -> Case:
    """挂账: the case cannot be solved in time (money, another authority); it waits, with the reason."""
    reason = _reason(reason)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        return _move(case, Step.PARK, actor=actor, note=reason, internal=True, parked_from=case.status,
                     park_reason=reason, parked_at=clock.now())


def case_unpark(*, actor, case: Case | int) -> Case:
    """The parked case is taken up again where it stopped."""
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        return _move(case, Step.UNPARK, actor=actor, parked_from="")


def case_close(*, actor, case: Case | int) -> Case:
    """结案: the verified case is done; every reporter is asked to rate it."""
    with transaction.atomic():
        case = _lock(actor, Action.CASE_COMMAND, case)
        return _move(case, Step.CLOSE, actor=actor, closed_at=clock.now())


# --- the field -----------------------------------------------------------------------------------

def _optional_place(lng, lat, crs) -> Place | None:
    if lng is None and lat is None:
        return None
    return locate(lng, lat, crs)


def case_take(*, actor, case: Case | int, lng=None, lat=None, crs: str = CRS.WGS84) -> Case:
    """接单: the assignee (or a member of the team it was sent to) takes the task on."""
    place = _optional_place(lng, lat, crs)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_HANDLE, case)
        now = clock.now()
        _saw(actor, place, now)
        return _move(case, Step.TAKE, actor=actor, assignee=actor, handling_at=now,
                     lng=place.lng if place else None, lat=place.lat if place else None)


def case_arrive(*, actor, case: Case | int, lng, lat, crs: str = CRS.WGS84) -> Case:
    """到场: the assignee is on site; the position is recorded."""
    place = locate(lng, lat, crs)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_HANDLE, case)
        now = clock.now()
        _saw(actor, place, now)
        return _move(case, Step.ARRIVE, actor=actor, arrived_at=now, arrived_lng=place.lng, arrived_lat=place.lat,
                     lng=place.lng, lat=place.lat)


def case_return(*, actor, case: Case | int, reason: str) -> Case:
    """退回: not ours (wrong category, another team's job); it goes back to the command center."""
    reason = _reason(reason, missing=_("Tell the command center why this is not yours."))
    with transaction.atomic():
        case = _lock(actor, Action.CASE_HANDLE, case)
        return _move(case, Step.RETURN, actor=actor, note=reason, internal=True, assignee=None, team=None,
                     dispatched_at=None, handling_at=None, arrived_at=None, extension_requested_until=None)


def case_handle(*, actor, case: Case | int, note: str, photo_files=(), lng=None, lat=None,
                crs: str = CRS.WGS84) -> Case:
    """处置: the assignee reports what was done, with at least one photo after the work; the
    supervisors are asked to verify."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=True, missing=_("Describe what was done."))
    place = _optional_place(lng, lat, crs)
    cleaned = _clean_photos(photo_files)
    if not cleaned:
        raise DomainError(_("Add a photo of the result."), code="photo_required", field="photos")
    with transaction.atomic():
        case = _lock(actor, Action.CASE_HANDLE, case)
        now = clock.now()
        _move(case, Step.HANDLE, actor=actor, note=note, handling_note=note, handled_at=now,
              lng=place.lng if place else None, lat=place.lat if place else None)
        _store_photos(case, cleaned, stage=CasePhoto.Stage.AFTER, by=actor, at=now)
        _saw(actor, place, now)
        return case


def case_extension_request(*, actor, case: Case | int, until: date, reason: str) -> Case:
    """The assignee asks for more time until a date; the operator approves or refuses."""
    reason = _reason(reason)
    if not isinstance(until, date) or until <= clock.now().date():
        raise DomainError(_("Choose a date after today."), code="invalid_date", field="until")
    with transaction.atomic():
        case = _lock(actor, Action.CASE_HANDLE, case)
        if case.extension_requested_until is not None:
            raise DomainError(_("An extension request is already waiting for a decision."),
                              code="extension_pending")
        return _move(case, Step.EXTENSION_REQUEST, actor=actor, note=reason, internal=True,
                     extension_requested_until=until, extension_reason=reason, after={"until": until})


# --- supervision ---------------------------------------------------------------------------------

def case_verify(*, actor, case: Case | int, note: str = "") -> Case:
    """核查 passed: the supervisor checked the result (on site or by the photos)."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_VERIFY, case)
        return _move(case, Step.VERIFY, actor=actor, note=note, verified_at=clock.now())


def case_rework(*, actor, case: Case | int, reason: str) -> Case:
    """返工: the result is not good enough; the case goes back to the assignee."""
    reason = _reason(reason, missing=_("Say what is still wrong."))
    with transaction.atomic():
        case = _lock(actor, Action.CASE_VERIFY, case)
        return _move(case, Step.REWORK, actor=actor, note=reason, rework_count=F("rework_count") + 1,
                     handled_at=None)


def case_spot_check(*, actor, case: Case | int, passed: bool, note: str = "") -> Case:
    """督查: a supervisor spot-checks a closed case; a failure reopens it for rework by its assignee."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=not passed,
                 missing=_("Say what is still wrong."))
    with transaction.atomic():
        case = _lock(actor, Action.CASE_VERIFY, case)
        now = clock.now()
        if passed:
            return _move(case, Step.SPOT_CHECK_PASS, actor=actor, note=note, spot_checked_at=now)
        return _move(case, Step.SPOT_CHECK_FAIL, actor=actor, note=note, spot_checked_at=now,
                     rework_count=F("rework_count") + 1, reopen_count=F("reopen_count") + 1, handled_at=None,
                     verified_at=None, closed_at=None)


# --- the reporter --------------------------------------------------------------------------------

def case_rate(*, actor, case: Case | int, stars: int, comment: str = "") -> CaseRating:
    """A reporter rates the closed case 1–5 with a comment, once per closing."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise DomainError(_("Give 1 to 5 stars."), code="invalid_rating", field="stars")
    comment = _text(comment, field="comment", limit=NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        case = _lock(actor, Action.CASE_RATE, case)
        workflow.target(case, Step.RATE)
        try:
            with transaction.atomic():
                rating = CaseRating.objects.create(case=case, by=actor, round=case.reopen_count, stars=stars,
                                                   comment=comment, created_at=clock.now())
        except IntegrityError:
            raise DomainError(_("You have already rated this case."), code="already_rated") from None
        _move(case, Step.RATE, actor=actor, note=comment, after={"stars": stars},
              anonymous=_only_anonymously(case, actor))
        return rating


def case_reopen(*, actor, case: Case | int, reason: str) -> Case:
    """"Closed is not fixed": a reporter reopens the case within JUSHA_CASE_REOPEN_DAYS of closing;
    it goes back to the command center to dispatch again."""
    reason = _reason(reason, missing=_("Tell us what is still not right."))
    with transaction.atomic():
        case = _lock(actor, Action.CASE_RATE, case)
        workflow.target(case, Step.REOPEN)
        if case.closed_at and clock.now() > case.closed_at + timedelta(days=settings.JUSHA_CASE_REOPEN_DAYS):
            raise DomainError(_("This case was closed more than %(days)s days ago. Please report the problem "
                                "again.") % {"days": settings.JUSHA_CASE_REOPEN_DAYS}, code="reopen_window_over")
        return _move(case, Step.REOPEN, actor=actor, note=reason, anonymous=_only_anonymously(case, actor),
                     reopen_count=F("reopen_count") + 1,
                     assignee=None, team=None, dispatched_at=None, handling_at=None, arrived_at=None,
                     handled_at=None, verified_at=None, closed_at=None)


# --- overdue supervision (督办), the worker's periodic job (JUSHA_PERIODIC_JOBS) --------------------
# Idempotent: each flag is a conditional update on the clock row as it was read, so a second run, or a
# second worker at the same moment, finds nothing left to do.

SWEEP_BATCH = 500


def cases_overdue_sweep() -> tuple[int, int]:
    """Supervise the stages whose clock ran out; returns (flagged overdue, escalated).

    A running stage past its due time is flagged once and the party responsible for it told (督办);
    still overdue JUSHA_CASE_ESCALATE_AFTER_MINUTES later, the subdistrict's staff are told, once."""
    now = clock.now()
    late = (CaseDeadline.objects.filter(ended_at__isnull=True, overdue_at__isnull=True, due_at__lte=now)
            .order_by("due_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    flagged = sum(_supervise(pk, Step.OVERDUE, now, overdue_at__isnull=True, due_at__lte=now)
                  for pk in list(late))
    cutoff = now - timedelta(minutes=settings.JUSHA_CASE_ESCALATE_AFTER_MINUTES)
    stale = (CaseDeadline.objects.filter(ended_at__isnull=True, escalated_at__isnull=True, overdue_at__lte=cutoff)
             .order_by("overdue_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    escalated = sum(_supervise(pk, Step.ESCALATE, now, escalated_at__isnull=True, overdue_at__lte=cutoff)
                    for pk in list(stale))
    return flagged, escalated


def _supervise(pk: int, step: Step, now: datetime, **still) -> bool:
    field = "overdue_at" if step == Step.OVERDUE else "escalated_at"
    with transaction.atomic():
        if not CaseDeadline.objects.filter(pk=pk, ended_at__isnull=True, **still).update(**{field: now}):
            return False  # the stage ended meanwhile, or another worker was first
        deadline = CaseDeadline.objects.select_related("case").get(pk=pk)
        case = deadline.case
        _record(case, step, actor=None, from_status=case.status, at=now, internal=True,
                after={"stage": deadline.stage, "due": deadline.due_at})
    return True


# --- categories (the console's tree editor) ------------------------------------------------------

CATEGORY_FIELDS = ("name", "name_en", "sort_order", "is_active", "handler", "team_kind", "photo_required", "urgency",
                   "accept_minutes", "dispatch_minutes", "handle_minutes", "verify_minutes", "working_hours")


def category_save(*, actor, category: CaseCategory | None, parent: CaseCategory | None = None, **values
                  ) -> CaseCategory:
    """Staff add a sub-category or change one; the change is audited with what it was before."""
    from django.core.exceptions import ValidationError

    from jusha.audit.services import snapshot

    if not permissions.can(actor, Action.CASE_CATEGORY_CHANGE):
        raise NotAllowed()
    with transaction.atomic():
        before = snapshot(category, list(CATEGORY_FIELDS)) if category is not None else None
        if category is None:
            if parent is None or parent.parent_id is not None:
                raise DomainError(_("Add sub-categories under a top category."), code="invalid_parent",
                                  field="parent")
            category = CaseCategory(parent=parent, kind=parent.kind, code=str(values.pop("code", "")).strip())
        for name in CATEGORY_FIELDS:
            if name in values:
                setattr(category, name, values[name])
        if category.handler == CaseCategory.Handler.GRID:
            category.team_kind = ""
        try:
            category.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(" ".join(messages), code="invalid", field=field) from None
        category.save()
        audit_record(actor=actor, action="cases.category_saved", target=category, before=before,
                     after=snapshot(category, list(CATEGORY_FIELDS)))
        return category


def field_status_set(*, actor, on_duty: bool) -> FieldStatus:
    """A grid worker or team member goes on or off duty (dispatch suggestions put the on-duty first)."""
    who = permissions.actor_of(actor)
    if not (who.grids or who.teams):
        raise NotAllowed()
    with transaction.atomic():
        status, _created = FieldStatus.objects.update_or_create(user=actor, defaults={"on_duty": bool(on_duty)})
        GridWorker.objects.filter(user=actor).update(on_duty=bool(on_duty))
        audit_record(actor=actor, action="cases.duty_set", target=status, after={"on_duty": bool(on_duty)})
        return status
