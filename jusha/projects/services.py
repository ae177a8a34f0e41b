"""Every write about service projects: planning (create, update), the workflow steps
(`workflow.TRANSITIONS`) and recording progress.

Each function checks the actor through `permissions`, validates everything before writing (a refusal
is a `DomainError` with a code and changes nothing), runs in one transaction, writes its audit entry
and tells the people concerned after commit (`notices`).

Planning a service item locks the alliance's row, so two staff numbering items at the same moment are
served one after the other; the unique constraint on (alliance, year, kind, number) stands behind it.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.needs.models import NeedCategory
from jusha.orgs.models import Alliance, MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.models import Community
from jusha.resources.models import Resource

from . import notices, workflow
from .models import (
    DESCRIPTION_MAX_LENGTH,
    ITEMS_PER_KIND,
    MAX_PHOTOS,
    MAX_QUANTITY,
    NOTE_MAX_LENGTH,
    TARGET_LABEL_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ProgressPhoto,
    ProgressQuantity,
    ProjectProgress,
    ProjectTarget,
    ServiceProject,
)
from .workflow import Step

S = ServiceProject.Status
K = ServiceProject.Kind
MAX_TARGETS = 3


@dataclass(frozen=True)
class TargetIn:
    """A target as a form or the API sends it; `id` names an existing target when editing."""

    label: str
    measure: str
    quantity: int | None
    id: int | None = None


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _int(value, *, low: int, high: int):
    return value if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high else None


def _ids(values) -> list[int]:
    return [v.pk if hasattr(v, "pk") else v for v in (values or [])]


def _check_ids(ids: list, found: dict, *, field: str, code: str, message) -> list:
    if any(not isinstance(i, int) or i not in found for i in ids):
        raise DomainError(message, code=code, field=field)
    return [found[i] for i in dict.fromkeys(ids)]


@dataclass
class _Plan:
    year: int
    kind: str
    number: int | None
    title: str
    description: str
    categories: list
    owner: MemberUnit | None
    units: list
    resources: list
    communities: list
    starts_on: date
    ends_on: date
    targets: list[TargetIn]


def _clean(alliance: Alliance, *, year, kind, number, title, description, categories, owner, units, resources,
           communities, starts_on, ends_on, targets, linked=frozenset()) -> _Plan:
    """Check a plan; `linked` are the ids of the resources the project bundles already."""
    year = _int(year, low=2000, high=2100)
    if year is None:
        raise DomainError(_("Enter a year between 2000 and 2100."), code="invalid_year", field="year")
    if kind not in K.values:
        raise DomainError(_("Choose whether this is a required item, an optional item or another project."),
                          code="invalid_kind", field="kind")
    if kind in ServiceProject.ITEM_KINDS:
        number = _int(number, low=1, high=ITEMS_PER_KIND)
        if number is None:
            raise DomainError(_("A year has %(n)s required and %(n)s optional service items: choose a number "
                                "from 1 to %(n)s.") % {"n": ITEMS_PER_KIND}, code="invalid_item_number",
                              field="number")
    else:
        number = None
    title = _text(title, field="title", limit=TITLE_MAX_LENGTH, required=True, missing=_("Give the project a title."))
    description = _text(description, field="description", limit=DESCRIPTION_MAX_LENGTH, required=False)
    category_ids = _ids(categories)
    categories = _check_ids(category_ids, NeedCategory.objects.filter(is_active=True).in_bulk(
        [i for i in category_ids if isinstance(i, int)]), field="categories", code="invalid_category",
        message=_("Choose the kinds of need from the list."))
    alliance_units = MemberUnit.objects.filter(alliance=alliance, is_active=True)
    owner_id = owner.pk if hasattr(owner, "pk") else owner
    if owner_id is not None:
        owner = alliance_units.filter(pk=owner_id).first() if isinstance(owner_id, int) else None
        if owner is None:
            raise DomainError(_("Choose the owner among the alliance's member units."), code="invalid_owner",
                              field="owner")
    unit_ids = _ids(units)
    units = _check_ids(unit_ids, alliance_units.in_bulk([i for i in unit_ids if isinstance(i, int)]),
                       field="units", code="invalid_unit",
                       message=_("Choose the participating units among the alliance's member units."))
    resources = _clean_resources(_ids(resources), owner=owner, units=units, linked=linked)
    community_ids = _ids(communities)
    if not community_ids:
        raise DomainError(_("Choose the communities the project covers."), code="required", field="communities")
    communities = _check_ids(community_ids, Community.objects.filter(subdistrict=alliance.subdistrict_id).in_bulk(
        [i for i in community_ids if isinstance(i, int)]), field="communities", code="invalid_community",
        message=_("Choose communities of the subdistrict."))
    if not isinstance(starts_on, date) or not isinstance(ends_on, date):
        raise DomainError(_("Enter when the project starts and ends."), code="required", field="starts_on")
    if ends_on < starts_on:
        raise DomainError(_("The project must end on or after the day it starts."), code="invalid_period",
                          field="ends_on")
    if kind in ServiceProject.ITEM_KINDS and not starts_on.year <= year <= ends_on.year:
        raise DomainError(_("A service item of %(year)s must run during %(year)s.") % {"year": year},
                          code="invalid_period", field="starts_on")
    return _Plan(year=year, kind=kind, number=number, title=title, description=description, categories=categories,
                 owner=owner, units=units, resources=resources, communities=communities, starts_on=starts_on,
                 ends_on=ends_on, targets=_clean_targets(targets))


def _clean_resources(ids: list, *, owner, units, linked) -> list:
    """A project bundles approved resources of its owner or participating units. One it bundles already
    may stay whatever became of it since (retired, or back in review after an edit): that is its history."""
    involved = {u.pk for u in units} | ({owner.pk} if owner else set())
    found = Resource.objects.filter(member_unit__in=involved).in_bulk([i for i in ids if isinstance(i, int)])
    return _check_ids(ids, {pk: r for pk, r in found.items() if r.status == Resource.Status.APPROVED or pk in linked},
                      field="resources", code="invalid_resource",
                      message=_("Choose approved resources of the owner or the participating units."))


def _clean_targets(targets) -> list[TargetIn]:
    targets = list(targets or [])
    if not targets:
        raise DomainError(_("Set at least one target, e.g. 600 person-times served."), code="required",
                          field="targets")
    if len(targets) > MAX_TARGETS:
        raise DomainError(_("At most %(n)s targets, please.") % {"n": MAX_TARGETS}, code="too_many_targets",
                          field="targets")
    cleaned = []
    for t in targets:
        label = _text(t.label, field="targets", limit=TARGET_LABEL_MAX_LENGTH, required=True,
                      missing=_("Say what each target counts."))
        if t.measure not in ProjectTarget.Measure.values:
            raise DomainError(_("Choose the measure of each target."), code="invalid_measure", field="targets")
        quantity = _int(t.quantity, low=1, high=MAX_QUANTITY)
        if quantity is None:
            raise DomainError(_("Each target needs a quantity from 1 to %(max)s.") % {"max": MAX_QUANTITY},
                              code="invalid_quantity", field="targets")
        cleaned.append(TargetIn(label=label, measure=t.measure, quantity=quantity, id=t.id))
    return cleaned


def _check_item_free(plan: _Plan, alliance: Alliance, *, exclude: int | None = None) -> None:
    """Refuse a sixth live item of a kind in a year, or a number another live item holds."""
    if plan.kind not in ServiceProject.ITEM_KINDS:
        return
    live = ServiceProject.objects.filter(alliance=alliance, year=plan.year, kind=plan.kind).exclude(
        status=S.CANCELLED).exclude(pk=exclude)
    if live.count() >= ITEMS_PER_KIND:
        raise DomainError(_("%(year)s already has %(n)s %(kind)s items. Cancel one before adding another.")
                          % {"year": plan.year, "n": ITEMS_PER_KIND, "kind": K(plan.kind).label},
                          code="items_full", field="number")
    if live.filter(number=plan.number).exists():
        raise _number_taken(plan)


def _number_taken(plan: _Plan) -> DomainError:
    return DomainError(_("%(kind)s number %(number)s of %(year)s exists already. Choose a free number.")
                       % {"kind": K(plan.kind).label, "number": plan.number, "year": plan.year},
                       code="item_number_taken", field="number")


def _save(project: ServiceProject, plan: _Plan) -> None:
    """Write the plan to the project row; a lost race on the item number becomes the same clear refusal."""
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError:
        raise _number_taken(plan) from None
    project.categories.set(plan.categories)
    project.units.set(plan.units)
    project.resources.set(plan.resources)
    project.communities.set(plan.communities)


def _snapshot(project: ServiceProject) -> dict:
    return {"year": project.year, "kind": project.kind, "number": project.number, "title": project.title,
            "owner": project.owner_id, "starts_on": str(project.starts_on), "ends_on": str(project.ends_on),
            "units": sorted(u.pk for u in project.units.all()),
            "resources": sorted(r.pk for r in project.resources.all()),
            "communities": sorted(c.pk for c in project.communities.all()),
            "categories": sorted(c.pk for c in project.categories.all()),
            "targets": [[t.label, t.measure, t.quantity] for t in project.targets.all()]}


# --- planning --------------------------------------------------------------------------------------

def project_create(*, actor, alliance: Alliance, year: int, kind: str, number: int | None = None, title: str,
                   description: str = "", categories=(), owner: MemberUnit | int | None = None, units=(),
                   resources=(), communities=(), starts_on: date, ends_on: date, targets) -> ServiceProject:
    """Subdistrict staff plan a project (a numbered required or optional item of a year, or another
    project), bundling approved resources of its units. It starts as planned; the participating units
    hear about it when it starts."""
    if alliance is None or not permissions.can(actor, Action.PROJECT_MANAGE, alliance):
        raise NotAllowed()
    plan = _clean(alliance, year=year, kind=kind, number=number, title=title, description=description,
                  categories=categories, owner=owner, units=units, resources=resources, communities=communities,
                  starts_on=starts_on, ends_on=ends_on, targets=targets)
    now = clock.now()
    with transaction.atomic():
        Alliance.objects.select_for_update().filter(pk=alliance.pk).first()
        _check_item_free(plan, alliance)
        project = ServiceProject(alliance=alliance, year=plan.year, kind=plan.kind, number=plan.number,
                                 title=plan.title, description=plan.description, owner=plan.owner,
                                 starts_on=plan.starts_on, ends_on=plan.ends_on, status=S.PLANNED,
                                 created_by=actor, created_at=now, updated_at=now)
        _save(project, plan)
        ProjectTarget.objects.bulk_create([ProjectTarget(project=project, label=t.label, measure=t.measure,
                                                         quantity=t.quantity) for t in plan.targets])
        audit_record(actor=actor, action="projects.create", target=project, after=_snapshot(project),
                     subdistrict_id=alliance.subdistrict_id)
    return project


def project_update(*, actor, project: ServiceProject | int, year: int, kind: str, number: int | None = None,
                   title: str, description: str = "", categories=(), owner: MemberUnit | int | None = None,
                   units=(), resources=(), communities=(), starts_on: date, ends_on: date,
                   targets) -> ServiceProject:
    """Staff change a planned or running project. A target that already has progress can have its
    quantity or words changed but cannot be removed; a resource it bundles stays offered even once retired."""
    pk = project.pk if isinstance(project, ServiceProject) else project
    with transaction.atomic():
        locked = ServiceProject.objects.select_for_update().select_related("alliance").filter(pk=pk).first()
        if locked is None or not permissions.can(actor, Action.PROJECT_MANAGE, locked):
            raise NotAllowed()
        if locked.status not in workflow.EDITABLE:
            raise workflow.refusal(locked)
        alliance = locked.alliance
        plan = _clean(alliance, year=year, kind=kind, number=number, title=title, description=description,
                      categories=categories, owner=owner, units=units, resources=resources, communities=communities,
                      starts_on=starts_on, ends_on=ends_on, targets=targets,
                      linked=set(locked.resources.values_list("pk", flat=True)))
        Alliance.objects.select_for_update().filter(pk=alliance.pk).first()
        _check_item_free(plan, alliance, exclude=locked.pk)
        existing = {t.pk: t for t in locked.targets.all()}
        kept = {t.id for t in plan.targets if t.id is not None}
        if kept - set(existing):
            raise DomainError(_("A target of another project was sent."), code="invalid_target", field="targets")
        if ProgressQuantity.objects.filter(target__in=set(existing) - kept).exists():
            raise DomainError(_("A target that already has progress cannot be removed."),
                              code="target_has_progress", field="targets")
        before = _snapshot(locked)
        for name in ("year", "kind", "number", "title", "description", "owner", "starts_on", "ends_on"):
            setattr(locked, name, getattr(plan, name))
        locked.updated_at = clock.now()
        _save(locked, plan)
        ProjectTarget.objects.filter(project=locked).exclude(pk__in=kept).delete()
        for t in plan.targets:
            if t.id is None:
                ProjectTarget.objects.create(project=locked, label=t.label, measure=t.measure, quantity=t.quantity)
            else:
                ProjectTarget.objects.filter(pk=t.id).update(label=t.label, measure=t.measure, quantity=t.quantity)
        audit_record(actor=actor, action="projects.update", target=locked, before=before, after=_snapshot(locked),
                     subdistrict_id=alliance.subdistrict_id)
    return locked


# --- the workflow steps -------------------------------------------------------------------------

def _move(actor, project: ServiceProject | int, step: Step, *, stamp: str, reason: str = "",
          **changes) -> ServiceProject:
    """Change the status as the table says, on the condition that nobody changed it meanwhile; `stamp`
    is the time field the step sets."""
    pk = project.pk if isinstance(project, ServiceProject) else project
    with transaction.atomic():
        locked = ServiceProject.objects.select_for_update().select_related("alliance").filter(pk=pk).first()
        if locked is None or not permissions.can(actor, Action.PROJECT_MANAGE, locked):
            raise NotAllowed()
        from_status = locked.status
        to_status = workflow.target(locked, step)
        now = clock.now()
        changes[stamp] = now
        ServiceProject.objects.filter(pk=pk, status=from_status).update(status=to_status, updated_at=now, **changes)
        locked.refresh_from_db()
        audit_record(actor=actor, action=f"projects.{step}", target=locked, before={"status": from_status},
                     after={"status": to_status, **({"reason": reason} if reason else {})},
                     subdistrict_id=locked.alliance.subdistrict_id)
        transaction.on_commit(lambda: notices.tell_step(locked.pk, step, actor_id=actor.pk), robust=True)
    return locked


def project_start(*, actor, project: ServiceProject | int) -> ServiceProject:
    """The project begins: its owner's and participants' liaisons are told and may record progress."""
    return _move(actor, project, Step.START, stamp="started_at")


def project_finish(*, actor, project: ServiceProject | int) -> ServiceProject:
    """The project is done; its progress stays as recorded and no more can be added."""
    return _move(actor, project, Step.FINISH, stamp="ended_at")


def project_cancel(*, actor, project: ServiceProject | int, reason: str) -> ServiceProject:
    """The project will not (or no longer) happen. A cancelled item frees its number for the year."""
    reason = _text(reason, field="reason", limit=NOTE_MAX_LENGTH, required=True,
                   missing=_("Say why the project is cancelled."))
    return _move(actor, project, Step.CANCEL, stamp="ended_at", reason=reason, cancel_reason=reason)


# --- progress ------------------------------------------------------------------------------------

def progress_record(*, actor, project: ServiceProject | int, on: date, quantities: dict, note: str = "",
                    photo_files=()) -> ProjectProgress:
    """The owner's or a participant's liaison (or subdistrict staff) reports work done on a running
    project: a day, a quantity per target, a note and photos. Subdistrict staff are told."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=False)
    if not isinstance(on, date):
        raise DomainError(_("Enter the day the work was done."), code="required", field="on")
    if on > timezone.localdate(clock.now()):
        raise DomainError(_("Progress can only be recorded for a day that has come."), code="invalid_date",
                          field="on")
    files = [f for f in (photo_files or []) if f]
    if len(files) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos, please.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                          field="photos")
    cleaned = [photos.clean_photo(f) for f in files]
    pk = project.pk if isinstance(project, ServiceProject) else project
    with transaction.atomic():
        locked = ServiceProject.objects.select_for_update().select_related("alliance").filter(pk=pk).first()
        if locked is None or not permissions.can(actor, Action.PROJECT_RECORD_PROGRESS, locked):
            raise NotAllowed()
        if locked.status not in workflow.RECORDS_PROGRESS:
            raise workflow.refusal(locked)
        if on < locked.starts_on:
            raise DomainError(_("The project starts on %(day)s; record work from that day on.")
                              % {"day": locked.starts_on}, code="invalid_date", field="on")
        targets = {t.pk: t for t in locked.targets.all()}
        amounts = {}
        for key, value in (quantities or {}).items():
            if key not in targets:
                raise DomainError(_("A target of another project was sent."), code="invalid_target",
                                  field="quantities")
            amount = _int(value, low=0, high=MAX_QUANTITY)
            if amount is None:
                raise DomainError(_("Enter a whole number from 0 to %(max)s.") % {"max": MAX_QUANTITY},
                                  code="invalid_quantity", field="quantities")
            if amount:
                amounts[key] = amount
        if not amounts:
            raise DomainError(_("Enter how much was done for at least one target."), code="nothing_recorded",
                              field="quantities")
        units = actor_of(actor).member_units
        involved = [u for u in [locked.owner_id, *locked.units.values_list("pk", flat=True)] if u in units]
        now = clock.now()
        entry = ProjectProgress.objects.create(project=locked, on=on, note=note, recorded_by=actor, created_at=now,
                                               member_unit_id=involved[0] if involved else None)
        ProgressQuantity.objects.bulk_create([ProgressQuantity(progress=entry, target_id=t, quantity=q)
                                              for t, q in amounts.items()])
        for photo in cleaned:
            ProgressPhoto.objects.create(progress=entry, image=photo.file, created_at=now)
        audit_record(actor=actor, action="projects.progress_record", target=locked,
                     after={"progress": entry.pk, "on": str(on), "quantities": {str(k): v for k, v in amounts.items()},
                            "photos": len(cleaned)}, subdistrict_id=locked.alliance.subdistrict_id)
        transaction.on_commit(lambda: notices.tell_progress(entry.pk), robust=True)
    return entry
