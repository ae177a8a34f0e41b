"""Every write about needs: one function per step of the workflow (`workflow.TRANSITIONS`).

Each step checks the actor through `permissions` after locking the need's row, looks the step up in
the transition table (one refusal for every invalid step), changes the row with a conditional update
on the status it read, appends the `NeedEvent` the resident's timeline shows, writes the audit entry,
and tells the people concerned only after commit (`notices.tell`, one place per step).
"""

import difflib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.services import audit_record
from jusha.calendars.selectors import add_working_time
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.coords import CRS
from jusha.places.models import Community, Grid
from jusha.places.selectors import locate_in_crs
from jusha.points.services import points_award_for
from jusha.volunteers.models import Volunteer
from jusha.volunteers.selectors import matchable_volunteers

from . import notices, photos, workflow
from .models import (
    ADDRESS_MAX_LENGTH,
    MAX_PHOTOS,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Claim,
    Need,
    NeedCategory,
    NeedEvent,
    NeedPhoto,
    Rating,
)
from .workflow import Step

S = Need.Status
DUPLICATE_RATIO = 0.9


# --- checking input (before anything is written) -----------------------------------------------

def _text(value: str, *, field: str, limit: int, required: bool, missing) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _reason(value: str, *, missing=None) -> str:
    return _text(value, field="reason", limit=NOTE_MAX_LENGTH, required=True,
                 missing=missing or _("Please give a reason."))


def _category(value) -> NeedCategory:
    pk = value.pk if isinstance(value, NeedCategory) else value
    category = NeedCategory.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if category is None:
        raise DomainError(_("Choose what kind of help you need."), code="invalid_category", field="category")
    return category


def _choice(value, choices, *, field: str, message):
    if value not in choices.values:
        raise DomainError(message, code="invalid_choice", field=field)
    return choices(value)


def _window(start: datetime | None, end: datetime | None) -> tuple[datetime | None, datetime | None]:
    if start and end and end <= start:
        raise DomainError(_("The preferred time must end after it starts."), code="invalid_window",
                          field="preferred_until")
    if end and end <= clock.now():
        raise DomainError(_("The preferred time is already over."), code="invalid_window", field="preferred_until")
    return start, end


def _clean_photos(files, *, already: int = 0) -> list[photos.CleanPhoto]:
    files = [f for f in (files or []) if f]
    if already + len(files) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos, please.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                          field="photos")
    return [photos.clean_photo(f) for f in files]


def _route(*, lng, lat, crs, community) -> tuple[Community, Grid | None, float | None, float | None]:
    """Where the need is: the community whose area contains the point, else the community chosen."""
    if lng is not None or lat is not None:
        if lng is None or lat is None or not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise DomainError(_("The location could not be read. Try again or choose your community."),
                              code="invalid_location", field="location")
        if crs not in {c.value for c in CRS}:
            raise DomainError(_("Unknown coordinate system."), code="invalid_location", field="location")
        where = locate_in_crs(lng, lat, crs)
        if not where.inside:
            raise DomainError(_("This place is outside the area Jusha serves, so no community can take the need. "
                                "Choose your community from the list instead."), code="outside_area",
                              field="location")
        grid = Grid.objects.filter(pk=where.grid_id).first() if where.grid_id else None
        return Community.objects.get(pk=where.community_id), grid, where.lng, where.lat
    if community is None:
        raise DomainError(_("Share your location or choose your community."), code="required", field="community")
    return community, None, None, None


def _similar(a: str, b: str) -> bool:
    def norm(s):
        return "".join(s.split()).casefold()

    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio() >= DUPLICATE_RATIO


# --- submitting ----------------------------------------------------------------------------------

