"""Every write about micro-wishes: one function per step of the workflow (`workflow.TRANSITIONS`).

Each step locks the wish's row, asks `permissions` about the locked row, looks the step up in the
transition table, changes the row with a conditional update on the status it read, writes the audit
entry, and tells the people concerned only after commit (`notices`).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import User
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs import photos
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.models import Community
from jusha.points.services import points_award_for

from . import notices, workflow
from .models import (
    ADDRESS_MAX_LENGTH,
    MAX_PHOTOS,
    MAX_VALUE,
    NAME_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    MicroWish,
    WishClaim,
    WishPhoto,
    public_name_for,
)
from .workflow import Step

S = MicroWish.Status
C = WishClaim.Status


# --- checking input (before anything is written) -----------------------------------------------

def _text(value, *, field: str, limit: int, required: bool, missing="") -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(missing, code="required", field=field)
    if len(value) > limit:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": limit, "count": len(value)}, code="too_long", field=field)
    return value


def _reason(value) -> str:
    return _text(value, field="reason", limit=NOTE_MAX_LENGTH, required=True, missing=_("Please give a reason."))


def _category(value) -> str:
    if value not in MicroWish.Category.values:
        raise DomainError(_("Choose what kind of wish this is."), code="invalid_choice", field="category")
    return value


def _value(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_VALUE:
        raise DomainError(_("The estimated value must be between 1 and %(max)s yuan.") % {"max": MAX_VALUE},
                          code="invalid_value", field="estimated_value")
    return value


def _target_date(value) -> date:
    if not isinstance(value, date):
        raise DomainError(_("Choose the date the wish should be fulfilled by."), code="required",
                          field="target_date")
    if value < clock.now().date():
        raise DomainError(_("The target date has already passed."), code="invalid_date", field="target_date")
    return value


def _clean_photos(files, *, required: bool = False) -> list[photos.CleanPhoto]:
    files = [f for f in (files or []) if f]
    if required and not files:
        raise DomainError(_("Add at least one photo of the delivery."), code="photo_required", field="photos")
    if len(files) > MAX_PHOTOS:
        raise DomainError(_("At most %(n)s photos, please.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                          field="photos")
    return [photos.clean_photo(f) for f in files]


def _store_photos(wish: MicroWish, cleaned, *, stage, by, at) -> None:
    for photo in cleaned:
        WishPhoto.objects.create(wish=wish, stage=stage, image=photo.file, uploaded_by=by, created_at=at)


# --- the wish's row and its steps ---------------------------------------------------------------

def _lock(actor, action: Action, wish: MicroWish | int) -> MicroWish:
    """The wish's row, locked for this transaction, if the actor may do `action` to it (else a 404)."""
    pk = wish.pk if isinstance(wish, MicroWish) else wish
    locked = MicroWish.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
    if locked is None or not permissions.can(actor, action, locked):
        raise NotAllowed()
    return locked


def _move(wish: MicroWish, step: Step, *, actor, after: dict | None = None, **changes) -> MicroWish:
    """Change the wish's status as the table says, on the condition that nobody changed it meanwhile."""
    from_status = wish.status
    to_status = workflow.target(wish, step)
    changes["status"] = to_status
    updated = MicroWish.objects.filter(pk=wish.pk, status=from_status).update(**changes, updated_at=clock.now())
    if updated != 1:
        raise DomainError(_("Someone else changed this wish just now. Reload the page to see what changed."),
                          code="conflict")
    for field, value in changes.items():
        setattr(wish, field, value)
    _audit(wish, step, actor=actor, before={"status": from_status}, after={"status": to_status, **(after or {})})
    return wish


def _audit(wish: MicroWish, step: Step, *, actor, before=None, after=None) -> None:
    audit_record(actor=actor, action=f"wishes.{step}", target=wish, before=before, after=after,
                 community_id=wish.community_id)


