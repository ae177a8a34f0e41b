"""Every write about points. Each movement goes through `_post`, the only writer of ledger entries.

Locking order, the same everywhere so that no two transactions wait on each other in a circle: a
reward's row first (redeeming, cancelling), then the person's account row, then the system accounts
(their balances change by `F()` updates, which lock their rows last). A person's balance is checked
while their account row is locked, and the database refuses a negative balance and a negative stock
behind that (check constraints).
"""

import secrets
from datetime import date
from decimal import ROUND_FLOOR, Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.services import audit_record
from jusha.core import clock
from jusha.core.errors import DomainError, NotAllowed
from jusha.needs.photos import clean_photo
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action, actor_of
from jusha.places.models import Community, Subdistrict

from . import notices
from .models import (
    CODE_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    NAME_MAX_LENGTH,
    REASON_MAX_LENGTH,
    ExpiryRun,
    PointsAccount,
    PointsEntry,
    PointsRule,
    PointsTransaction,
    Redemption,
    Reward,
    Trigger,
)

K = PointsTransaction.Kind
A = PointsAccount.Kind
R = Redemption.Status
MAX_MANUAL = 100_000
# Letters and digits that cannot be mistaken for one another when read out or typed (no 0/O, 1/I/L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


# --- the ledger -------------------------------------------------------------------------------------

def _person_account(person: User, *, lock: bool) -> PointsAccount:
    """The person's account (opened on first use), locked for this transaction when `lock`."""
    account = PointsAccount.objects.filter(person=person).first()
    if account is None:
        try:
            with transaction.atomic():
                account = PointsAccount.objects.create(kind=A.PERSON, person=person, created_at=clock.now())
        except IntegrityError:
            pass  # opened by a concurrent transaction a moment ago
    if lock:
        return PointsAccount.objects.select_for_update().get(person=person)
    return account or PointsAccount.objects.get(person=person)


def _system_account(kind: str) -> PointsAccount:
    account = PointsAccount.objects.filter(kind=kind).first()
    if account is None:
        try:
            with transaction.atomic():
                account = PointsAccount.objects.create(kind=kind, created_at=clock.now())
        except IntegrityError:
            account = PointsAccount.objects.get(kind=kind)
    return account


def _post(*, kind: str, person: User, account: PointsAccount, system: str, amount: int, reason: str, actor=None,
          **fields) -> PointsTransaction:
    """Record one movement between the person's (locked) account and a system account.

    Credits (awards, refunds) move points from the system account to the person; debits move them
    the other way. The entries of a movement must sum to zero; a debit the balance cannot cover is
    refused here and, should a caller skip the check, by the balance's check constraint."""
    if account.person_id != person.pk:
        raise ValueError("the account is not the person's")
    credit = kind in (K.AWARD, K.REFUND)
    if not credit and account.balance < amount:
        raise _not_enough(account.balance)
    now = clock.now()
    other = _system_account(system)
    movement = PointsTransaction.objects.create(
        kind=kind, person=person, amount=amount, reason=reason[:REASON_MAX_LENGTH],
        actor=actor if getattr(actor, "is_authenticated", False) else None, created_at=now, **fields)
    legs = [(account, amount if credit else -amount), (other, -amount if credit else amount)]
    if sum(change for _account, change in legs) != 0:
        raise AssertionError("a movement's entries must sum to zero")
    PointsEntry.objects.bulk_create([PointsEntry(transaction=movement, account=acc, amount=change, created_at=now)
                                     for acc, change in legs])
    try:
        with transaction.atomic():
            # The person's row first (already locked), then the system account's: the one locking order.
            for acc, change in legs:
                PointsAccount.objects.filter(pk=acc.pk).update(balance=F("balance") + change)
    except IntegrityError:
        raise _not_enough(account.balance) from None
    account.balance += legs[0][1]
    return movement


def _not_enough(balance: int) -> DomainError:
    return DomainError(_("Not enough points: the balance is %(balance)s.") % {"balance": balance},
                       code="insufficient_points", field="amount")


def _reason(value, *, required: bool = True) -> str:
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        raise DomainError(_("Please give a reason."), code="required", field="reason")
    if len(value) > REASON_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": REASON_MAX_LENGTH, "count": len(value)}, code="too_long", field="reason")
    return value


def _lot_year() -> int:
    return timezone.localdate(clock.now()).year