def need_submit(*, actor, category, text: str, community: Community | None = None, lng: float | None = None,
                lat: float | None = None, crs: str = CRS.WGS84, address: str = "",
                urgency: int = Need.Urgency.NORMAL, preferred_from: datetime | None = None,
                preferred_until: datetime | None = None, contact: str = Need.Contact.CALL,
                photo_files=()) -> tuple[Need, bool]:
    """A resident asks for help. The need goes to the community whose area contains the location
    (or the community chosen) and waits in its staff's triage queue. Sending near-identical text
    again within JUSHA_NEED_DUPLICATE_MINUTES returns the need already sent: (need, created)."""
    if not permissions.can(actor, Action.NEED_SUBMIT):
        raise NotAllowed()
    if community is None and lng is None and lat is None:
        community = (Community.objects.filter(roleassignment__user=actor, roleassignment__role=Role.RESIDENT)
                     .first())
    return _submit(actor=actor, resident=actor, category=category, text=text, community=community, lng=lng,
                   lat=lat, crs=crs, address=address, urgency=urgency, preferred_from=preferred_from,
                   preferred_until=preferred_until, contact=contact, photo_files=photo_files)


def need_submit_on_behalf(*, actor, community: Community, resident: User | None = None, resident_name: str = "",
                          resident_mobile: str = "", category, text: str, address: str = "",
                          urgency: int = Need.Urgency.NORMAL, preferred_from: datetime | None = None,
                          preferred_until: datetime | None = None, contact: str = Need.Contact.CALL,
                          photo_files=()) -> tuple[Need, bool]:
    """代办: staff enter a need for a resident without a phone (a visit, a call to the office).

    The resident is an existing person of the community, or is recorded now by name (and mobile, if
    they have one, so that they can log in later). The need is marked as entered on their behalf.
    """
    if community is None or not permissions.can(actor, Action.NEED_SUBMIT_ON_BEHALF, community):
        raise DomainError(_("You can enter needs only for the communities you serve."), code="not_your_community",
                          field="community")
    with transaction.atomic():
        if resident is None:
            resident = _resident_for(actor=actor, community=community, name=resident_name, mobile=resident_mobile)
        elif not permissions.can(actor, Action.PERSON_VIEW, resident):
            raise NotAllowed()
        return _submit(actor=actor, resident=resident, on_behalf=True, category=category, text=text,
                       community=community, lng=None, lat=None, crs=CRS.WGS84, address=address, urgency=urgency,
                       preferred_from=preferred_from, preferred_until=preferred_until, contact=contact,
                       photo_files=photo_files)


def _resident_for(*, actor, community: Community, name: str, mobile: str) -> User:
    from jusha.accounts.services import normalise_mobile, role_grant

    name = _text(name, field="resident_name", limit=50, required=True,
                 missing=_("Enter the resident's name."))
    mobile = normalise_mobile(mobile) if (mobile or "").strip() else None
    person = User.objects.filter(mobile=mobile).first() if mobile else None
    if person is None:
        # No phone, no log-in: an unusable password and a username nobody types.
        person = User.objects.create_user(username=None if mobile else f"nophone-{secrets.token_hex(6)}",
                                          mobile=mobile, name=name)
        audit_record(actor=actor, action="needs.resident_recorded", target=person,
                     after={"name": name, "mobile": "masked" if mobile else ""}, community_id=community.pk)
    if not RoleAssignment.objects.filter(user=person, role=Role.RESIDENT).exists():
        role_grant(actor=actor, user=person, role=Role.RESIDENT, scope=community)
    return person


