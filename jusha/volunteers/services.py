"""Every write about volunteers: one function per step of the record's workflow (`workflow.TRANSITIONS`).

Each step locks the record's row, asks `permissions` about the locked row, looks the step up in the
table, changes the row with a conditional update on the status it read, writes the audit entry (never
with the identity number in it), and tells the applicant only after commit (`notices`). Input is
checked completely before anything is written, so a refusal changes nothing.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community

from . import idnumbers, notices, workflow
from .models import (
    EXTRA_FIELDS,
    EXTRA_VALUE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    NumberSequence,
    Volunteer,
)
from .skills import Skill
from .workflow import Step

S = Volunteer.Status
MAX_SLOTS = 21
MAX_SERVICE_AREA = 20
MAX_TEAM_SIZE = 50
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _reason(value) -> str:
    return _text(value, field="reason", limit=NOTE_MAX_LENGTH, required=True, missing=_("Please give a reason."))


def _mobile(value) -> str:
    from jusha.accounts.services import normalise_mobile

    try:
        return normalise_mobile(value if isinstance(value, str) else "")
    except DomainError as exc:
        raise DomainError(exc.message, code="invalid_mobile", field="mobile") from None


def _gender(value) -> str:
    if value not in Volunteer.Gender.values:
        raise DomainError(_("Choose a gender."), code="invalid_choice", field="gender")
    return value


def _birth_month(value) -> date:
    if not isinstance(value, date):
        raise DomainError(_("Enter the month of birth."), code="required", field="birth_month")
    month = value.replace(day=1)
    if month.year < 1900 or month > clock.now().date():
        raise DomainError(_("This month of birth is not possible."), code="invalid_date", field="birth_month")
    return month


def _skills(values) -> list[str]:
    chosen = set(values) if isinstance(values, list | tuple | set | frozenset) else set()
    if not chosen:
        raise DomainError(_("Choose at least one service skill."), code="required", field="skills")
    if not chosen <= set(Skill.values):
        raise DomainError(_("Choose skills from the list."), code="invalid_choice", field="skills")
    return [s for s in Skill.values if s in chosen]


def _availability(slots) -> list[dict]:
    """Weekly slots as [{"weekday": 0–6 (Monday 0), "start": "HH:MM", "end": "HH:MM"}], sorted."""
    if not isinstance(slots, list | tuple):
        slots = []
    if len(slots) > MAX_SLOTS:
        raise DomainError(_("At most %(n)s weekly times, please.") % {"n": MAX_SLOTS}, code="too_many_slots",
                          field="availability")
    cleaned = []
    for slot in slots:
        ok = (isinstance(slot, dict) and isinstance(slot.get("weekday"), int)
              and not isinstance(slot.get("weekday"), bool) and 0 <= slot["weekday"] <= 6
              and all(isinstance(slot.get(k), str) and _TIME.fullmatch(slot[k]) for k in ("start", "end"))
              and slot["start"] < slot["end"])
        if not ok:
            raise DomainError(_("Each weekly time needs a weekday and a start before its end (HH:MM)."),
                              code="invalid_slot", field="availability")
        cleaned.append({"weekday": slot["weekday"], "start": slot["start"], "end": slot["end"]})
    return sorted({(s["weekday"], s["start"], s["end"]): s for s in cleaned}.values(),
                  key=lambda s: (s["weekday"], s["start"]))


def _community(value) -> Community:
    if not isinstance(value, Community):
        raise DomainError(_("Choose the community you live in."), code="required", field="community")
    return value


def _service_area(values, home: Community) -> list[Community]:
    """The communities the volunteer serves: the chosen ones of the home community's subdistrict, or
    the home community alone when none is chosen."""
    chosen = list(values or [])
    if len(chosen) > MAX_SERVICE_AREA:
        raise DomainError(_("Choose at most %(n)s communities.") % {"n": MAX_SERVICE_AREA}, code="too_many",
                          field="service_area")
    if any(not isinstance(c, Community) or c.subdistrict_id != home.subdistrict_id for c in chosen):
        raise DomainError(_("Choose communities of your own subdistrict."), code="invalid_choice",
                          field="service_area")
    return chosen or [home]


def _extra(values, consent: bool) -> dict:
    """Optional fields beyond the record rules: only those listed, and only with explicit consent."""
    if not values:
        return {}
    if not isinstance(values, dict) or not set(values) <= set(EXTRA_FIELDS):
        raise DomainError(_("Only the optional fields offered can be filled in."), code="invalid_choice",
                          field="extra")
    kept = {k: _text(v, field=f"extra.{k}", limit=EXTRA_VALUE_MAX_LENGTH, required=False)
            for k, v in values.items()}
    kept = {k: v for k, v in kept.items() if v}
    if kept and consent is not True:
        raise DomainError(_("The optional information is kept only if you agree to it. Tick the consent box, "
                            "or leave those fields empty."), code="consent_required", field="extra_consent")
    return kept


@dataclass(frozen=True)
class Identity:
    """The record-rule fields that identify the person, checked."""

    name: str
    gender: str
    birth_month: date
    id_type: str
    id_number: str


def _identity(*, name, gender, birth_month, id_type, id_number) -> Identity:
    name = _text(name, field="name", limit=NAME_MAX_LENGTH, required=True, missing=_("Enter your name."))
    gender = _gender(gender)
    birth_month = _birth_month(birth_month)
    if id_type not in Volunteer.IdType.values:
        raise DomainError(_("Choose the kind of identity document."), code="invalid_choice", field="id_type")
    number = idnumbers.normalise(id_type, id_number)
    born = idnumbers.birth_date_of(number)
    if born is not None and born.replace(day=1) != birth_month:
        raise DomainError(_("The month of birth does not match the identity number."), code="id_mismatch",
                          field="birth_month")
    if born is not None and idnumbers.gender_of(number) != gender:
        raise DomainError(_("The gender does not match the identity number."), code="id_mismatch", field="gender")
    return Identity(name, gender, birth_month, id_type, number)


@dataclass(frozen=True)
class Details:
    """What a volunteer offers and how to reach them, checked; the volunteer may change these later."""

    skills: list
    mobile: str
    availability: list
    service_area: list
    extra: dict
    consent: bool


def _details(*, skills, mobile, availability, community, service_area, extra, extra_consent) -> Details:
    return Details(_skills(skills), _mobile(mobile), _availability(availability),
                   _service_area(service_area, community), _extra(extra, extra_consent), extra_consent is True)


# --- the record's row and its steps --------------------------------------------------------------

def _lock(actor, action: Action, volunteer: Volunteer | int) -> Volunteer:
    """The record's row, locked for this transaction, if the actor may do `action` to it (else a 404)."""
    pk = volunteer.pk if isinstance(volunteer, Volunteer) else volunteer
    locked = Volunteer.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(volunteer: Volunteer, step: Step, *, actor, after: dict | None = None, **changes) -> Volunteer:
    """Change the status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = volunteer.status
    changes["status"] = workflow.target(volunteer, step)
    updated = Volunteer.objects.filter(pk=volunteer.pk, status=from_status).update(**changes, updated_at=clock.now())
    if updated != 1:
        raise DomainError(_("Someone else changed this record just now. Reload the page to see what changed."),
                          code="conflict")
    for field, value in changes.items():
        setattr(volunteer, field, value)
    _audit(volunteer, step, actor=actor, before={"status": from_status},
           after={"status": volunteer.status, **(after or {})})
    return volunteer


def _audit(volunteer: Volunteer, step: str, *, actor, before=None, after=None) -> None:
    audit_record(actor=actor, action=f"volunteers.{step}", target=volunteer, before=before, after=after,
                 community_id=volunteer.community_id)


def _sealed(identity: Identity) -> dict:
    """What the row keeps of the identity number (never the number itself)."""
    return {"id_number_encrypted": idnumbers.seal(identity.id_number), "id_number_last4": identity.id_number[-4:],
            "id_number_digest": idnumbers.digest(identity.id_type, identity.id_number)}


def _identity_free(digest: str, own: Volunteer | None) -> None:
    """Refuse a second record of the same identity document (the unique index stands behind this)."""
    others = Volunteer.objects.filter(id_number_digest=digest)
    if own is not None:
        others = others.exclude(pk=own.pk)
    if digest and others.exists():
        raise DomainError(_("A volunteer record with this identity document already exists. If it is yours, "
                            "ask your community's staff."), code="id_taken", field="id_number")


def _fill(details: Details, *, now) -> dict:
    """The row's fields for `details` (the service area is a separate table, set by `_set_area`)."""
    return {"skills": details.skills, "mobile": details.mobile, "availability": details.availability,
            "extra": details.extra, "extra_consent_at": now if details.extra else None}


