"""Points (积分): an append-only double-entry ledger, the rules that pay into it, and the rewards it buys.

The ledger (PointsLedger in the glossary) is three tables. A `PointsAccount` is one person's account,
or one of the system accounts points come from and go to (`issued`, `redeemed`, `expired`). A
`PointsTransaction` is one movement (an award, a deduction, a redemption, its refund, an expiry) and
has two or more `PointsEntry` rows whose amounts sum to zero: what one account gains another loses,
so the whole ledger always sums to zero. Entries are never changed or deleted — a mistake is put
right by a new transaction (a correction) — and a balance is the sum of an account's entries.

`PointsAccount.balance` caches that sum so the database itself can refuse a negative balance (a check
constraint) and leaderboards need no aggregate; it is only ever changed by `services._post`, in the
same transaction as the entries, and tests/test_points_ledger.py proves it equals the sum.

A `Reward` is something donated by a member unit (or the subdistrict / a community) that a person buys
with points; a `Redemption` is one purchase, picked up with a one-time code.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jusha.core.errors import DomainError

REASON_MAX_LENGTH = 200
NAME_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 1000
CODE_LENGTH = 8


class Trigger(models.TextChoices):
    """What a rule pays for; other apps pass these codes to `services.points_award_for` (docs/points.md)."""

    HOURS = "hours", _("per verified volunteer hour")
    LECTURE = "lecture", _("per lecture attended")
    COURSE = "course", _("per course session attended")
    YOUTH_EXPERIENCE = "youth_experience", _("per youth experience attended")
    VOLUNTEER_SERVICE = "volunteer_service", _("per volunteer service")
    ALLIANCE_ACTIVITY = "alliance_activity", _("per alliance activity")
    NEED_FULFILLED = "need_fulfilled", _("per need fulfilled (to the person who took it on)")
    WISH_FULFILLED = "wish_fulfilled", _("per micro-wish fulfilled (to the person who claimed it)")
    BONUS = "bonus", _("bonus (a named amount staff award by hand)")


class PointsAccount(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("a person's account")
        ISSUED = "issued", _("points issued (where awards come from)")
        REDEEMED = "redeemed", _("points redeemed (where redemptions go)")
        EXPIRED = "expired", _("points expired")

    SYSTEM = (Kind.ISSUED, Kind.REDEEMED, Kind.EXPIRED)

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="points_account", verbose_name=_("person"))
    balance = models.IntegerField(_("balance"), default=0, editable=False)
    hide_from_leaderboards = models.BooleanField(_("hide me from leaderboards"), default=False)
    created_at = models.DateTimeField(_("opened at"))

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(condition=Q(kind="person", person__isnull=False)
                                   | (~Q(kind="person") & Q(person__isnull=True)), name="points_account_owner"),
            models.UniqueConstraint(fields=["kind"], condition=~Q(kind="person"), name="points_one_system_account"),
            # A person can never spend more than they have, whatever a service gets wrong.
            models.CheckConstraint(condition=~Q(kind="person") | Q(balance__gte=0),
                                   name="points_person_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.person) if self.person_id else self.get_kind_display()


class PointsRule(models.Model):
    """How many points a trigger pays in one subdistrict; a bonus is a named amount (several per subdistrict)."""

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="points_rules",
                                    verbose_name=_("subdistrict"))
    trigger = models.CharField(_("pays for"), max_length=20, choices=Trigger.choices)
    name = models.CharField(_("name (bonuses)"), max_length=NAME_MAX_LENGTH, blank=True)
    points = models.PositiveIntegerField(_("points"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("changed by"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        ordering = ["trigger", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "trigger"], condition=~Q(trigger="bonus"),
                                    name="points_one_rule_per_trigger"),
            models.CheckConstraint(condition=~Q(trigger="bonus") | ~Q(name=""), name="points_bonus_has_name"),
        ]

    def __str__(self) -> str:
        return self.name or self.get_trigger_display()


class PointsTransaction(models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", _("awarded")
        DEDUCTION = "deduction", _("deducted (correction)")
        REDEMPTION = "redemption", _("redeemed")
        REFUND = "refund", _("returned (redemption cancelled)")
        EXPIRY = "expiry", _("expired")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # The person whose account moves (every movement concerns exactly one person).
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="points_movements",
                               verbose_name=_("person"))
    amount = models.PositiveIntegerField(_("points"))
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)
    # What paid the award (a need, a micro-wish, a service record): one award per (trigger, source, person).
    source_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    source_id = models.CharField(max_length=40, blank=True)
    # An award or deduction that revises what the source already paid (`services.points_award_revise`):
    # the only way the same (trigger, source, person) is paid again.
    is_revision = models.BooleanField(default=False)
    redemption = models.ForeignKey("points.Redemption", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="movements", verbose_name=_("redemption"))
    # Awards: the year the points were earned in, which decides when they expire (docs/points.md).
    lot_year = models.PositiveSmallIntegerField(_("earned in year"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=REASON_MAX_LENGTH)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("points movement")
        verbose_name_plural = _("points movements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="points_movement_amount_positive"),
            # The same source never pays the same person twice for the same trigger.
            models.UniqueConstraint(fields=["trigger", "source_type", "source_id", "person"],
                                    condition=Q(kind="award", is_revision=False) & ~Q(source_id=""),
                                    name="points_award_once"),
            # One expiry per person and year's lot.
            models.UniqueConstraint(fields=["person", "lot_year"], condition=Q(kind="expiry"),
                                    name="points_expire_lot_once"),
            models.CheckConstraint(condition=~Q(kind="award") | Q(lot_year__isnull=False),
                                   name="points_award_has_lot"),
            models.CheckConstraint(condition=~Q(kind__in=["redemption", "refund"]) | Q(redemption__isnull=False),
                                   name="points_redemption_movement_has_redemption"),
            models.UniqueConstraint(fields=["redemption", "kind"], condition=Q(kind__in=["redemption", "refund"]),
                                    name="points_redemption_moves_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} → {self.person_id}"

    @property
    def signed_amount(self) -> int:
        """The change to the person's balance."""
        return self.amount if self.kind in (self.Kind.AWARD, self.Kind.REFUND) else -self.amount


