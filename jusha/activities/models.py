"""Activities (活动): lectures, courses, youth experiences and services people sign up for.

An `Activity` is written by staff or a member unit's liaison, reviewed by subdistrict or community
staff (`workflow.TRANSITIONS`) and only then public. It happens as one or more dated `Session`s (a
6-week tai chi course is one activity with six sessions). A person books a seat of a session, or every
session of a course at once, with a `SignUp`; volunteers book a `VolunteerSlot` instead of a seat.

Seats are never oversold: services lock the session row, and the session's `confirmed_count` is a
counter that the database refuses to raise above `seats`. At most one live sign-up per person and
session is a partial unique index. Only `services.py` writes these rows.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 100
TEXT_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 500
PLACE_MAX_LENGTH = 120
MAX_SEATS = 10000
MAX_SESSIONS = 60
MAX_AGE = 120


class Activity(models.Model):
    class Kind(models.TextChoices):
        LECTURE = "lecture", _("lecture")  # 聚沙讲堂
        COURSE = "course", _("course")  # 惠民课堂
        YOUTH = "youth", _("youth experience")  # 成长体验馆
        VOLUNTEER_SERVICE = "volunteer_service", _("volunteer service")
        ALLIANCE = "alliance", _("alliance activity")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting review")
        PUBLISHED = "published", _("published")
        REJECTED = "rejected", _("returned")
        CANCELLED = "cancelled", _("cancelled")

    class Organiser(models.TextChoices):
        SUBDISTRICT = "subdistrict", _("subdistrict")
        COMMUNITY = "community", _("community")
        UNIT = "unit", _("member unit")

    class SignupScope(models.TextChoices):
        SESSION = "session", _("each session on its own")
        COURSE = "course", _("the whole course at once")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("description"), max_length=TEXT_MAX_LENGTH, blank=True)
    # Whose activity it is. The subdistrict is always set (it scopes who may see the draft); the
    # community is the organising or hosting community, whose staff review it; a unit's activity
    # names its unit.
    organiser_kind = models.CharField(_("organised by"), max_length=20, choices=Organiser.choices)
    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="activities",
                                    verbose_name=_("subdistrict"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="activities", verbose_name=_("community"))
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="activities", verbose_name=_("member unit"))
    place_name = models.CharField(_("place"), max_length=PLACE_MAX_LENGTH)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    # Check-in by QR code may require being within this distance of the point.
    geofence_m = models.PositiveIntegerField(_("check-in radius (metres)"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # Empty: open to everyone.
    audience_communities = models.ManyToManyField("places.Community", blank=True, related_name="+",
                                                  verbose_name=_("open to residents of"))
    seats = models.PositiveIntegerField(_("seats per session"))
    signup_scope = models.CharField(_("sign-up"), max_length=10, choices=SignupScope.choices,
                                    default=SignupScope.SESSION)
    # Empty opening: from publication; empty closing: until each session starts.
    signup_opens_at = models.DateTimeField(_("sign-up opens"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("sign-up closes"), null=True, blank=True)
    cancel_hours = models.PositiveSmallIntegerField(
        _("cancel until (hours before the start)"), default=2,
        help_text=_("A sign-up can be cancelled until this many hours before its session starts."))
    # 惠民课堂 built from common needs: the needs that asked for this course.
    needs = models.ManyToManyField("needs.Need", blank=True, related_name="activities",
                                   verbose_name=_("from needs"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("reviewed by"))
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=NOTE_MAX_LENGTH, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=NOTE_MAX_LENGTH, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subdistrict", "status"]), models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="activity_title_not_empty"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="activity_seats_in_range"),
            models.CheckConstraint(condition=Q(lng__isnull=True, lat__isnull=True)
                                   | Q(lng__isnull=False, lat__isnull=False, lng__gte=-180, lng__lte=180,
                                       lat__gte=-90, lat__lte=90),
                                   name="activity_location_is_a_point"),
            models.CheckConstraint(condition=Q(geofence_m__isnull=True) | Q(lng__isnull=False, geofence_m__gte=1),
                                   name="activity_geofence_needs_a_point"),
            models.CheckConstraint(condition=Q(min_age__isnull=True) | Q(max_age__isnull=True)
                                   | Q(max_age__gte=F("min_age")), name="activity_age_range_in_order"),
            models.CheckConstraint(condition=Q(signup_opens_at__isnull=True) | Q(signup_closes_at__isnull=True)
                                   | Q(signup_closes_at__gt=F("signup_opens_at")),
                                   name="activity_signup_window_in_order"),
            models.CheckConstraint(condition=Q(organiser_kind="subdistrict", member_unit__isnull=True)
                                   | Q(organiser_kind="community", community__isnull=False, member_unit__isnull=True)
                                   | Q(organiser_kind="unit", member_unit__isnull=False),
                                   name="activity_organiser_consistent"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def organiser_name(self) -> str:
        if self.organiser_kind == self.Organiser.UNIT:
            return self.member_unit.name
        if self.organiser_kind == self.Organiser.COMMUNITY:
            return self.community.name
        return self.subdistrict.name


class Session(models.Model):
    """One dated occurrence of an activity (场次/课次). It may end after midnight."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="sessions",
                                 verbose_name=_("activity"))
    seq = models.PositiveSmallIntegerField(_("number"))
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    seats = models.PositiveIntegerField(_("seats"))
    # Confirmed participants, changed only under this row's lock; the database refuses more than seats.
    confirmed_count = models.PositiveIntegerField(_("confirmed"), default=0)
    # The next arrival number handed to a sign-up of this session (waitlist order).
    next_position = models.PositiveIntegerField(default=1)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=NOTE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "seq"], name="session_unique_seq"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(seats__gte=1, seats__lte=MAX_SEATS), name="session_seats_in_range"),
            models.CheckConstraint(condition=Q(confirmed_count__lte=F("seats")), name="session_never_oversold"),
        ]

    def __str__(self) -> str:
        return f"{self.activity.title} #{self.seq}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def seats_left(self) -> int:
        return max(self.seats - self.confirmed_count, 0)


