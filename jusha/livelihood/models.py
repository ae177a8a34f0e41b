"""The yearly livelihood survey (民生调研): questionnaires and field visits (走访) that feed the year's plan
of livelihood projects (民生实事).

A `Survey` belongs to a subdistrict and a year; its `Question`s (grouped in `Section`s, with `Option`s
for the choice kinds) are frozen once the first `Response` exists, because every answer must mean what
the question said when it was given. A `Response` is one respondent's final, complete set of
`Answer`s; partial unique indexes allow one response per person, per member unit, per community and
per anonymous device. A `FieldVisit` is staff's record of going out to ask in person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX_LENGTH = 120
TEXT_MAX_LENGTH = 300
NOTE_MAX_LENGTH = 2000
# The longest open-text answer staff may allow: long enough for a paragraph, short enough to read.
ANSWER_MAX_LENGTH = 1000
MAX_OPTIONS = 20
MAX_PHOTOS = 6
RATING_MIN, RATING_MAX = 1, 5


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("being prepared")
        OPEN = "open", _("open for answers")
        CLOSED = "closed", _("closed")

    subdistrict = models.ForeignKey("places.Subdistrict", on_delete=models.PROTECT, related_name="surveys",
                                    verbose_name=_("subdistrict"))
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    description = models.TextField(_("introduction"), max_length=NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # Who may answer. Residents answer for themselves after logging in; anonymous answers (one per
    # device, by a signed cookie) reach people without an account but are weaker evidence.
    allow_residents = models.BooleanField(_("residents (logged in) may answer"), default=True)
    allow_anonymous = models.BooleanField(_("anyone may answer without logging in (one answer per device)"),
                                          default=False)
    allow_units = models.BooleanField(_("member units may answer (by their liaison)"), default=True)
    allow_communities = models.BooleanField(_("community staff may answer for their community"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("livelihood survey")
        verbose_name_plural = _("livelihood surveys")
        ordering = ["-year", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="survey_title_not_empty"),
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opening"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("livelihood:respond", args=[self.pk])


class Section(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="sections", verbose_name=_("survey"))
    title = models.CharField(_("title"), max_length=TITLE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("survey section")
        verbose_name_plural = _("survey sections")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("single choice")
        MULTIPLE = "multiple", _("multiple choice")
        RANKING = "ranking", _("ranking (put in order of priority)")
        RATING = "rating", _("rating (1 to 5)")
        NUMBER = "number", _("number")
        TEXT = "text", _("open text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    section = models.ForeignKey(Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="questions",
                                verbose_name=_("section"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=TEXT_MAX_LENGTH)
    help_text = models.CharField(_("hint"), max_length=TEXT_MAX_LENGTH, blank=True)
    required = models.BooleanField(_("an answer is required"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    # multiple choice: how many options to pick; number: the allowed range; text: the longest answer.
    min_choices = models.PositiveSmallIntegerField(_("pick at least"), null=True, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("pick at most"), null=True, blank=True)
    min_value = models.IntegerField(_("smallest number"), null=True, blank=True)
    max_value = models.IntegerField(_("largest number"), null=True, blank=True)
    max_length = models.PositiveSmallIntegerField(_("longest answer (characters)"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="question_text_not_empty"),
            models.CheckConstraint(condition=Q(min_value__isnull=True) | Q(max_value__isnull=True)
                                   | Q(max_value__gte=models.F("min_value")), name="question_number_range"),
            models.CheckConstraint(condition=Q(min_choices__isnull=True) | Q(max_choices__isnull=True)
                                   | Q(max_choices__gte=models.F("min_choices")), name="question_choice_range"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def has_options(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options",
                                 verbose_name=_("question"))
    text = models.CharField(_("option"), max_length=TITLE_MAX_LENGTH)
    position = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    """One respondent's answers, submitted once and final."""

    class As(models.TextChoices):
        RESIDENT = "resident", _("a resident")
        ANONYMOUS = "anonymous", _("anonymous (one per device)")
        UNIT = "unit", _("a member unit")
        COMMUNITY = "community", _("a community")

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey"))
    respondent_as = models.CharField(_("answered as"), max_length=10, choices=As.choices)
    # Who pressed "submit": the resident, the unit's liaison or the community's staff member; empty
    # for an anonymous answer.
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("submitted by"))
    member_unit = models.ForeignKey("orgs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("member unit"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("community"))
    device = models.CharField(_("device token"), max_length=64, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "id"]
        constraints = [
            # One response per person, unit, community and device: the last line of defence behind
            # the survey's row lock, so two racing submissions can never both be saved.
            models.UniqueConstraint(fields=["survey", "submitted_by"], condition=Q(respondent_as="resident"),
                                    name="survey_one_response_per_resident"),
            models.UniqueConstraint(fields=["survey", "member_unit"], condition=Q(respondent_as="unit"),
                                    name="survey_one_response_per_unit"),
            models.UniqueConstraint(fields=["survey", "community"], condition=Q(respondent_as="community"),
                                    name="survey_one_response_per_community"),
            models.UniqueConstraint(fields=["survey", "device"], condition=Q(respondent_as="anonymous"),
                                    name="survey_one_response_per_device"),
            models.CheckConstraint(name="survey_response_respondent_matches", condition=(
                Q(respondent_as="resident", submitted_by__isnull=False, member_unit__isnull=True,
                  community__isnull=True)
                | Q(respondent_as="unit", submitted_by__isnull=False, member_unit__isnull=False,
                    community__isnull=True)
                | Q(respondent_as="community", submitted_by__isnull=False, member_unit__isnull=True,
                    community__isnull=False)
                | (Q(respondent_as="anonymous", submitted_by__isnull=True, member_unit__isnull=True,
                     community__isnull=True) & ~Q(device="")))),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.respondent_as} → {self.survey_id}"

    @property
    def respondent_label(self) -> str:
        if self.respondent_as == self.As.UNIT:
            return self.member_unit.name
        if self.respondent_as == self.As.COMMUNITY:
            return self.community.name
        return str(self.get_respondent_as_display())


class Answer(models.Model):
    """One question's answer. `choices` holds option ids: the one picked, the ones picked, or all of
    them in the order ranked (first = most important); ratings and numbers are in `number`."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers",
                                 verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers",
                                 verbose_name=_("question"))
    choices = models.JSONField(_("options"), default=list, blank=True)
    number = models.IntegerField(_("number"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"


class FieldVisit(models.Model):
    """走访: staff went to a community (a home, a shop, a square) and asked in person."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="visits", verbose_name=_("survey"))
    community = models.ForeignKey("places.Community", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("community"))
    visitors = models.CharField(_("who visited"), max_length=TITLE_MAX_LENGTH)
    place = models.CharField(_("where"), max_length=TITLE_MAX_LENGTH, blank=True)
    # WGS-84, optional: a point on the map where the visit took place.
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    visited_at = models.DateTimeField(_("visited at"))
    notes = models.TextField(_("notes"), max_length=NOTE_MAX_LENGTH)
    suggestions = models.TextField(_("suggestions raised"), max_length=NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=(Q(lat__isnull=True) & Q(lng__isnull=True))
                                   | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                                   name="visit_point_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.community_id} {self.visited_at:%Y-%m-%d} {self.visitors}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    # Stored re-encoded by needs.photos.clean_photo: EXIF removed, orientation applied.
    image = models.ImageField(_("photo"), upload_to="livelihood/%Y/%m/", width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id} {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("livelihood_console:photo", args=[self.pk])