def _set_area(volunteer: Volunteer, details: Details) -> None:
    volunteer.service_area.set(details.service_area)


def _summary(details: Details) -> dict:
    return {"skills": details.skills, "slots": len(details.availability),
            "service_area": [c.pk for c in details.service_area], "extra": sorted(details.extra)}


def volunteer_apply(*, actor, name: str, gender: str, birth_month: date, id_type: str, id_number: str,
                    skills, mobile: str, community: Community, availability=(), service_area=(),
                    extra: dict | None = None, extra_consent: bool = False) -> Volunteer:
    """A logged-in resident applies to become a volunteer, for themselves. The application waits for
    the review of their community's staff. Someone rejected or withdrawn applies again on the same
    record (and keeps a number they had)."""
    if not permissions.can(actor, Action.VOLUNTEER_APPLY):
        raise NotAllowed()
    identity = _identity(name=name, gender=gender, birth_month=birth_month, id_type=id_type, id_number=id_number)
    community = _community(community)
    details = _details(skills=skills, mobile=mobile, availability=availability, community=community,
                       service_area=service_area, extra=extra, extra_consent=extra_consent)
    now = clock.now()
    fields = {"name": identity.name, "gender": identity.gender, "birth_month": identity.birth_month,
              **_sealed(identity), "community": community, "applied_at": now,
              "reviewed_at": None, "reviewed_by": None, "reject_reason": "", "member_unit": None}
    with transaction.atomic():
        # One record per person: the account's row lock makes a double tap apply once.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        existing = Volunteer.objects.select_for_update().filter(user=actor).first()
        _identity_free(fields["id_number_digest"], existing)
        if existing is not None and existing.status not in (S.REJECTED, S.WITHDRAWN):
            raise DomainError(_("You already have a volunteer record; change it on your volunteer page."),
                              code="already_applied")
        try:
            with transaction.atomic():
                if existing is None:
                    volunteer = Volunteer.objects.create(user=actor, status=S.APPLIED, **fields,
                                                         **_fill(details, now=now))
                    _audit(volunteer, Step.APPLY, actor=actor, after={"status": S.APPLIED, **_summary(details)})
                else:
                    volunteer = _move(existing, Step.APPLY, actor=actor, after=_summary(details), **fields,
                                      **_fill(details, now=now))
        except IntegrityError:
            # Another account applied with the same document at the same moment.
            _identity_free(fields["id_number_digest"], existing)
            raise
        _set_area(volunteer, details)
    return volunteer


