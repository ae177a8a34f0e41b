"""Organisations: the alliance of member units, its community sub-alliances, and dispatchable teams."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jusha.places.models import Community, Grid, Subdistrict


class Alliance(models.Model):
    subdistrict = models.OneToOneField(Subdistrict, on_delete=models.PROTECT, related_name="alliance",
                                       verbose_name=_("subdistrict"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("alliance")
        verbose_name_plural = _("alliances")

    def __str__(self) -> str:
        return self.name


class SubAlliance(models.Model):
    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="sub_alliances",
                                 verbose_name=_("alliance"))
    community = models.OneToOneField(Community, on_delete=models.PROTECT, related_name="sub_alliance",
                                     verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("sub-alliance")
        verbose_name_plural = _("sub-alliances")

    def __str__(self) -> str:
        return self.name


class MemberUnit(models.Model):
    class Category(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        UNIVERSITY = "university", _("university")
        SCHOOL = "school", _("school")
        HOSPITAL = "hospital", _("hospital")
        SOCIAL_ORGANISATION = "social_organisation", _("social organisation")
        GOVERNMENT_DEPARTMENT = "government_department", _("government department")
        OTHER = "other", _("other")

    alliance = models.ForeignKey(Alliance, on_delete=models.PROTECT, related_name="member_units",
                                 verbose_name=_("alliance"))
    sub_alliance = models.ForeignKey(SubAlliance, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="member_units", verbose_name=_("sub-alliance"))
    name = models.CharField(_("name"), max_length=150)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    service_area = models.ManyToManyField(Community, blank=True, related_name="serving_units",
                                          verbose_name=_("service area"))
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["alliance", "name"], name="member_unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    class Kind(models.TextChoices):
        INTEGRATED_BRIGADE = "integrated_brigade", _("integrated management brigade")
        ENVIRONMENT = "environment", _("environment")
        JUDICIAL = "judicial", _("judicial")
        CITY_MANAGEMENT = "city_management", _("city management")
        MUNICIPAL_WORKS = "municipal_works", _("municipal works")
        MARKET_SUPERVISION = "market_supervision", _("market supervision")
        FIRE_SAFETY = "fire_safety", _("fire safety")
        HEALTH = "health", _("health")
        HOUSING = "housing", _("housing")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="teams",
                                    verbose_name=_("subdistrict"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["subdistrict", "kind"], name="team_one_per_kind")]

    def __str__(self) -> str:
        return self.name


class GridWorker(models.Model):
    """A person responsible for one or more grids; the grid_worker role follows from this row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grid_worker",
                                verbose_name=_("person"))
    grids = models.ManyToManyField(Grid, related_name="grid_workers", verbose_name=_("grids"))
    on_duty = models.BooleanField(_("on duty"), default=True)

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")

    def __str__(self) -> str:
        return str(self.user)


class FieldStatus(models.Model):
    """Where a person who works in the field (a grid worker or team member) was last seen, and whether a
    team member is on duty; dispatch suggestions rank by both (docs/cases.md). Grid workers' on-duty
    stays on GridWorker; a team member without a row counts as on duty with no known position."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="field_status",
                                verbose_name=_("person"))
    on_duty = models.BooleanField(_("on duty"), default=True)
    lng = models.FloatField(_("last longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("last latitude (WGS-84)"), null=True, blank=True)
    located_at = models.DateTimeField(_("last located at"), null=True, blank=True)

    class Meta:
        verbose_name = _("field status")
        verbose_name_plural = _("field statuses")
        constraints = [
            models.CheckConstraint(condition=models.Q(lng__isnull=True, lat__isnull=True)
                                   | models.Q(lng__isnull=False, lat__isnull=False, lng__gte=-180, lng__lte=180,
                                              lat__gte=-90, lat__lte=90),
                                   name="field_status_position_is_a_point"),
        ]

    def __str__(self) -> str:
        return str(self.user)