def _submit(*, actor, resident: User, on_behalf: bool = False, category, text, community, lng, lat, crs, address,
            urgency, preferred_from, preferred_until, contact, photo_files) -> tuple[Need, bool]:
    category = _category(category)
    text = _text(text, field="text", limit=TEXT_MAX_LENGTH, required=True,
                 missing=_("Tell us what you need help with."))
    address = _text(address, field="address", limit=ADDRESS_MAX_LENGTH, required=False, missing="")
    urgency = _choice(urgency, Need.Urgency, field="urgency", message=_("Choose how urgent it is."))
    contact = _choice(contact, Need.Contact, field="contact", message=_("Choose how we should contact you."))
    preferred_from, preferred_until = _window(preferred_from, preferred_until)
    community, grid, lng, lat = _route(lng=lng, lat=lat, crs=crs, community=community)
    cleaned = _clean_photos(photo_files)
    now = clock.now()
    with transaction.atomic():
        # One submission per resident at a time, so a double tap cannot slip past the duplicate guard.
        list(User.objects.select_for_update().filter(pk=resident.pk).values_list("pk", flat=True))
        since = now - timedelta(minutes=settings.JUSHA_NEED_DUPLICATE_MINUTES)
        for earlier in Need.objects.filter(resident=resident, submitted_at__gte=since).order_by("-submitted_at"):
            if _similar(earlier.text, text):
                return earlier, False
        need = Need.objects.create(
            resident=resident, on_behalf_by=actor if on_behalf else None, community=community, grid=grid,
            lng=lng, lat=lat, address=address, category=category, text=text, urgency=urgency,
            preferred_from=preferred_from, preferred_until=preferred_until, contact=contact,
            status=S.SUBMITTED, level=Need.Level.COMMUNITY, submitted_at=now, **_clocks(category, now),
        )
        _store_photos(need, cleaned, stage=NeedPhoto.Stage.SUBMITTED, by=actor, at=now)
        _record(need, Step.SUBMIT, actor=actor, from_status="", at=now,
                after={"community": community.pk, "category": category.code, "urgency": int(urgency),
                       "on_behalf": on_behalf, "photos": len(cleaned)})
    return need, True


def _clocks(category: NeedCategory, start: datetime) -> dict:
    """Both clocks started at `start`, counted in service time (the service calendar)."""
    return {"first_response_due_at": add_working_time(start, category.first_response_target),
            "completion_due_at": add_working_time(start, category.completion_target),
            "first_response_overdue_at": None, "completion_overdue_at": None}


def _store_photos(need: Need, cleaned, *, stage, by, at) -> None:
    for photo in cleaned:
        NeedPhoto.objects.create(need=need, stage=stage, image=photo.file, uploaded_by=by, created_at=at)


# --- the steps after submission -----------------------------------------------------------------