class VolunteerSlot(models.Model):
    """Volunteers an activity needs: `count` per session, of one skill (blank: any volunteer).

    Without a session the slot applies to every session of the activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="volunteer_slots",
                                 verbose_name=_("activity"))
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="volunteer_slots", verbose_name=_("session"))
    skill = models.CharField(_("skill"), max_length=20, blank=True,
                             help_text=_("A code from jusha.volunteers.skills.Skill; empty: any volunteer."))
    count = models.PositiveSmallIntegerField(_("volunteers"))

    class Meta:
        verbose_name = _("volunteer slot")
        verbose_name_plural = _("volunteer slots")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="volunteer_slot_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.skill or '*'} × {self.count}"


class SignUp(models.Model):
    """One person's place at one session: a seat (participant) or a volunteer slot."""

    class Role(models.TextChoices):
        PARTICIPANT = "participant", _("participant")
        VOLUNTEER = "volunteer", _("volunteer")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    LIVE = (Status.CONFIRMED, Status.WAITLISTED)

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups",
                                verbose_name=_("session"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signups",
                               verbose_name=_("person"))
    role = models.CharField(_("as"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    slot = models.ForeignKey(VolunteerSlot, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="signups", verbose_name=_("volunteer slot"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, db_index=True)
    # Arrival order within the session, handed out under the session's lock: the waitlist order.
    position = models.PositiveIntegerField(_("arrival number"))
    # The same id on every session of a whole-course booking, so it is cancelled as one.
    course_booking = models.UUIDField(_("course booking"), null=True, blank=True, db_index=True)
    # The age the person gave, when the activity has an age range (a parent booking for a child).
    attendee_age = models.PositiveSmallIntegerField(_("age"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed up at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Set when a waitlisted sign-up took a freed seat.
    promoted_at = models.DateTimeField(_("promoted at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why cancelled"), max_length=NOTE_MAX_LENGTH, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["session", "position"]
        indexes = [models.Index(fields=["person", "status"]), models.Index(fields=["session", "status", "position"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], condition=Q(status__in=["confirmed", "waitlisted"]),
                                    name="signup_one_live_per_person"),
            models.UniqueConstraint(fields=["session", "position"], name="signup_unique_position"),
            models.CheckConstraint(condition=Q(role="participant", slot__isnull=True)
                                   | Q(role="volunteer", slot__isnull=False), name="signup_volunteer_has_slot"),
            models.CheckConstraint(condition=Q(status="cancelled", cancelled_at__isnull=False)
                                   | (~Q(status="cancelled") & Q(cancelled_at__isnull=True)),
                                   name="signup_cancelled_has_time"),
            models.CheckConstraint(condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                                   name="signup_confirmed_has_time"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.session_id} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in self.LIVE


def new_feed_token() -> str:
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """The secret in a person's own iCal feed URL; replacing it revokes the old URL."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_feed",
                                verbose_name=_("person"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self) -> str:
        return f"{self.user_id}"