def wish_create(*, actor, community: Community, beneficiary_name: str = "", beneficiary: User | None = None,
                beneficiary_phone: str = "", beneficiary_address: str = "", category: str, text: str,
                estimated_value: int, target_date: date, photo_files=()) -> MicroWish:
    """Community staff record a wish collected from a family in difficulty (a visit, a call). The
    beneficiary is a resident with an account, or a name; phone and address stay private."""
    if community is None or not permissions.can(actor, Action.WISH_MANAGE, community):
        raise DomainError(_("You can collect wishes only for the communities you serve."),
                          code="not_your_community", field="community")
    if beneficiary is not None:
        if not permissions.can(actor, Action.PERSON_VIEW, beneficiary):
            raise NotAllowed()
        beneficiary_name = beneficiary_name or beneficiary.name
    name = _text(beneficiary_name, field="beneficiary_name", limit=NAME_MAX_LENGTH, required=True,
                 missing=_("Enter the beneficiary's name."))
    phone = _text(beneficiary_phone, field="beneficiary_phone", limit=20, required=False)
    address = _text(beneficiary_address, field="beneficiary_address", limit=ADDRESS_MAX_LENGTH, required=False)
    category = _category(category)
    text = _text(text, field="text", limit=TEXT_MAX_LENGTH, required=True, missing=_("Write down the wish."))
    estimated_value = _value(estimated_value)
    target_date = _target_date(target_date)
    cleaned = _clean_photos(photo_files)
    now = clock.now()
    with transaction.atomic():
        wish = MicroWish.objects.create(
            community=community, beneficiary=beneficiary, beneficiary_name=name, beneficiary_phone=phone,
            beneficiary_address=address, public_name=public_name_for(name), category=category, text=text,
            estimated_value=estimated_value, target_date=target_date, status=S.DRAFT, created_by=actor,
            created_at=now)
        _store_photos(wish, cleaned, stage=WishPhoto.Stage.NEED, by=actor, at=now)
        _audit(wish, Step.CREATE, actor=actor, after={"status": S.DRAFT, "category": category,
                                                      "value": estimated_value, "photos": len(cleaned)})
    return wish


def wish_verify(*, actor, wish: MicroWish | int) -> MicroWish:
    """Staff checked the family's situation and the wish (核实): it may now be published."""
    with transaction.atomic():
        wish = _lock(actor, Action.WISH_MANAGE, wish)
        return _move(wish, Step.VERIFY, actor=actor, verified_at=clock.now())


def wish_publish(*, actor, wish: MicroWish | int, target_date: date | None = None) -> MicroWish:
    """The wish goes on the wish wall; the publisher becomes the contact point claimers call."""
    if target_date is not None:
        target_date = _target_date(target_date)
    with transaction.atomic():
        wish = _lock(actor, Action.WISH_MANAGE, wish)
        target_date = target_date or wish.target_date
        if target_date < clock.now().date():
            raise DomainError(_("The target date has already passed; choose a new one."), code="invalid_date",
                              field="target_date")
        return _move(wish, Step.PUBLISH, actor=actor, published_at=clock.now(), target_date=target_date,
                     contact_staff=actor, cancel_reason="", after={"target_date": target_date.isoformat()})


def wish_withdraw(*, actor, wish: MicroWish | int, reason: str) -> MicroWish:
    """Staff take an unclaimed wish off the wall (it may be published again later)."""
    reason = _reason(reason)
    with transaction.atomic():
        wish = _lock(actor, Action.WISH_MANAGE, wish)
        return _move(wish, Step.WITHDRAW, actor=actor, cancel_reason=reason, after={"reason": reason})


def wish_cancel(*, actor, wish: MicroWish | int, reason: str) -> MicroWish:
    """Staff cancel the wish for good (the family moved, the wish was met otherwise); a claimer is told."""
    reason = _reason(reason)
    with transaction.atomic():
        wish = _lock(actor, Action.WISH_MANAGE, wish)
        claim = WishClaim.objects.select_for_update().filter(wish=wish, status__in=WishClaim.LIVE).first()
        _move(wish, Step.CANCEL, actor=actor, cancel_reason=reason, after={"reason": reason})
        if claim is not None:
            _end_claim(claim, C.CANCELLED, reason)
            transaction.on_commit(lambda: notices.cancelled(claim.pk), robust=True)
        return wish


# --- claiming -----------------------------------------------------------------------------------

def _already_taken() -> DomainError:
    return DomainError(_("Someone else has just claimed this wish. Thank you all the same — please choose "
                         "another one."), code="already_claimed")


def _claim_unit(actor, unit: MemberUnit | int | None, wish: MicroWish) -> MemberUnit | None:
    if unit is None:
        return None
    pk = unit.pk if isinstance(unit, MemberUnit) else unit
    found = (MemberUnit.objects.filter(pk=pk, is_active=True, alliance__subdistrict=wish.community.subdistrict_id)
             .first() if pk in actor_of(actor).member_units else None)
    if found is None:
        raise DomainError(_("You can claim only for a unit you are the liaison of, or for yourself."),
                          code="invalid_unit", field="unit")
    return found