def _lock(actor, action: Action, need: Need | int) -> Need:
    """The need's row, locked for this transaction, if the actor may do `action` to it (else a 404).

    The permission is asked after the lock so that it sees the need as it is now (a need escalated a
    moment ago is no longer the community's to decide)."""
    pk = need.pk if isinstance(need, Need) else need
    locked = Need.objects.select_for_update().filter(pk=pk).first()
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(need: Need, step: Step, *, actor, note: str = "", internal: bool = False, unit: MemberUnit | None = None,
          staff_decision: bool = False, after: dict | None = None, **changes) -> Need:
    """Change the need's status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = need.status
    to_status = workflow.target(need, step)
    now = clock.now()
    changes["status"] = to_status
    if staff_decision and need.first_response_at is None:
        changes["first_response_at"] = now
    updated = Need.objects.filter(pk=need.pk, status=from_status).update(**changes, updated_at=now)
    if updated != 1:
        raise DomainError(_("Someone else changed this need just now. Reload the page to see what changed."),
                          code="conflict")
    for field, value in changes.items():
        setattr(need, field, value)
    need.refresh_from_db(fields=[f for f, v in changes.items() if hasattr(v, "resolve_expression")])
    _record(need, step, actor=actor, from_status=from_status, at=now, note=note, internal=internal, unit=unit,
            after=after)
    return need


def _record(need: Need, step: Step, *, actor, from_status: str, at: datetime, note: str = "",
            internal: bool = False, unit: MemberUnit | None = None, after: dict | None = None) -> NeedEvent:
    event = NeedEvent.objects.create(need=need, at=at, actor=actor if _is_person(actor) else None, step=step,
                                     from_status=from_status, to_status=need.status, member_unit=unit,
                                     note=str(note), note_is_internal=internal)
    audit_record(actor=actor, action=f"needs.{step}", target=need, before={"status": from_status} if from_status
                 else None, after={"status": need.status, **({"unit": unit.pk} if unit else {}),
                                   **({"note": str(note)} if note else {}), **(after or {})},
                 community_id=need.community_id)
    transaction.on_commit(lambda: notices.tell(event.pk), robust=True)
    return event


def _is_person(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def need_accept(*, actor, need: Need) -> Need:
    """Community staff take the need on: it is open for a helper and shows on the public board."""
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        return _move(need, Step.ACCEPT, actor=actor, staff_decision=True, accepted_at=clock.now())


def need_reject(*, actor, need: Need, reason: str) -> Need:
    """Staff decline the need; the resident sees the reason on the tracking page."""
    reason = _reason(reason, missing=_("Tell the resident why the need cannot be taken on."))
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        return _move(need, Step.REJECT, actor=actor, note=reason, staff_decision=True, closed_at=clock.now())


def need_resolve(*, actor, need: Need, resolution: str, photo_files=()) -> Need:
    """Staff solved it themselves (a phone call, advice); the resident confirms and rates as usual."""
    resolution = _text(resolution, field="resolution", limit=NOTE_MAX_LENGTH, required=True,
                       missing=_("Describe what was done."))
    cleaned = _clean_photos(photo_files)
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        now = clock.now()
        _move(need, Step.RESOLVE, actor=actor, note=resolution, staff_decision=True, resolution=resolution,
              completed_at=now)
        _store_photos(need, cleaned, stage=NeedPhoto.Stage.COMPLETED, by=actor, at=now)
        return need


def need_escalate(*, actor, need: Need, reason: str) -> Need:
    """The community hands the need to the subdistrict (两级研判), e.g. to match a unit it has no access to."""
    reason = _reason(reason, missing=_("Say why the subdistrict should take this on."))
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        return _move(need, Step.ESCALATE, actor=actor, note=reason, internal=True, staff_decision=True,
                     level=Need.Level.SUBDISTRICT, escalated_at=clock.now())


def need_send_back(*, actor, need: Need, reason: str) -> Need:
    """The subdistrict returns an escalated need to its community's queue, saying why."""
    reason = _reason(reason, missing=_("Say why the need goes back to the community."))
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        return _move(need, Step.SEND_BACK, actor=actor, note=reason, internal=True, level=Need.Level.COMMUNITY)


def matchable_units(actor, need: Need):
    """The member units `actor` may pair `need` with: community staff those serving its community,
    subdistrict staff (and administrators) every active unit of the subdistrict's alliance."""
    subdistrict_id = need.community.subdistrict_id
    units = MemberUnit.objects.filter(is_active=True, alliance__subdistrict=subdistrict_id)
    who = actor_of(actor)
    if who.is_admin or subdistrict_id in who.subdistricts_as(Role.SUBDISTRICT_STAFF):
        return units.order_by("name")
    if need.community_id in who.communities_as(Role.COMMUNITY_STAFF):
        return units.filter(Q(service_area=need.community_id) | Q(sub_alliance__community=need.community_id)
                            ).distinct().order_by("name")
    return units.none()


def _matchable(actor, need: Need, unit: MemberUnit | int | None) -> MemberUnit:
    pk = unit.pk if isinstance(unit, MemberUnit) else unit
    found = matchable_units(actor, need).filter(pk=pk).first() if isinstance(pk, int) else None
    if found is None:
        raise DomainError(_("Choose one of the units serving this community, or escalate the need so that the "
                            "subdistrict can match another unit."), code="invalid_unit", field="unit")
    return found


def _matchable_volunteer(actor, need: Need, volunteer: Volunteer | int | None) -> Volunteer:
    pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
    found = (matchable_volunteers(actor, need).select_for_update(of=("self",)).filter(pk=pk).first()
             if isinstance(pk, int) else None)
    if found is None:
        raise DomainError(_("Choose one of the approved volunteers serving this community."),
                          code="invalid_volunteer", field="volunteer")
    return found