def person_subdistrict_id(person: User) -> int | None:
    """Where a person earns and spends: their community's subdistrict, else their unit's."""
    found = (RoleAssignment.objects.filter(user=person, role=Role.RESIDENT).order_by("pk")
             .values_list("community__subdistrict", flat=True).first())
    if found is None:
        found = (RoleAssignment.objects.filter(user=person, role=Role.UNIT_LIAISON).order_by("pk")
                 .values_list("member_unit__alliance__subdistrict", flat=True).first())
    return found


def _source_subdistrict_id(source: models.Model) -> int | None:
    """The subdistrict whose rules pay for `source`: its community's, its own, or, for something that
    happened at an activity's session (an attendance, a service record), the activity's."""
    session = getattr(source, "session", None)
    activity = getattr(session, "activity", None)
    if activity is not None:
        return activity.subdistrict_id
    community_id = getattr(source, "community_id", None)
    if community_id is not None:
        return Community.objects.filter(pk=community_id).values_list("subdistrict_id", flat=True).first()
    return getattr(source, "subdistrict_id", None)


def _points_for(rule_points: int, quantity) -> int:
    try:
        value = Decimal(rule_points) * Decimal(str(quantity))
    except (InvalidOperation, ValueError):
        raise DomainError(_("Enter a number."), code="invalid_quantity", field="quantity") from None
    if value < 0:
        raise DomainError(_("Enter a number."), code="invalid_quantity", field="quantity")
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def points_award_for(*, actor, person: User, trigger: str, quantity=1, source: models.Model,
                     note: str = "") -> PointsTransaction | None:
    """Pay `person` what the rule for `trigger` says, times `quantity` (verified hours for "hours"),
    for `source` (the need, micro-wish or service record that earned it). Other apps call this inside
    their own transaction. The same source pays the same person once per trigger: a second call returns
    the first movement. No active rule, or a rule worth nothing, pays nothing (None)."""
    if trigger not in Trigger.values or trigger == Trigger.BONUS:
        raise DomainError(_("Unknown trigger."), code="invalid_trigger", field="trigger")
    if source is None or source.pk is None or person is None:
        raise DomainError(_("Points are paid for something that happened."), code="invalid_source")
    source_type = ContentType.objects.get_for_model(source)
    key = {"kind": K.AWARD, "trigger": trigger, "source_type": source_type, "source_id": str(source.pk),
           "person": person}
    subdistrict_id = _source_subdistrict_id(source) or person_subdistrict_id(person)
    rule = PointsRule.objects.filter(subdistrict=subdistrict_id, trigger=trigger, is_active=True).first()
    points = _points_for(rule.points, quantity) if rule is not None else 0
    with transaction.atomic():
        account = _person_account(person, lock=True)
        # Read after the lock: a concurrent award for the same source has committed by now.
        done = PointsTransaction.objects.filter(**key).first()
        if done is not None or points <= 0:
            return done
        reason = _reason(note, required=False) or str(Trigger(trigger).label)
        try:
            with transaction.atomic():
                movement = _post(kind=K.AWARD, person=person, account=account, system=A.ISSUED, amount=points,
                                 reason=reason, actor=actor, trigger=trigger, source_type=source_type,
                                 source_id=str(source.pk), lot_year=_lot_year())
        except IntegrityError:
            return PointsTransaction.objects.filter(**key).first()
        audit_record(actor=actor, action="points.award", target=movement,
                     after={"person": person.pk, "points": points, "trigger": trigger, "quantity": str(quantity),
                            "source": f"{source_type.app_label}.{source_type.model}:{source.pk}"},
                     subdistrict_id=subdistrict_id)
        return movement


def _already_paid(key: dict) -> int:
    """What a (trigger, source, person) has paid so far: its awards less the revisions that took some back."""
    moved = dict(PointsTransaction.objects.filter(**key, kind__in=(K.AWARD, K.DEDUCTION))
                 .order_by().values_list("kind").annotate(total=Sum("amount")))
    return moved.get(K.AWARD, 0) - moved.get(K.DEDUCTION, 0)