def volunteer_update(*, actor, volunteer: Volunteer | int, skills, mobile: str, availability=(),
                     service_area=(), extra: dict | None = None, extra_consent: bool = False) -> Volunteer:
    """The volunteer changes what they offer and how to reach them. Name, birth month and identity
    document stay as reviewed (to correct them: withdraw and apply again). Withdrawing consent is
    leaving the optional fields empty: they are deleted."""
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_EDIT, volunteer)
        details = _details(skills=skills, mobile=mobile, availability=availability, community=locked.community,
                           service_area=service_area, extra=extra, extra_consent=extra_consent)
        now = clock.now()
        fill = _fill(details, now=now)
        if details.extra and locked.extra_consent_at is not None:
            fill["extra_consent_at"] = locked.extra_consent_at
        _move(locked, Step.UPDATE, actor=actor, after=_summary(details), **fill)
        _set_area(locked, details)
        return locked


def _next_number(volunteer: Volunteer) -> str:
    """The next number of the volunteer's subdistrict this year: subdistrict code, year, five digits.
    The sequence row is locked (and created once, a racing creator falling back to the lock)."""
    subdistrict = volunteer.community.subdistrict
    year = timezone.localtime(clock.now()).year
    lookup = {"subdistrict": subdistrict, "year": year}
    sequence = NumberSequence.objects.select_for_update().filter(**lookup).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(**lookup)
        except IntegrityError:
            pass
        sequence = NumberSequence.objects.select_for_update().get(**lookup)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{subdistrict.code}{year}{sequence.last:05d}"