def need_match(*, actor, need: Need, unit: MemberUnit | int | None = None, volunteer=None,
               note: str = "") -> Claim:
    """Staff pair the need with a member unit or an approved volunteer (pass one of them); the unit's
    liaison, or the volunteer, then accepts or declines it."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=False, missing="")
    if (unit is None) == (volunteer is None):
        raise DomainError(_("Choose a unit or a volunteer."), code="invalid_unit", field="unit")
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        now = clock.now()
        if volunteer is not None:
            volunteer = _matchable_volunteer(actor, need, volunteer)
            _move(need, Step.MATCH, actor=actor, note=note, internal=True, staff_decision=True, matched_at=now,
                  after={"volunteer": volunteer.pk})
            return _offer(need, None, actor=actor, at=now, person=volunteer.user)
        unit = _matchable(actor, need, unit)
        _move(need, Step.MATCH, actor=actor, note=note, internal=True, unit=unit, staff_decision=True,
              matched_at=now)
        return _offer(need, unit, actor=actor, at=now)


def _offer(need: Need, unit: MemberUnit | None, *, actor, at: datetime, person: User | None = None) -> Claim:
    """The offer of a match: to a unit (its liaisons answer), or to a volunteer (`person`, who answers)."""
    try:
        with transaction.atomic():
            return Claim.objects.create(need=need, member_unit=unit, claimant=person, via=Claim.Via.MATCH,
                                        status=Claim.Status.OFFERED, offered_by=actor, created_at=at)
    except IntegrityError:
        raise _already_taken() from None


def _already_taken() -> DomainError:
    return DomainError(_("Someone else has just taken this need on. Thank you all the same — please choose "
                         "another one."), code="already_claimed")


def _lock_claim(actor, claim: Claim | int) -> tuple[Need, Claim]:
    pk = claim.pk if isinstance(claim, Claim) else claim
    need_id = Claim.objects.filter(pk=pk).values_list("need_id", flat=True).first()
    need = Need.objects.select_for_update().filter(pk=need_id).first() if need_id else None
    locked = Claim.objects.select_for_update(of=("self",)).select_related("member_unit").filter(pk=pk).first()
    if need is None or locked is None or not permissions.can(actor, Action.CLAIM_HANDLE, locked):
        raise NotAllowed()
    return need, locked


def _claim_is(claim: Claim, status: str) -> None:
    if claim.status != status:
        raise DomainError(_("This is no longer possible: the claim is now “%(status)s”.")
                          % {"status": claim.get_status_display()}, code="invalid_transition")


def need_match_accept(*, actor, claim: Claim) -> Claim:
    """The matched unit's liaison (or the matched volunteer) takes the need on; the resident learns who
    will help. A volunteer suspended since the match can no longer take it."""
    with transaction.atomic():
        need, claim = _lock_claim(actor, claim)
        _claim_is(claim, Claim.Status.OFFERED)
        if claim.member_unit_id is None:
            _lock_volunteer(actor)
        now = clock.now()
        _move(need, Step.MATCH_ACCEPT, actor=actor, unit=claim.member_unit, started_at=now)
        Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.ACTIVE, claimant=actor, accepted_at=now)
        claim.refresh_from_db()
        return claim


def need_match_decline(*, actor, claim: Claim, reason: str) -> Claim:
    """The matched unit cannot help; the need goes back to the staff who matched it."""
    reason = _reason(reason)
    with transaction.atomic():
        need, claim = _lock_claim(actor, claim)
        _claim_is(claim, Claim.Status.OFFERED)
        _end_claim(claim, Claim.Status.DECLINED, reason)
        _move(need, Step.MATCH_DECLINE, actor=actor, note=reason, internal=True, unit=claim.member_unit)
        return claim


def _end_claim(claim: Claim, status: str, reason: str) -> None:
    Claim.objects.filter(pk=claim.pk).update(status=status, ended_at=clock.now(), end_reason=reason)
    claim.refresh_from_db()


def _lock_volunteer(actor) -> None:
    """The actor's approved volunteer record, locked (so their claims are counted one at a time), and
    their number of needs in hand checked against JUSHA_VOLUNTEER_MAX_LIVE_CLAIMS."""
    if not Volunteer.objects.select_for_update().filter(user=actor, status=Volunteer.Status.APPROVED).exists():
        raise DomainError(_("Only approved volunteers can take needs on for themselves."), code="not_a_volunteer")
    live = Claim.objects.filter(claimant=actor, member_unit__isnull=True, status=Claim.Status.ACTIVE).count()
    if live >= settings.JUSHA_VOLUNTEER_MAX_LIVE_CLAIMS:
        raise DomainError(_("You already have %(n)s needs in hand. Please finish one of them before taking on "
                            "another.") % {"n": live}, code="claim_limit")


def need_claim(*, actor, need: Need | int, unit: MemberUnit | int | None = None) -> Claim:
    """A unit's liaison takes an open need from the public board for their unit, or an approved
    volunteer for themselves (needs of the communities they serve, a few at a time). Of many racing
    claims exactly one wins (the row lock, then the one-live-claim constraint); the others are told it
    is taken."""
    units = actor_of(actor).member_units
    unit_pk = unit.pk if isinstance(unit, MemberUnit) else unit
    if unit_pk is None and len(units) == 1:
        unit_pk = next(iter(units))
    for_self = unit_pk is None and not units
    if not for_self and unit_pk not in units:
        raise DomainError(_("Choose the unit you claim this need for."), code="invalid_unit", field="unit")
    with transaction.atomic():
        # A volunteer sees the whole board but takes only needs of the communities they serve.
        need = _lock(actor, Action.NEED_BOARD_VIEW if for_self else Action.NEED_CLAIM, need)
        if for_self:
            unit = None
            _lock_volunteer(actor)
            if not permissions.can(actor, Action.NEED_CLAIM, need):
                raise DomainError(_("This need is outside the communities you serve as a volunteer."),
                                  code="outside_area")
        else:
            unit = MemberUnit.objects.filter(pk=unit_pk, is_active=True,
                                             alliance__subdistrict=need.community.subdistrict_id).first()
            if unit is None:
                raise DomainError(_("Your unit cannot claim needs here."), code="invalid_unit", field="unit")
        if need.status != S.ACCEPTED:
            if Claim.objects.filter(need=need, status__in=Claim.LIVE).exists():
                raise _already_taken()
            workflow.target(need, Step.CLAIM)
        now = clock.now()
        try:
            with transaction.atomic():
                claim = Claim.objects.create(need=need, member_unit=unit, claimant=actor, via=Claim.Via.BOARD,
                                             status=Claim.Status.ACTIVE, created_at=now, accepted_at=now)
        except IntegrityError:
            raise _already_taken() from None
        _move(need, Step.CLAIM, actor=actor, unit=unit, started_at=now)
        return claim


def claim_release(*, actor, claim: Claim, reason: str) -> Claim:
    """The unit gives a need it took on back, saying why; it returns to the open list."""
    reason = _reason(reason)
    with transaction.atomic():
        need, claim = _lock_claim(actor, claim)
        _claim_is(claim, Claim.Status.ACTIVE)
        _end_claim(claim, Claim.Status.RELEASED, reason)
        _move(need, Step.CLAIM_RELEASE, actor=actor, note=reason, internal=True, unit=claim.member_unit,
              started_at=None)
        return claim


def need_reassign(*, actor, need: Need, unit: MemberUnit | int, reason: str) -> Claim:
    """Staff take the need from the unit holding it (or offered it) and offer it to another unit."""
    reason = _reason(reason)
    with transaction.atomic():
        need = _lock(actor, Action.NEED_TRIAGE, need)
        unit = _matchable(actor, need, unit)
        current = Claim.objects.select_for_update().filter(need=need, status__in=Claim.LIVE).first()
        if current is not None and current.member_unit_id == unit.pk:
            raise DomainError(_("The need is already with this unit. Choose another one."), code="invalid_unit",
                              field="unit")
        if current is not None:
            _end_claim(current, Claim.Status.WITHDRAWN, reason)
        now = clock.now()
        _move(need, Step.REASSIGN, actor=actor, note=reason, internal=True, unit=unit, matched_at=now,
              started_at=None)
        return _offer(need, unit, actor=actor, at=now)


def need_complete(*, actor, need: Need, resolution: str, photo_files=()) -> Need:
    """Whoever handled the need records what was done (text and photos); the resident is asked to
    confirm and rate. The unit's liaison does it, or staff for them."""
    resolution = _text(resolution, field="resolution", limit=NOTE_MAX_LENGTH, required=True,
                       missing=_("Describe what was done."))
    pk = need.pk if isinstance(need, Need) else need
    already = NeedPhoto.objects.filter(need=pk, stage=NeedPhoto.Stage.COMPLETED).count()
    cleaned = _clean_photos(photo_files, already=already)
    with transaction.atomic():
        locked = Need.objects.select_for_update().filter(pk=pk).first()
        claim = Claim.objects.select_for_update(of=("self",)).select_related("member_unit").filter(
            need=pk, status__in=Claim.LIVE).first()
        may = locked is not None and (permissions.can(actor, Action.NEED_TRIAGE, locked) or (
            claim is not None and permissions.can(actor, Action.CLAIM_HANDLE, claim)))
        if not may:
            raise NotAllowed()
        now = clock.now()
        _move(locked, Step.COMPLETE, actor=actor, note=resolution, unit=claim.member_unit if claim else None,
              resolution=resolution, completed_at=now)
        if claim is not None:
            _end_claim(claim, Claim.Status.DONE, "")
        _store_photos(locked, cleaned, stage=NeedPhoto.Stage.COMPLETED, by=actor, at=now)
        return locked


