"""Every write about resources: creating one, and one function per step of `workflow.TRANSITIONS`.

Each step locks the resource's row, asks `permissions` about it as it is now, looks the step up in the
transition table, changes the row with a conditional update on the status it read, writes the audit
entry and tells the people concerned after commit (`notices.tell`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs.models import NeedCategory
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.coords import CRS, to_wgs84
from jusha.places.models import Community

from . import notices, workflow
from .models import DESCRIPTION_MAX_LENGTH, REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Resource, validate_availability
from .workflow import Step

S = Resource.Status
MAX_CAPACITY = 1_000_000


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = str(value or "").strip()
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _ids(values, *, field: str) -> list[int]:
    out = []
    for value in values or ():
        pk = value.pk if hasattr(value, "pk") else value
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            raise DomainError(_("Choose from the list."), code="invalid_choice", field=field)
        out.append(pk)
    return sorted(set(out))


def _categories(values) -> list[int]:
    ids = _ids(values, field="categories")
    if not ids:
        raise DomainError(_("Choose at least one kind of need this resource helps with."), code="required",
                          field="categories")
    if NeedCategory.objects.filter(pk__in=ids, is_active=True).count() != len(ids):
        raise DomainError(_("Choose from the list."), code="invalid_category", field="categories")
    return ids


def _service_area(values, unit: MemberUnit) -> list[int]:
    """The communities served: those chosen, else the unit's own service area; all in the unit's subdistrict."""
    ids = _ids(values, field="service_area")
    if not ids:
        return sorted(unit.service_area.values_list("pk", flat=True))
    found = Community.objects.filter(pk__in=ids, subdistrict=unit.alliance.subdistrict_id).count()
    if found != len(ids):
        raise DomainError(_("Choose communities of your unit's subdistrict."), code="invalid_community",
                          field="service_area")
    return ids


def _place(lng, lat, crs) -> tuple[float | None, float | None]:
    if lng is None and lat is None:
        return None, None
    bad = DomainError(_("The place could not be read. Leave it empty or pick it again."), code="invalid_location",
                      field="location")
    if not isinstance(lng, (int, float)) or not isinstance(lat, (int, float)) or isinstance(lng, bool) \
            or isinstance(lat, bool) or not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise bad
    try:
        return to_wgs84(float(lng), float(lat), crs or CRS.WGS84)
    except ValueError:
        raise bad from None


def _capacity(value, period) -> tuple[int | None, str]:
    if period not in Resource.Period.values:
        raise DomainError(_("Choose per week or in total."), code="invalid_choice", field="capacity_period")
    if value is None:
        return None, period
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_CAPACITY:
        raise DomainError(_("Enter a whole number from 1 to %(max)s, or leave it empty.") % {"max": MAX_CAPACITY},
                          code="invalid_capacity", field="capacity")
    return value, period


def _availability(value) -> list[dict]:
    value = list(value or [])
    try:
        validate_availability(value)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], code="invalid_availability", field="availability") from None
    return sorted(value, key=lambda s: (s["weekday"], s["start"], s["end"]))


def _mobile(value) -> str:
    from jusha.accounts.services import normalise_mobile

    if not (value or "").strip():
        raise DomainError(_("Enter the contact's mobile number."), code="required", field="contact_mobile")
    try:
        return normalise_mobile(value)
    except DomainError as exc:
        raise DomainError(exc.message, code="invalid_mobile", field="contact_mobile") from None


def _clean(*, unit: MemberUnit, kind, title, description, categories, capacity, capacity_period, availability,
           service_area, lng, lat, crs, contact_name, contact_mobile) -> tuple[dict, list[int], list[int]]:
    if kind not in Resource.Kind.values:
        raise DomainError(_("Choose what kind of resource this is."), code="invalid_choice", field="kind")
    lng, lat = _place(lng, lat, crs)
    capacity, capacity_period = _capacity(capacity, capacity_period)
    fields = {
        "kind": kind,
        "title": _text(title, field="title", limit=TITLE_MAX_LENGTH, required=True,
                       missing=_("Give the resource a short title.")),
        "description": _text(description, field="description", limit=DESCRIPTION_MAX_LENGTH, required=False),
        "capacity": capacity,
        "capacity_period": capacity_period,
        "availability": _availability(availability),
        "lng": lng,
        "lat": lat,
        "contact_name": _text(contact_name, field="contact_name", limit=50, required=True,
                              missing=_("Enter who to contact.")),
        "contact_mobile": _mobile(contact_mobile),
    }
    return fields, _categories(categories), _service_area(service_area, unit)


def _snapshot(resource: Resource, categories: list[int], area: list[int]) -> dict:
    return {"kind": resource.kind, "title": resource.title, "capacity": resource.capacity,
            "capacity_period": resource.capacity_period, "availability": resource.availability,
            "categories": categories, "service_area": area, "lng": resource.lng, "lat": resource.lat,
            "status": resource.status}


def _audit(resource: Resource, step: str, *, actor, before: dict | None, after: dict) -> None:
    audit_record(actor=actor, action=f"resources.{step}", target=resource, before=before, after=after,
                 subdistrict_id=resource.member_unit.alliance.subdistrict_id)


# --- creating and editing -------------------------------------------------------------------------

def resource_create(*, actor, unit: MemberUnit | int, kind: str, title: str, contact_name: str,
                    contact_mobile: str, categories=(), description: str = "", capacity: int | None = None,
                    capacity_period: str = Resource.Period.WEEK, availability=(), service_area=(),
                    lng: float | None = None, lat: float | None = None, crs: str = CRS.WGS84) -> Resource:
    """A unit's liaison describes something the unit offers. It starts as a draft only the unit sees;
    without a chosen service area it serves the unit's own."""
    pk = unit.pk if isinstance(unit, MemberUnit) else unit
    unit = (permissions.visible(actor, Action.RESOURCE_MANAGE, MemberUnit.objects.filter(is_active=True))
            .select_related("alliance").filter(pk=pk).first()) if isinstance(pk, int) else None
    if unit is None:
        raise DomainError(_("Choose your unit."), code="invalid_unit", field="unit")
    fields, category_ids, area_ids = _clean(
        unit=unit, kind=kind, title=title, description=description, categories=categories, capacity=capacity,
        capacity_period=capacity_period, availability=availability, service_area=service_area, lng=lng, lat=lat,
        crs=crs, contact_name=contact_name, contact_mobile=contact_mobile)
    now = clock.now()
    with transaction.atomic():
        resource = Resource.objects.create(member_unit=unit, status=S.DRAFT, created_by=actor, created_at=now,
                                           updated_at=now, **fields)
        resource.categories.set(category_ids)
        resource.service_area.set(area_ids)
        _audit(resource, "create", actor=actor, before=None, after=_snapshot(resource, category_ids, area_ids))
    return resource