def _not_own(actor, volunteer: Volunteer) -> None:
    if volunteer.user_id == actor.pk:
        raise DomainError(_("Your own record is reviewed by another member of staff."), code="own_record")


def volunteer_approve(*, actor, volunteer: Volunteer | int) -> Volunteer:
    """Staff of the volunteer's community (or subdistrict) approve the application: the person gets
    their volunteer number (kept for good, also after a withdrawal and a new application) and may
    take needs from the board; they are told."""
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_REVIEW, volunteer)
        _not_own(actor, locked)
        workflow.target(locked, Step.APPROVE)
        number = locked.number or _next_number(locked)
        _move(locked, Step.APPROVE, actor=actor, number=number, reviewed_at=clock.now(), reviewed_by=actor,
              reject_reason="", after={"number": number})
        transaction.on_commit(lambda: notices.reviewed(locked.pk, "approved"), robust=True)
        return locked


def volunteer_reject(*, actor, volunteer: Volunteer | int, reason: str) -> Volunteer:
    """Staff turn the application down, saying why; the applicant reads the reason and may apply again."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_REVIEW, volunteer)
        _not_own(actor, locked)
        _move(locked, Step.REJECT, actor=actor, reviewed_at=clock.now(), reviewed_by=actor, reject_reason=reason,
              after={"reason": reason})
        transaction.on_commit(lambda: notices.reviewed(locked.pk, "rejected"), robust=True)
        return locked


def volunteer_suspend(*, actor, volunteer: Volunteer | int, reason: str) -> Volunteer:
    """Staff suspend an approved volunteer (a complaint, a long absence): until reinstated they are not
    suggested for needs and cannot claim from the board. Needs already in hand stay with them."""
    reason = _reason(reason)
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_REVIEW, volunteer)
        _not_own(actor, locked)
        return _move(locked, Step.SUSPEND, actor=actor, reject_reason=reason, after={"reason": reason})


def volunteer_reinstate(*, actor, volunteer: Volunteer | int) -> Volunteer:
    """Staff lift a suspension; the volunteer keeps their number."""
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_REVIEW, volunteer)
        _not_own(actor, locked)
        return _move(locked, Step.REINSTATE, actor=actor, reject_reason="")


def volunteer_withdraw(*, actor, volunteer: Volunteer | int, reason: str = "") -> Volunteer:
    """The volunteer leaves (or takes back an application). The record and its number stay, for the
    hours already served; the optional fields are deleted with the consent that allowed them."""
    reason = _text(reason, field="reason", limit=NOTE_MAX_LENGTH, required=False)
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_EDIT, volunteer)
        return _move(locked, Step.WITHDRAW, actor=actor, extra={}, extra_consent_at=None,
                     after={"reason": reason} if reason else None)


def volunteer_reveal_id(*, actor, volunteer: Volunteer | int) -> str:
    """The full identity number, for the staff who review the record (to check the document in person);
    every look is audited. Refused where the deployment keeps no numbers."""
    with transaction.atomic():
        locked = _lock(actor, Action.VOLUNTEER_REVEAL_ID, volunteer)
        number = idnumbers.unseal(locked.id_number_encrypted)
        if not number:
            raise DomainError(_("The full number is not kept; only its last four characters are."),
                              code="not_stored")
        audit_record(actor=actor, action="volunteers.reveal_id", target=locked, community_id=locked.community_id)
    return number


# --- a member unit's volunteer team ----------------------------------------------------------------

def _person_for(*, actor, name: str, mobile: str, community: Community) -> User:
    """The account with this mobile, or a new one (they log in with a code sent to it later)."""
    person = User.objects.filter(mobile=mobile).first()
    if person is None:
        person = User.objects.create_user(username=None, mobile=mobile, name=name)
        audit_record(actor=actor, action="volunteers.person_recorded", target=person,
                     after={"name": name, "mobile": "masked"}, community_id=community.pk)
    if not RoleAssignment.objects.filter(user=person, role=Role.RESIDENT).exists():
        from jusha.accounts.services import role_grant

        role_grant(actor=actor, user=person, role=Role.RESIDENT, scope=community)
    return person


def volunteer_register_team(*, actor, unit: MemberUnit | int, members: list[dict]) -> list[Volunteer]:
    """A unit's liaison registers staff of the unit as its volunteer team. Each member is a dict with
    the application's fields (no optional fields: only the person can consent to those); an account is
    created by mobile where the person has none. Every record still waits for the community's review.
    All members are checked first; one refusal registers nobody (its `field` says which member,
    e.g. "members.2.id_number")."""
    pk = unit.pk if isinstance(unit, MemberUnit) else unit
    found = MemberUnit.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if found is None or not permissions.can(actor, Action.VOLUNTEER_REGISTER_TEAM, found):
        raise NotAllowed()
    if not members or len(members) > MAX_TEAM_SIZE:
        raise DomainError(_("Register between 1 and %(n)s people at a time.") % {"n": MAX_TEAM_SIZE},
                          code="invalid_team", field="members")
    checked, mobiles = [], set()
    for i, member in enumerate(members):
        try:
            identity = _identity(**{k: member.get(k) for k in ("name", "gender", "birth_month", "id_type",
                                                               "id_number")})
            community = _community(member.get("community"))
            if community.subdistrict_id != found.alliance.subdistrict_id:
                raise DomainError(_("Choose a community of the unit's subdistrict."), code="invalid_choice",
                                  field="community")
            details = _details(skills=member.get("skills"), mobile=member.get("mobile"),
                               availability=member.get("availability", ()), community=community,
                               service_area=member.get("service_area", ()), extra=None, extra_consent=False)
            if details.mobile in mobiles:
                raise DomainError(_("This mobile number is listed twice."), code="duplicate", field="mobile")
        except DomainError as exc:
            raise DomainError(exc.message, code=exc.code, field=f"members.{i}.{exc.field or ''}".rstrip(".")) \
                from None
        mobiles.add(details.mobile)
        checked.append((identity, community, details))
    now = clock.now()
    made = []
    with transaction.atomic():
        for i, (identity, community, details) in enumerate(checked):
            person = _person_for(actor=actor, name=identity.name, mobile=details.mobile, community=community)
            User.objects.select_for_update().filter(pk=person.pk).first()
            if Volunteer.objects.filter(user=person).exists():
                raise DomainError(_("%(name)s already has a volunteer record.") % {"name": identity.name},
                                  code="already_applied", field=f"members.{i}.mobile")
            sealed = _sealed(identity)
            try:
                _identity_free(sealed["id_number_digest"], None)
            except DomainError as exc:
                raise DomainError(exc.message, code=exc.code, field=f"members.{i}.id_number") from None
            volunteer = Volunteer.objects.create(
                user=person, status=S.APPLIED, name=identity.name, gender=identity.gender,
                birth_month=identity.birth_month, id_type=identity.id_type, **sealed,
                community=community, member_unit=found, applied_at=now, **_fill(details, now=now))
            _set_area(volunteer, details)
            _audit(volunteer, "register_team", actor=actor,
                   after={"status": S.APPLIED, "unit": found.pk, **_summary(details)})
            made.append(volunteer)
    return made


# --- onboarding imports ------------------------------------------------------------------------------

def volunteer_import_record(*, actor, subdistrict, record: dict) -> Volunteer:
    """One row of a checked volunteers file (`onboarding.sheets.VolunteersSheet.check`), saved inside
    the import's transaction: the record is created, or the matched one (`record["id"]`) updated. The
    person's account is created by mobile where missing, with the resident role in the home community
    (no notification: an import of hundreds would bury the staff). A record imported as approved gets
    the number the file gives, else the subdistrict's next one; a number once given is kept.
    `record["id_number"]` empty means the identity document stays as stored."""
    if not permissions.can(actor, Action.IMPORT_RUN, subdistrict):
        raise NotAllowed()
    community = Community.objects.get(pk=record["community"], subdistrict=subdistrict)
    now = clock.now()
    fields = {"name": record["name"], "gender": record["gender"], "birth_month": record["birth_month"],
              "id_type": record["id_type"], "mobile": record["mobile"], "skills": record["skills"],
              "community": community, "member_unit_id": record["member_unit"]}
    if record["id_number"]:
        number = record["id_number"]
        fields.update(id_number_encrypted=idnumbers.seal(number), id_number_last4=number[-4:],
                      id_number_digest=idnumbers.digest(record["id_type"], number))
    with transaction.atomic():
        if record["id"] is None:
            person = User.objects.filter(mobile=record["mobile"]).first()
            if person is None:
                person = User.objects.create_user(username=None, mobile=record["mobile"], name=record["name"])
                audit_record(actor=actor, action="volunteers.person_recorded", target=person,
                             after={"name": record["name"], "mobile": "masked"}, community_id=community.pk)
            if not RoleAssignment.objects.filter(user=person, role=Role.RESIDENT).exists():
                RoleAssignment.objects.create(user=person, role=Role.RESIDENT, community=community)
                audit_record(actor=actor, action="accounts.role_grant", target=person,
                             after={"role": Role.RESIDENT, "scope": str(community)}, community_id=community.pk)
                permissions.forget(person)
            volunteer = Volunteer(user=person, status=S.APPLIED, applied_at=now, number=record["number"] or None,
                                  **fields)
            before = None
        else:
            volunteer = Volunteer.objects.select_for_update().select_related("community__subdistrict").get(
                pk=record["id"])
            before = {"status": volunteer.status, "number": volunteer.number}
            for key, value in fields.items():
                setattr(volunteer, key, value)
            if record["number"] and not volunteer.number:
                volunteer.number = record["number"]
        if record["status"] == S.APPROVED and volunteer.status != S.APPROVED:
            if volunteer.pk:
                workflow.target(volunteer, Step.APPROVE)  # only an application is approved (the check says so)
            volunteer.number = volunteer.number or _next_number(volunteer)
            volunteer.status, volunteer.reviewed_at, volunteer.reviewed_by = S.APPROVED, now, actor
        volunteer.save()
        volunteer.service_area.set(record["service_area"] or [community.pk])
        _audit(volunteer, "import", actor=actor, before=before,
               after={"status": volunteer.status, "number": volunteer.number, "skills": volunteer.skills,
                      "service_area": record["service_area"], "id_changed": bool(record["id_number"])})
    return volunteer