def need_confirm(*, actor, need: Need, stars: int, comment: str = "") -> Rating:
    """The resident confirms the need is done and rates the help 1–5 with a comment."""
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise DomainError(_("Give 1 to 5 stars."), code="invalid_rating", field="stars")
    comment = _text(comment, field="comment", limit=NOTE_MAX_LENGTH, required=False, missing="")
    with transaction.atomic():
        need = _lock(actor, Action.NEED_CONFIRM, need)
        now = clock.now()
        _move(need, Step.CONFIRM, actor=actor, note=comment, closed_at=now)
        done = _pay_helper(need, actor=actor)
        return Rating.objects.create(need=need, by=actor, stars=stars, comment=comment,
                                     member_unit_id=done.member_unit_id if done else None, created_at=now)


def _pay_helper(need: Need, *, actor) -> Claim | None:
    """The claim that completed the need; its claimant earns the need_fulfilled points (once per need,
    however often it is reopened and confirmed again)."""
    done = Claim.objects.filter(need=need, status=Claim.Status.DONE).order_by("-ended_at", "-pk").first()
    if done is not None and done.claimant_id is not None:
        points_award_for(actor=actor, person=done.claimant, trigger="need_fulfilled", source=need)
    return done


def need_reopen(*, actor, need: Need, reason: str) -> Need:
    """"Closed is not fixed": the resident says what is still wrong and the need is triaged again."""
    reason = _reason(reason, missing=_("Tell us what is still not right."))
    with transaction.atomic():
        need = _lock(actor, Action.NEED_REOPEN, need)
        # Both clocks start again: the community owes a new first response.
        return _move(need, Step.REOPEN, actor=actor, note=reason, level=Need.Level.COMMUNITY,
                     reopen_count=F("reopen_count") + 1, resolution="", completed_at=None, closed_at=None,
                     first_response_at=None, **_clocks(need.category, clock.now()))