def _lock(actor, action: Action, resource: Resource | int) -> Resource:
    """The resource's row, locked, if the actor may do `action` to it as it is now (else a 404)."""
    pk = resource.pk if isinstance(resource, Resource) else resource
    locked = Resource.objects.select_for_update(of=("self",)).select_related("member_unit__alliance").filter(
        pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(resource: Resource, step: Step, *, actor, **changes) -> str:
    """Change the status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = resource.status
    changes["status"] = workflow.target(resource, step)
    changes["updated_at"] = clock.now()
    if Resource.objects.filter(pk=resource.pk, status=from_status).update(**changes) != 1:
        raise DomainError(_("Someone else changed this resource just now. Reload the page to see what changed."),
                          code="conflict")
    for name, value in changes.items():
        setattr(resource, name, value)
    return from_status


def resource_update(*, actor, resource: Resource | int, kind: str, title: str, contact_name: str,
                    contact_mobile: str, categories=(), description: str = "", capacity: int | None = None,
                    capacity_period: str = Resource.Period.WEEK, availability=(), service_area=(),
                    lng: float | None = None, lat: float | None = None, crs: str = CRS.WGS84) -> Resource:
    """The liaison changes the description. An approved resource goes back to review, so that matching
    only ever offers what a reviewer has seen."""
    with transaction.atomic():
        resource = _lock(actor, Action.RESOURCE_MANAGE, resource)
        workflow.target(resource, Step.UPDATE)
        before = _snapshot(resource, sorted(resource.categories.values_list("pk", flat=True)),
                           sorted(resource.service_area.values_list("pk", flat=True)))
        fields, category_ids, area_ids = _clean(
            unit=resource.member_unit, kind=kind, title=title, description=description, categories=categories,
            capacity=capacity, capacity_period=capacity_period, availability=availability,
            service_area=service_area, lng=lng, lat=lat, crs=crs, contact_name=contact_name,
            contact_mobile=contact_mobile)
        was_approved = resource.status == S.APPROVED
        extra = {"submitted_at": clock.now()} if was_approved else {}
        _move(resource, Step.UPDATE, actor=actor, **fields, **extra)
        resource.categories.set(category_ids)
        resource.service_area.set(area_ids)
        _audit(resource, Step.UPDATE, actor=actor, before=before,
               after=_snapshot(resource, category_ids, area_ids))
        if was_approved:
            _tell_after_commit(resource, Step.SUBMIT, actor)
    return resource


# --- the review -----------------------------------------------------------------------------------

def _tell_after_commit(resource: Resource, step: Step, actor) -> None:
    pk, actor_pk = resource.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: notices.tell(pk, step, actor_pk), robust=True)


def _step(actor, action: Action, resource, step: Step, *, note: str = "", **changes) -> Resource:
    resource = _lock(actor, action, resource)
    from_status = _move(resource, step, actor=actor, **changes)
    _audit(resource, step, actor=actor, before={"status": from_status},
           after={"status": resource.status, **({"reason": note} if note else {})})
    _tell_after_commit(resource, step, actor)
    return resource


def resource_submit(*, actor, resource: Resource | int) -> Resource:
    """The liaison sends a draft (or a rejected resource, after editing it) to the subdistrict for review."""
    with transaction.atomic():
        return _step(actor, Action.RESOURCE_MANAGE, resource, Step.SUBMIT, submitted_at=clock.now(),
                     reject_reason="")


def resource_approve(*, actor, resource: Resource | int) -> Resource:
    """Subdistrict staff approve the resource: it is on the resource list and in matching suggestions."""
    with transaction.atomic():
        return _step(actor, Action.RESOURCE_REVIEW, resource, Step.APPROVE, reviewed_by=actor,
                     reviewed_at=clock.now(), reject_reason="")


def resource_reject(*, actor, resource: Resource | int, reason: str) -> Resource:
    """Subdistrict staff send the resource back, saying why; the liaison edits and resubmits it."""
    reason = _text(reason, field="reason", limit=REASON_MAX_LENGTH, required=True,
                   missing=_("Tell the unit what to change."))
    with transaction.atomic():
        return _step(actor, Action.RESOURCE_REVIEW, resource, Step.REJECT, note=reason, reviewed_by=actor,
                     reviewed_at=clock.now(), reject_reason=reason)


def resource_retire(*, actor, resource: Resource | int) -> Resource:
    """The unit no longer offers the resource (its liaison says so, or a reviewer does): it leaves matching
    and stays on the list, retired, for the record."""
    pk = resource.pk if isinstance(resource, Resource) else resource
    with transaction.atomic():
        may_manage = isinstance(pk, int) and permissions.can(
            actor, Action.RESOURCE_MANAGE, Resource(pk=pk))
        return _step(actor, Action.RESOURCE_MANAGE if may_manage else Action.RESOURCE_REVIEW, pk, Step.RETIRE)