def points_award_revise(*, actor, person: User, trigger: str, quantity, source: models.Model,
                        note: str = "") -> PointsTransaction | None:
    """What `source` earned changed (its hours were corrected, an attendance was struck off): post the
    difference between what the rule for `trigger` now gives for `quantity` and what was already paid
    for this (trigger, source, person) — an award when it is more, a deduction when less, nothing when
    the same (so calling it again changes nothing). Called inside the caller's transaction.

    A quantity of 0 takes everything back whatever the rules say; otherwise a trigger without an active
    rule changes nothing (switching a rule off stops future pay, it never takes back what was earned).
    A deduction never takes the balance below zero: when the person has already spent the points, it
    takes what the balance allows and the movement's reason says how much could not be taken back (the
    correction of the hours must not fail because of points). Returns the movement posted, or None."""
    if trigger not in Trigger.values or trigger == Trigger.BONUS:
        raise DomainError(_("Unknown trigger."), code="invalid_trigger", field="trigger")
    if source is None or source.pk is None or person is None:
        raise DomainError(_("Points are paid for something that happened."), code="invalid_source")
    source_type = ContentType.objects.get_for_model(source)
    key = {"trigger": trigger, "source_type": source_type, "source_id": str(source.pk), "person": person}
    subdistrict_id = _source_subdistrict_id(source) or person_subdistrict_id(person)
    _points_for(1, quantity)  # refuses a quantity that is not a number of at least 0
    if Decimal(str(quantity)) == 0:
        target = 0
    else:
        rule = PointsRule.objects.filter(subdistrict=subdistrict_id, trigger=trigger, is_active=True).first()
        if rule is None:
            return None
        target = _points_for(rule.points, quantity)
    with transaction.atomic():
        account = _person_account(person, lock=True)
        # Read after the lock: every movement for this source before ours has committed by now.
        paid = _already_paid(key)
        change = target - paid
        taken = min(-change, account.balance) if change < 0 else 0
        label = _reason(note, required=False) or str(Trigger(trigger).label)
        if change > 0:
            revision = PointsTransaction.objects.filter(kind=K.AWARD, **key).exists()
            movement = _post(kind=K.AWARD, person=person, account=account, system=A.ISSUED, amount=change,
                             reason=label, actor=actor, trigger=trigger, source_type=source_type,
                             source_id=str(source.pk), is_revision=revision, lot_year=_lot_year())
        elif taken > 0:
            if taken < -change:
                label = (_("%(reason)s (%(owed)s points could not be taken back: the balance was %(balance)s)")
                         % {"reason": label, "owed": -change - taken, "balance": account.balance})
            movement = _post(kind=K.DEDUCTION, person=person, account=account, system=A.ISSUED, amount=taken,
                             reason=label, actor=actor, trigger=trigger, source_type=source_type,
                             source_id=str(source.pk), is_revision=True)
        else:
            movement = None
        if change != 0:
            audit_record(actor=actor, action="points.award_revise", target=movement or account,
                         after={"person": person.pk, "trigger": trigger, "quantity": str(quantity), "paid": paid,
                                "now": target, "posted": change if change > 0 else -taken,
                                "not_taken_back": -change - taken if change < 0 else 0,
                                "source": f"{source_type.app_label}.{source_type.model}:{source.pk}"},
                         subdistrict_id=subdistrict_id)
        return movement


def points_manual_award(*, actor, person: User | int, amount: int, reason: str,
                        bonus: PointsRule | int | None = None) -> PointsTransaction:
    """Staff award points by hand (positive) or deduct them (negative, a correction), always with a
    reason. A bonus rule fills in its amount. A deduction never takes a balance below zero."""
    pk = person.pk if isinstance(person, User) else person
    person = User.objects.filter(pk=pk).first() if isinstance(pk, int) else None
    if person is None or not permissions.can(actor, Action.POINTS_AWARD, person):
        raise NotAllowed()
    reason = _reason(reason)
    trigger = ""
    if bonus is not None:
        bonus_pk = bonus.pk if isinstance(bonus, PointsRule) else bonus
        found = PointsRule.objects.filter(pk=bonus_pk, trigger=Trigger.BONUS, is_active=True,
                                          subdistrict=person_subdistrict_id(person)).first()
        if found is None:
            raise DomainError(_("Choose one of the bonuses."), code="invalid_bonus", field="bonus")
        amount, trigger = found.points, Trigger.BONUS
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0 or abs(amount) > MAX_MANUAL:
        raise DomainError(_("Enter a whole number of points other than 0 (at most %(max)s).") % {"max": MAX_MANUAL},
                          code="invalid_amount", field="amount")
    with transaction.atomic():
        account = _person_account(person, lock=True)
        if amount > 0:
            movement = _post(kind=K.AWARD, person=person, account=account, system=A.ISSUED, amount=amount,
                             reason=reason, actor=actor, trigger=trigger or "manual", lot_year=_lot_year())
        else:
            movement = _post(kind=K.DEDUCTION, person=person, account=account, system=A.ISSUED, amount=-amount,
                             reason=reason, actor=actor, trigger="manual")
        audit_record(actor=actor, action="points.manual_award" if amount > 0 else "points.deduct", target=movement,
                     after={"person": person.pk, "points": amount, "reason": reason, "balance": account.balance},
                     subdistrict_id=person_subdistrict_id(person))
        return movement