def _check_limit(actor, unit: MemberUnit | None) -> None:
    """Per-claimer limits, counted while the claimer's row is locked so two claims cannot both fit."""
    if unit is not None:
        MemberUnit.objects.select_for_update().filter(pk=unit.pk).first()
        live = WishClaim.objects.filter(member_unit=unit, status__in=WishClaim.LIVE).count()
        limit = settings.JUSHA_WISH_MAX_LIVE_CLAIMS_PER_UNIT
    else:
        User.objects.select_for_update().filter(pk=actor.pk).first()
        live = WishClaim.objects.filter(claimant=actor, member_unit__isnull=True, status__in=WishClaim.LIVE).count()
        limit = settings.JUSHA_WISH_MAX_LIVE_CLAIMS_PER_PERSON
    if live >= limit:
        raise DomainError(_("You already have %(n)s wishes in hand. Please fulfil one of them before claiming "
                            "another.") % {"n": live}, code="claim_limit", field="unit")


def wish_claim(*, actor, wish: MicroWish | int, unit: MemberUnit | int | None = None,
               show_name: bool = False) -> WishClaim:
    """A person (for themselves) or a unit's liaison (for the unit) claims a wish from the wall. Of many
    racing claims exactly one wins (the row lock, then the one-live-claim constraint); the others are
    told it is taken. The claimer must contact the community within JUSHA_WISH_CONTACT_DAYS."""
    if not permissions.can(actor, Action.WISH_CLAIM):
        raise NotAllowed()
    with transaction.atomic():
        pk = wish.pk if isinstance(wish, MicroWish) else wish
        locked = MicroWish.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
        if locked is None or not permissions.can(actor, Action.WISH_WALL_VIEW, locked):
            raise NotAllowed()
        if locked.status in workflow.WITH_CLAIM:
            raise _already_taken()
        workflow.target(locked, Step.CLAIM)
        if locked.beneficiary_id is not None and locked.beneficiary_id == actor.pk:
            raise DomainError(_("This is your own wish; others will make it come true."), code="own_wish")
        unit = _claim_unit(actor, unit, locked)
        _check_limit(actor, unit)
        now = clock.now()
        try:
            with transaction.atomic():
                claim = WishClaim.objects.create(
                    wish=locked, member_unit=unit, claimant=actor, status=C.ACTIVE, show_name=bool(show_name),
                    created_at=now, contact_due_at=now + timedelta(days=settings.JUSHA_WISH_CONTACT_DAYS))
        except IntegrityError:
            raise _already_taken() from None
        _move(locked, Step.CLAIM, actor=actor, after={"claim": claim.pk, "unit": unit.pk if unit else None})
        transaction.on_commit(lambda: notices.claimed(claim.pk), robust=True)
        return claim


def _lock_claim(actor, claim: WishClaim | int) -> tuple[MicroWish, WishClaim]:
    pk = claim.pk if isinstance(claim, WishClaim) else claim
    wish_id = WishClaim.objects.filter(pk=pk).values_list("wish_id", flat=True).first() if isinstance(pk, int) \
        else None
    wish = MicroWish.objects.select_for_update().filter(pk=wish_id).first() if wish_id else None
    locked = WishClaim.objects.select_for_update(of=("self",)).select_related("member_unit").filter(pk=pk).first()
    if wish is None or locked is None or not permissions.can(actor, Action.WISH_CLAIM_HANDLE, locked):
        raise NotAllowed()
    return wish, locked


def _claim_is(claim: WishClaim, *statuses: str) -> None:
    if claim.status not in statuses:
        raise DomainError(_("This is no longer possible: the claim is now “%(status)s”.")
                          % {"status": claim.get_status_display()}, code="invalid_transition")


def _end_claim(claim: WishClaim, status: str, reason: str) -> None:
    WishClaim.objects.filter(pk=claim.pk).update(status=status, ended_at=clock.now(), end_reason=reason)
    claim.refresh_from_db()


def wish_claim_release(*, actor, claim: WishClaim | int, reason: str) -> WishClaim:
    """The claimer gives the wish back, saying why; it returns to the wall for someone else."""
    reason = _reason(reason)
    with transaction.atomic():
        wish, claim = _lock_claim(actor, claim)
        _claim_is(claim, C.ACTIVE, C.CONTACTED)
        _move(wish, Step.RELEASE, actor=actor, after={"claim": claim.pk, "reason": reason})
        _end_claim(claim, C.RELEASED, reason)
        transaction.on_commit(lambda: notices.returned(claim.pk), robust=True)
        return claim