# --- the worker's periodic jobs (JUSHA_PERIODIC_JOBS) ----------------------------------------------
# Each is idempotent: a need is flagged, escalated or confirmed by a conditional update on the row as
# it was read, so a second run, or a second worker at the same moment, finds nothing left to do.

SWEEP_BATCH = 500


def needs_overdue_sweep() -> tuple[int, int]:
    """Chase the needs whose clock ran out; returns (first responses overdue, completions overdue).

    No first response in time: the need is flagged and, while the community holds it, escalated to
    the subdistrict by the system (two-level triage); both levels' staff are told. Not completed in
    time: the need is flagged and the staff one level up are told; whoever holds it keeps it."""
    now = clock.now()
    late = (Need.objects.filter(first_response_at__isnull=True, first_response_overdue_at__isnull=True,
                                first_response_due_at__lte=now, status__in=workflow.OPEN)
            .order_by("first_response_due_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    responses = sum(_response_overdue(pk, now) for pk in list(late))
    late = (Need.objects.filter(completed_at__isnull=True, completion_overdue_at__isnull=True,
                                completion_due_at__lte=now, status__in=workflow.OPEN)
            .order_by("completion_due_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    completions = sum(_completion_overdue(pk, now) for pk in list(late))
    return responses, completions


def _response_overdue(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        flagged = Need.objects.filter(pk=pk, first_response_at__isnull=True, first_response_overdue_at__isnull=True,
                                      first_response_due_at__lte=now, status__in=workflow.OPEN
                                      ).update(first_response_overdue_at=now)
        if not flagged:
            return False  # answered meanwhile, or another worker was first
        need = Need.objects.select_related("community").get(pk=pk)
        level = need.level
        if need.level == Need.Level.COMMUNITY and (need.status, Step.ESCALATE_OVERDUE) in workflow.TRANSITIONS:
            _move(need, Step.ESCALATE_OVERDUE, actor=None, internal=True, level=Need.Level.SUBDISTRICT,
                  escalated_at=now)
        else:
            audit_record(actor=None, action="needs.response_overdue", target=need,
                         after={"due": need.first_response_due_at, "status": need.status, "level": level},
                         community_id=need.community_id)
        transaction.on_commit(lambda: notices.overdue(pk, "response", from_level=level), robust=True)
    return True


def _completion_overdue(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        flagged = Need.objects.filter(pk=pk, completed_at__isnull=True, completion_overdue_at__isnull=True,
                                      completion_due_at__lte=now, status__in=workflow.OPEN
                                      ).update(completion_overdue_at=now)
        if not flagged:
            return False
        need = Need.objects.get(pk=pk)
        audit_record(actor=None, action="needs.completion_overdue", target=need,
                     after={"due": need.completion_due_at, "status": need.status, "level": need.level},
                     community_id=need.community_id)
        transaction.on_commit(lambda: notices.overdue(pk, "completion", from_level=need.level), robust=True)
    return True


def needs_auto_confirm() -> int:
    """Confirm (without a rating) the needs done JUSHA_NEED_AUTO_CONFIRM_DAYS ago that the resident
    neither confirmed nor reopened; the resident is told. Returns how many were confirmed."""
    now = clock.now()
    cutoff = now - timedelta(days=settings.JUSHA_NEED_AUTO_CONFIRM_DAYS)
    due = (Need.objects.filter(status=S.COMPLETED, completed_at__lte=cutoff).order_by("completed_at")
           .values_list("pk", flat=True)[:SWEEP_BATCH])
    confirmed = 0
    for pk in list(due):
        with transaction.atomic():
            need = Need.objects.select_for_update().filter(pk=pk, status=S.COMPLETED, completed_at__lte=cutoff).first()
            if need is None:
                continue
            try:
                _move(need, Step.AUTO_CONFIRM, actor=None, closed_at=now)
            except DomainError:
                continue  # confirmed or reopened by the resident a moment ago
            _pay_helper(need, actor=None)
            confirmed += 1
    return confirmed