def points_hide_from_leaderboards(*, actor, hidden: bool) -> PointsAccount:
    """A person chooses whether leaderboards show them (they are shown unless they opt out)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed()
    with transaction.atomic():
        account = _person_account(actor, lock=True)
        PointsAccount.objects.filter(pk=account.pk).update(hide_from_leaderboards=bool(hidden))
        audit_record(actor=actor, action="points.leaderboard_opt_out", target=account,
                     before={"hidden": account.hide_from_leaderboards}, after={"hidden": bool(hidden)})
        account.hide_from_leaderboards = bool(hidden)
        return account


# --- rules --------------------------------------------------------------------------------------------

def _points_value(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_MANUAL:
        raise DomainError(_("Enter a whole number of points from 0 to %(max)s.") % {"max": MAX_MANUAL},
                          code="invalid_amount", field="points")
    return value


def points_rule_set(*, actor, subdistrict: Subdistrict | int, trigger: str, points: int, is_active: bool = True,
                    name: str = "", rule: PointsRule | int | None = None) -> PointsRule:
    """Staff set how many points a trigger pays in their subdistrict (one rule per trigger), or add or
    change a named bonus."""
    sub_pk = subdistrict.pk if isinstance(subdistrict, Subdistrict) else subdistrict
    sub = Subdistrict.objects.filter(pk=sub_pk).first() if isinstance(sub_pk, int) else None
    if sub is None or not permissions.can(actor, Action.POINTS_RULES, sub):
        raise NotAllowed()
    if trigger not in Trigger.values:
        raise DomainError(_("Choose what the rule pays for."), code="invalid_trigger", field="trigger")
    points = _points_value(points)
    name = name.strip() if isinstance(name, str) else ""
    if trigger == Trigger.BONUS and not name:
        raise DomainError(_("Give the bonus a name."), code="required", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": NAME_MAX_LENGTH, "count": len(name)}, code="too_long", field="name")
    now = clock.now()
    with transaction.atomic():
        Subdistrict.objects.select_for_update().filter(pk=sub.pk).first()
        if trigger == Trigger.BONUS:
            found = (PointsRule.objects.filter(pk=rule.pk if isinstance(rule, PointsRule) else rule, subdistrict=sub,
                                               trigger=trigger).first() if rule is not None else None)
        else:
            found = PointsRule.objects.filter(subdistrict=sub, trigger=trigger).first()
        before = {"points": found.points, "active": found.is_active, "name": found.name} if found else None
        if found is None:
            found = PointsRule.objects.create(subdistrict=sub, trigger=trigger, name=name if trigger == Trigger.BONUS
                                              else "", points=points, is_active=bool(is_active), updated_by=actor,
                                              updated_at=now)
        else:
            PointsRule.objects.filter(pk=found.pk).update(points=points, is_active=bool(is_active), updated_by=actor,
                                                          updated_at=now, name=found.name if trigger != Trigger.BONUS
                                                          else name)
            found.refresh_from_db()
        audit_record(actor=actor, action="points.rule_set", target=found, before=before,
                     after={"trigger": trigger, "points": points, "active": bool(is_active), "name": found.name},
                     subdistrict_id=sub.pk)
        return found


# --- rewards ------------------------------------------------------------------------------------------

def _reward_fields(data: dict) -> dict:
    name = data.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise DomainError(_("Enter the reward's name."), code="required", field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": NAME_MAX_LENGTH, "count": len(name)}, code="too_long", field="name")
    description = data.get("description") or ""
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(_("Please keep this to %(limit)s characters (now %(count)s).")
                          % {"limit": DESCRIPTION_MAX_LENGTH, "count": len(str(description))}, code="too_long",
                          field="description")
    pickup_place = _reason(data.get("pickup_place", ""), required=False)

    def whole(key, low, field_message):
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= MAX_MANUAL:
            raise DomainError(field_message, code="invalid_number", field=key)
        return value

    cost = whole("cost", 1, _("The cost is a whole number of points, at least 1."))
    stock = whole("stock", 0, _("The stock is a whole number, at least 0."))
    limit = whole("per_person_limit", 1, _("The limit per person is a whole number, at least 1."))
    start, end = data.get("available_from"), data.get("available_until")
    if start and end and end <= start:
        raise DomainError(_("The end of the window must come after its start."), code="invalid_window",
                          field="available_until")
    return {"name": name, "description": description.strip(), "pickup_place": pickup_place, "cost": cost,
            "stock": stock, "per_person_limit": limit, "available_from": start or None, "available_until": end or None,
            "is_active": bool(data.get("is_active", True))}


def _may_offer(actor, *, subdistrict: Subdistrict, unit: MemberUnit | None, community: Community | None) -> bool:
    """Subdistrict staff offer rewards for the whole subdistrict, community staff for their community,
    a unit's liaison for their unit (open to the subdistrict, or to one community)."""
    scopes = actor_of(actor)
    if scopes.is_admin:
        return True
    if community is not None and community.subdistrict_id != subdistrict.pk:
        return False
    if unit is not None:
        return unit.pk in scopes.member_units or subdistrict.pk in scopes.subdistricts_as(Role.SUBDISTRICT_STAFF)
    if subdistrict.pk in scopes.subdistricts_as(Role.SUBDISTRICT_STAFF):
        return True
    return community is not None and community.pk in scopes.communities_as(Role.COMMUNITY_STAFF)


