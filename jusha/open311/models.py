"""Open311 GeoReport v2 (docs/open311.md): the client apps that may post requests, the extra questions
(attributes) a service asks, and each request an app posted.

An `ApiClient`'s key is stored only as its SHA-256: the key is a long random string (not a password a
person chose), so a fast hash is enough to make a leaked table useless, and the server never needs the
key itself back. It is shown once, when created.

A `ServiceRequest` is one POST. With a point it becomes a cases `Report` at once (its id is the request's
`service_request_id`); with only an address it waits, reachable by its token, until the command center
places it on the map.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 80
CODE_MAX_LENGTH = 40
DESCRIPTION_MAX_LENGTH = 4000  # the spec's limit for a request's description
ADDRESS_MAX_LENGTH = 250
SHORT_MAX_LENGTH = 100
URL_MAX_LENGTH = 500
ATTRIBUTE_VALUE_MAX_LENGTH = 500


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    # The first characters of the key, to tell keys apart in the console; not enough to use it.
    prefix = models.CharField(_("key starts with"), max_length=16)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("revoked by"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ServiceAttribute(models.Model):
    """One extra question of a service (a leaf case category): GeoReport's service definition."""

    class Datatype(models.TextChoices):
        STRING = "string", _("one line of text")
        NUMBER = "number", _("a number")
        DATETIME = "datetime", _("a date and time")
        TEXT = "text", _("text")
        SINGLEVALUELIST = "singlevaluelist", _("one of a list")
        MULTIVALUELIST = "multivaluelist", _("several of a list")

    category = models.ForeignKey("cases.CaseCategory", on_delete=models.CASCADE, related_name="open311_attributes",
                                 verbose_name=_("case category"))
    code = models.SlugField(_("code"), max_length=CODE_MAX_LENGTH)
    # False: the attribute only tells the person something (its description); nothing is asked.
    variable = models.BooleanField(_("asks for input"), default=True)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices, default=Datatype.STRING)
    required = models.BooleanField(_("required"), default=False)
    datatype_description = models.CharField(_("datatype description"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    description = models.CharField(_("question"), max_length=300)
    # For the list datatypes: [{"key": "…", "name": "…"}, …]
    values = models.JSONField(_("values"), default=list, blank=True,
                              help_text=_('For the list datatypes: [{"key": "1", "name": "…"}, …]'))

    class Meta:
        verbose_name = _("Open311 service attribute")
        verbose_name_plural = _("Open311 service attributes")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_once"),
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order_once"),
            models.CheckConstraint(condition=Q(order__gte=1), name="open311_attribute_order_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.code}"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.category_id and self.category.parent_id is None:
            raise ValidationError({"category": _("Attributes belong to a sub-category (a service).")})
        is_list = self.datatype in (self.Datatype.SINGLEVALUELIST, self.Datatype.MULTIVALUELIST)
        values = self.values if isinstance(self.values, list) else None
        ok = values is not None and all(
            isinstance(v, dict) and set(v) == {"key", "name"} and str(v["key"]).strip() and str(v["name"]).strip()
            for v in values)
        keys = [str(v["key"]) for v in values] if ok else []
        if is_list and (not ok or not values or len(set(keys)) != len(keys)):
            raise ValidationError({"values": _('List the choices as [{"key": "1", "name": "…"}, …], each key once.')})
        if not is_list and values:
            raise ValidationError({"values": _("Only the list datatypes have values.")})

    @property
    def keys(self) -> list[str]:
        return [str(v["key"]) for v in self.values or []]


class ServiceRequest(models.Model):
    """One request an app posted, as it was posted; its case tells how far it is."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("client"))
    token = models.CharField(_("token"), max_length=40, unique=True)
    # The cases report it became: None while an address-only request waits to be placed on the map.
    report = models.OneToOneField("cases.Report", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="open311_request", verbose_name=_("report"))
    category = models.ForeignKey("cases.CaseCategory", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("service"))
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    address_string = models.CharField(_("address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    address_id = models.CharField(_("address id"), max_length=SHORT_MAX_LENGTH, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    device_id = models.CharField(_("device id"), max_length=SHORT_MAX_LENGTH, blank=True)
    account_id = models.CharField(_("account id"), max_length=SHORT_MAX_LENGTH, blank=True)
    first_name = models.CharField(_("first name"), max_length=SHORT_MAX_LENGTH, blank=True)
    last_name = models.CharField(_("last name"), max_length=SHORT_MAX_LENGTH, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    media_url = models.CharField(_("media URL"), max_length=URL_MAX_LENGTH, blank=True)
    # An uploaded photo (our extension), stored cleaned by jusha.needs.photos.clean_photo.
    media = models.ImageField(_("photo"), upload_to="open311/%Y/%m/", blank=True)
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received at"), db_index=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("placed on the map by"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(lat__isnull=True, lng__isnull=True)
                                   | Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                                   name="open311_request_point"),
            models.CheckConstraint(condition=Q(lat__isnull=False) | ~Q(address_string="") | ~Q(address_id=""),
                                   name="open311_request_has_location"),
        ]

    def __str__(self) -> str:
        return self.service_request_id or self.token

    @property
    def service_request_id(self) -> str | None:
        return str(self.report_id) if self.report_id else None