def wish_contact(*, actor, claim: WishClaim | int, note: str) -> WishClaim:
    """The claimer has made contact with the community (who arranges the delivery with the family)."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=True,
                 missing=_("Write down whom you contacted and what you agreed."))
    with transaction.atomic():
        wish, claim = _lock_claim(actor, claim)
        _claim_is(claim, C.ACTIVE)
        _move(wish, Step.CONTACT, actor=actor, after={"claim": claim.pk, "note": note})
        WishClaim.objects.filter(pk=claim.pk).update(status=C.CONTACTED, contacted_at=clock.now(), contact_note=note)
        claim.refresh_from_db()
        return claim


def wish_deliver(*, actor, claim: WishClaim | int, note: str, photo_files) -> WishClaim:
    """The claimer records the delivery with a note and at least one photo; the beneficiary (or the
    community's staff for them) is asked to confirm."""
    note = _text(note, field="note", limit=NOTE_MAX_LENGTH, required=True, missing=_("Describe what was delivered."))
    cleaned = _clean_photos(photo_files, required=True)
    with transaction.atomic():
        wish, claim = _lock_claim(actor, claim)
        _claim_is(claim, C.CONTACTED)
        now = clock.now()
        _move(wish, Step.DELIVER, actor=actor, after={"claim": claim.pk, "note": note, "photos": len(cleaned)})
        WishClaim.objects.filter(pk=claim.pk).update(status=C.DELIVERED, delivered_at=now, delivery_note=note)
        _store_photos(wish, cleaned, stage=WishPhoto.Stage.DELIVERY, by=actor, at=now)
        claim.refresh_from_db()
        transaction.on_commit(lambda: notices.delivered(claim.pk), robust=True)
        return claim


def wish_confirm(*, actor, wish: MicroWish | int) -> MicroWish:
    """The beneficiary (or staff for them) confirms the wish came true: it moves to the thank-you wall."""
    with transaction.atomic():
        wish = _lock(actor, Action.WISH_CONFIRM, wish)
        claim = WishClaim.objects.select_for_update().filter(wish=wish, status=C.DELIVERED).first()
        now = clock.now()
        _move(wish, Step.CONFIRM, actor=actor, fulfilled_at=now, after={"claim": claim.pk if claim else None})
        if claim is not None:
            _end_claim(claim, C.DONE, "")
            # The person who claimed (for a unit: its liaison who did) earns the wish_fulfilled points.
            points_award_for(actor=actor, person=claim.claimant, trigger="wish_fulfilled", source=wish)
            transaction.on_commit(lambda: notices.fulfilled(claim.pk), robust=True)
        return wish


def wish_claim_show_name(*, actor, claim: WishClaim | int, show_name: bool) -> WishClaim:
    """The claimer decides whether the thank-you wall names them (until the wish is fulfilled)."""
    with transaction.atomic():
        wish, claim = _lock_claim(actor, claim)
        _claim_is(claim, *WishClaim.LIVE)
        WishClaim.objects.filter(pk=claim.pk).update(show_name=bool(show_name))
        audit_record(actor=actor, action="wishes.show_name", target=wish, before={"show_name": claim.show_name},
                     after={"show_name": bool(show_name)}, community_id=wish.community_id)
        claim.refresh_from_db()
        return claim


# --- the worker's jobs ----------------------------------------------------------------------------

def wishes_lapse_sweep() -> int:
    """Claims without contact by their due time lapse: the wish returns to the wall and the claimer and
    the community's staff are told. A day before, the claimer is reminded. Idempotent: each claim is
    lapsed by a conditional update, so a second or concurrent run changes nothing."""
    now = clock.now()
    lapsed = 0
    for claim_id, wish_id in (WishClaim.objects.filter(status=C.ACTIVE, contact_due_at__lte=now)
                              .values_list("pk", "wish_id")):
        with transaction.atomic():
            wish = MicroWish.objects.select_for_update().filter(pk=wish_id).first()
            if wish is None or not WishClaim.objects.filter(pk=claim_id, status=C.ACTIVE).update(
                    status=C.LAPSED, ended_at=now, end_reason="no contact in time"):
                continue
            _move(wish, Step.LAPSE, actor=None, after={"claim": claim_id})
            transaction.on_commit(lambda pk=claim_id: notices.lapsed(pk), robust=True)
            lapsed += 1
    soon = now + timedelta(days=1)
    for claim_id in WishClaim.objects.filter(status=C.ACTIVE, contact_due_at__gt=now,
                                             contact_due_at__lte=soon).values_list("pk", flat=True):
        # The message's key makes the reminder once per claim however often the sweep runs.
        notices.contact_due(claim_id)
    return lapsed


def wishes_expire_sweep() -> int:
    """Unclaimed wishes whose target date has passed leave the wall (automatically: a wish nobody took
    by its date is stale); staff may publish them again with a new date. Idempotent."""
    today = clock.now().date()
    expired = 0
    for wish_id in MicroWish.objects.filter(status=S.PUBLISHED, target_date__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            wish = MicroWish.objects.select_for_update().filter(pk=wish_id, status=S.PUBLISHED).first()
            if wish is None:
                continue
            _move(wish, Step.EXPIRE, actor=None)
            expired += 1
    return expired