def reward_create(*, actor, subdistrict: Subdistrict, member_unit: MemberUnit | None = None,
                  community: Community | None = None, photo=None, **data) -> Reward:
    """Add a reward to the catalogue, donated by a member unit or by the subdistrict / a community."""
    if member_unit is not None and member_unit.alliance.subdistrict_id != subdistrict.pk:
        raise DomainError(_("The unit is not in this subdistrict's alliance."), code="invalid_unit",
                          field="member_unit")
    if not _may_offer(actor, subdistrict=subdistrict, unit=member_unit, community=community):
        raise NotAllowed()
    fields = _reward_fields(data)
    cleaned = clean_photo(photo).file if photo else ""
    now = clock.now()
    with transaction.atomic():
        reward = Reward.objects.create(subdistrict=subdistrict, member_unit=member_unit, community=community,
                                       created_by=actor, created_at=now, updated_at=now, photo=cleaned, **fields)
        audit_record(actor=actor, action="points.reward_create", target=reward,
                     after={**fields, "unit": member_unit, "community": community}, subdistrict_id=subdistrict.pk)
        return reward


def reward_update(*, actor, reward: Reward | int, photo=None, **data) -> Reward:
    """Change a reward: its words, photo, cost, stock (restocking), limit, window, or take it off
    (inactive). Redemptions already made keep the cost they paid."""
    fields = _reward_fields(data)
    cleaned = clean_photo(photo).file if photo else None
    with transaction.atomic():
        pk = reward.pk if isinstance(reward, Reward) else reward
        locked = Reward.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
        if locked is None or not permissions.can(actor, Action.REWARD_MANAGE, locked):
            raise NotAllowed()
        before = {key: getattr(locked, key) for key in fields}
        changes = {**fields, "updated_at": clock.now()}
        if cleaned:
            changes["photo"] = cleaned
        for key, value in changes.items():
            setattr(locked, key, value)
        locked.save()
        audit_record(actor=actor, action="points.reward_update", target=locked, before=before, after=fields,
                     subdistrict_id=locked.subdistrict_id)
        return locked


# --- redemptions --------------------------------------------------------------------------------------

def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(raw) -> str:
    """What staff typed or scanned, as stored: upper case, without spaces or dashes."""
    return "".join(ch for ch in str(raw or "").upper() if ch.isalnum())[:CODE_LENGTH * 2]