class EntryQuerySet(models.QuerySet):
    """Entries are append-only: bulk updates and deletes are refused before reaching the database."""

    def update(self, **kwargs):
        raise DomainError(_("Ledger entries are never changed; post a correction instead."), code="append_only")

    def delete(self):
        raise DomainError(_("Ledger entries are never deleted; post a correction instead."), code="append_only")


class PointsEntry(models.Model):
    transaction = models.ForeignKey(PointsTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    # Positive: the account gains (credit to a person); negative: it gives.
    amount = models.IntegerField()
    created_at = models.DateTimeField()

    objects = EntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="points_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.account} {self.amount:+d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise DomainError(_("Ledger entries are never changed; post a correction instead."), code="append_only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DomainError(_("Ledger entries are never deleted; post a correction instead."), code="append_only")


class ExpiryRun(models.Model):
    """The year's lot whose expiry the periodic job finished: it is not looked at again."""

    lot_year = models.PositiveSmallIntegerField(unique=True)
    expired_on = models.DateField()
    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.lot_year} → {self.expired_on}"


class Reward(models.Model):
    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="rewards",
                                    verbose_name=_("subdistrict"))
    # The donor: a member unit, else the community (when set) or the subdistrict itself.
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="rewards", verbose_name=_("donated by unit"))
    # Empty: open to everyone in the subdistrict; set: to that community's residents only.
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="rewards", verbose_name=_("for residents of"))
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    photo = models.ImageField(_("photo"), upload_to="rewards/%Y/", blank=True)
    cost = models.PositiveIntegerField(_("cost in points"))
    stock = models.IntegerField(_("in stock"))
    per_person_limit = models.PositiveIntegerField(_("at most per person"), default=1)
    available_from = models.DateTimeField(_("available from"), null=True, blank=True)
    available_until = models.DateTimeField(_("available until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    pickup_place = models.CharField(_("where to pick up"), max_length=REASON_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added at"))
    updated_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("reward")
        verbose_name_plural = _("rewards")
        ordering = ["cost", "name", "id"]
        constraints = [
            # Never oversold, whatever a service gets wrong: the last line behind the row lock.
            models.CheckConstraint(condition=Q(stock__gte=0), name="reward_stock_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=1), name="reward_cost_positive"),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1), name="reward_limit_positive"),
            models.CheckConstraint(condition=~Q(name=""), name="reward_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("points:reward", args=[self.pk])

    @property
    def donor(self) -> str:
        if self.member_unit_id:
            return self.member_unit.name
        return self.community.name if self.community_id else self.subdistrict.name


class Redemption(models.Model):
    class Status(models.TextChoices):
        READY = "ready", _("ready for pickup")
        PICKED_UP = "picked_up", _("picked up")
        CANCELLED = "cancelled", _("cancelled, points returned")

    reward = models.ForeignKey(Reward, on_delete=models.PROTECT, related_name="redemptions",
                               verbose_name=_("reward"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="redemptions",
                               verbose_name=_("person"))
    cost = models.PositiveIntegerField(_("points paid"))
    # The one-time pickup code: random, shown only to the person (and as a QR code on their page).
    code = models.CharField(_("pickup code"), max_length=CODE_LENGTH, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.READY)
    created_at = models.DateTimeField(_("redeemed at"))
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    picked_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("handed out by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("cancelled by"))
    cancel_reason = models.CharField(_("why cancelled"), max_length=REASON_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["reward", "person", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(status="picked_up") | Q(picked_up_at__isnull=False),
                                   name="redemption_picked_up_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.reward} → {self.person} ({self.status})"