def redemption_create(*, actor, reward: Reward | int) -> Redemption:
    """A person buys a reward with their points. Under the reward's row lock and then their account's,
    it checks the window, the stock, their limit for this reward and their balance; the points move
    to the `redeemed` account and the person gets a one-time pickup code."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed()
    pk = reward.pk if isinstance(reward, Reward) else reward
    with transaction.atomic():
        locked = Reward.objects.select_for_update().filter(pk=pk).first() if isinstance(pk, int) else None
        if locked is None or not permissions.can(actor, Action.REWARD_REDEEM, locked):
            raise NotAllowed()
        now = clock.now()
        if (locked.available_from and now < locked.available_from) or (
                locked.available_until and now >= locked.available_until):
            raise DomainError(_("This reward cannot be redeemed at the moment."), code="not_available")
        if locked.stock < 1:
            raise DomainError(_("Sorry, this reward is out of stock."), code="out_of_stock")
        account = _person_account(actor, lock=True)
        taken = Redemption.objects.filter(reward=locked, person=actor).exclude(status=R.CANCELLED).count()
        if taken >= locked.per_person_limit:
            raise DomainError(_("You have already redeemed this reward %(n)s times, the most allowed per person.")
                              % {"n": taken}, code="limit_reached")
        if account.balance < locked.cost:
            raise _not_enough(account.balance)
        if not Reward.objects.filter(pk=locked.pk, stock__gte=1).update(stock=F("stock") - 1, updated_at=now):
            raise DomainError(_("Sorry, this reward is out of stock."), code="out_of_stock")
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    made = Redemption.objects.create(reward=locked, person=actor, cost=locked.cost, code=_new_code(),
                                                     status=R.READY, created_at=now)
                break
            except IntegrityError:
                continue  # the code was taken: draw another
        else:
            raise DomainError(_("Please try again."), code="conflict")
        _post(kind=K.REDEMPTION, person=actor, account=account, system=A.REDEEMED, amount=locked.cost,
              reason=locked.name, actor=actor, redemption=made)
        audit_record(actor=actor, action="points.redeem", target=made,
                     after={"reward": locked.pk, "cost": locked.cost, "balance": account.balance},
                     subdistrict_id=locked.subdistrict_id)
        transaction.on_commit(lambda: notices.ready(made.pk), robust=True)
        return made


def _lock_redemption(pk) -> tuple[Reward, Redemption] | tuple[None, None]:
    reward_id = Redemption.objects.filter(pk=pk).values_list("reward_id", flat=True).first() \
        if isinstance(pk, int) else None
    if reward_id is None:
        return None, None
    reward = Reward.objects.select_for_update().get(pk=reward_id)
    return reward, Redemption.objects.select_for_update(of=("self",)).select_related("person").get(pk=pk)


def redemption_cancel(*, actor, redemption: Redemption | int, reason: str = "") -> Redemption:
    """The person (before pickup) or staff cancel a redemption: the points come back through the ledger
    (a refund movement) and the stock is restored. Staff must say why."""
    pk = redemption.pk if isinstance(redemption, Redemption) else redemption
    with transaction.atomic():
        reward, locked = _lock_redemption(pk)
        if locked is None:
            raise NotAllowed()
        own = locked.person_id == getattr(actor, "pk", None)
        if not own and not permissions.can(actor, Action.REDEMPTION_HANDLE, locked):
            raise NotAllowed()
        reason = _reason(reason, required=not own)
        if locked.status != R.READY:
            raise DomainError(_("This redemption was already %(status)s.") % {"status": locked.get_status_display()},
                              code="invalid_transition")
        now = clock.now()
        if not Redemption.objects.filter(pk=locked.pk, status=R.READY).update(
                status=R.CANCELLED, cancelled_at=now, cancelled_by=actor, cancel_reason=reason):
            raise DomainError(_("Someone else changed this redemption just now."), code="conflict")
        Reward.objects.filter(pk=reward.pk).update(stock=F("stock") + 1, updated_at=now)
        account = _person_account(locked.person, lock=True)
        _post(kind=K.REFUND, person=locked.person, account=account, system=A.REDEEMED, amount=locked.cost,
              reason=reason or reward.name, actor=actor, redemption=locked)
        audit_record(actor=actor, action="points.redemption_cancel", target=locked,
                     before={"status": R.READY}, after={"status": R.CANCELLED, "reason": reason, "by_person": own},
                     subdistrict_id=reward.subdistrict_id)
        locked.refresh_from_db()
        transaction.on_commit(lambda: notices.cancelled(locked.pk), robust=True)
        return locked


def redemption_pickup(*, actor, code: str) -> Redemption:
    """Staff (or the donating unit's liaison) hand the reward out against its one-time code, scanned
    from the person's QR code or typed. A code works once; another place's code is not found."""
    code = normalise_code(code)
    if len(code) != CODE_LENGTH:
        raise DomainError(_("Enter the %(n)s-character pickup code.") % {"n": CODE_LENGTH}, code="invalid_code",
                          field="code")
    with transaction.atomic():
        found = permissions.visible(actor, Action.REDEMPTION_HANDLE, Redemption.objects.filter(code=code)).first()
        if found is None:
            raise NotAllowed()
        reward, locked = _lock_redemption(found.pk)
        if locked.status != R.READY:
            raise DomainError(_("This code was already used or the redemption was cancelled (%(status)s).")
                              % {"status": locked.get_status_display()}, code="code_used", field="code")
        now = clock.now()
        if not Redemption.objects.filter(pk=locked.pk, status=R.READY).update(
                status=R.PICKED_UP, picked_up_at=now, picked_up_by=actor):
            raise DomainError(_("This code was already used."), code="code_used", field="code")
        audit_record(actor=actor, action="points.pickup", target=locked, before={"status": R.READY},
                     after={"status": R.PICKED_UP}, subdistrict_id=reward.subdistrict_id)
        locked.refresh_from_db()
        transaction.on_commit(lambda: notices.picked_up(locked.pk), robust=True)
        return locked


# --- expiry (a periodic job) -----------------------------------------------------------------------------

def expiry_date(lot_year: int) -> date | None:
    """The day points earned in `lot_year` expire at the end of (JUSHA_POINTS_EXPIRE_ON, "MM-DD" in the
    next year), or None where points never expire."""
    month_day = settings.JUSHA_POINTS_EXPIRE_ON
    if not month_day:
        return None
    month, day = (int(part) for part in month_day.split("-"))
    return date(lot_year + 1, month, day)


def points_expire_due() -> int:
    """Expire every lot whose day has passed; returns how many movements were posted. Idempotent.

    FIFO: what a person spent came out of their oldest points first, so what is left of the lots up to
    year Y is the balance minus what they earned in later years; that (if more than 0) expires. A lot
    is finished once (`ExpiryRun`); each person's expiry is posted under their account's lock and at
    most once per lot (a unique constraint), so concurrent runs post nothing twice."""
    today = timezone.localdate(clock.now())
    if expiry_date(today.year) is None:
        return 0
    done = set(ExpiryRun.objects.values_list("lot_year", flat=True))
    lots = sorted({year for year in PointsTransaction.objects.filter(kind=K.AWARD).values_list("lot_year", flat=True)
                   .distinct() if year not in done and expiry_date(year) < today})
    posted = 0
    for year in lots:
        people = (PointsTransaction.objects.filter(kind=K.AWARD, lot_year__lte=year).values_list("person", flat=True)
                  .distinct().order_by("person"))
        for person_id in list(people):
            posted += _expire_one(person_id, year)
        ExpiryRun.objects.get_or_create(lot_year=year, defaults={"expired_on": expiry_date(year),
                                                                 "finished_at": clock.now()})
    return posted


def _expire_one(person_id: int, year: int) -> int:
    with transaction.atomic():
        person = User.objects.get(pk=person_id)
        account = _person_account(person, lock=True)
        if PointsTransaction.objects.filter(kind=K.EXPIRY, person=person, lot_year=year).exists():
            return 0
        later = (PointsTransaction.objects.filter(kind=K.AWARD, person=person, lot_year__gt=year)
                 .aggregate(total=Sum("amount"))["total"] or 0)
        amount = account.balance - later
        if amount <= 0:
            return 0
        movement = _post(kind=K.EXPIRY, person=person, account=account, system=A.EXPIRED, amount=amount,
                         reason=_("Points earned in %(year)s expired on %(day)s.")
                         % {"year": year, "day": expiry_date(year).isoformat()}, lot_year=year)
        audit_record(actor=None, action="points.expire", target=movement,
                     after={"person": person_id, "points": amount, "lot_year": year},
                     subdistrict_id=person_subdistrict_id(person))
        return 1
