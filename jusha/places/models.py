"""The place tree a deployment serves: District → Subdistrict → Community → Grid.

Boundaries are GeoJSON geometries in WGS-84 ([lng, lat] order). Administrative codes follow
GB/T 2260 (6 digits) extended by the statistics division codes: +3 digits for a subdistrict, +3
for a community. Grids have no national code; Jusha numbers them community code + 3 digits.
"""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .geometry import GeometryError, to_shape


def _digits_message(n: int) -> str:
    return _("Enter exactly %(n)s digits.") % {"n": n}


def _digits(n: int):
    # Lazy, so the message is translated when shown and migrations stay free of any one language.
    return RegexValidator(rf"^\d{{{n}}}$", lazy(_digits_message, str)(n))


class Place(models.Model):
    name = models.CharField(_("name"), max_length=100)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS-84)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    parent_field: str = ""
    code_length: int = 0

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .lookup import invalidate  # lookup imports the models

        invalidate()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .lookup import invalidate

        invalidate()
        return result

    def clean(self):
        super().clean()
        if self.boundary is not None:
            try:
                to_shape(self.boundary)
            except GeometryError as exc:
                raise ValidationError({"boundary": exc.message}) from exc
        parent = getattr(self, self.parent_field, None) if self.parent_field else None
        if parent is not None and self.code and not self.code.startswith(parent.code):
            raise ValidationError({"code": _("The code must start with the parent's code %(code)s.") % {
                "code": parent.code}})


class District(Place):
    code = models.CharField(_("code"), max_length=6, unique=True, validators=[_digits(6)])

    class Meta(Place.Meta):
        verbose_name = _("district")
        verbose_name_plural = _("districts")


class Subdistrict(Place):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="subdistricts",
                                 verbose_name=_("district"))
    code = models.CharField(_("code"), max_length=9, unique=True, validators=[_digits(9)])
    parent_field = "district"

    class Meta(Place.Meta):
        verbose_name = _("subdistrict")
        verbose_name_plural = _("subdistricts")


class Community(Place):
    class Kind(models.TextChoices):
        URBAN = "urban", _("community")
        VILLAGE = "village", _("village")

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="communities",
                                    verbose_name=_("subdistrict"))
    code = models.CharField(_("code"), max_length=12, unique=True, validators=[_digits(12)])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.URBAN)
    parent_field = "subdistrict"

    class Meta(Place.Meta):
        verbose_name = _("community")
        verbose_name_plural = _("communities")


class Grid(Place):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="grids",
                                  verbose_name=_("community"))
    code = models.CharField(_("code"), max_length=15, unique=True, validators=[_digits(15)])
    parent_field = "community"

    class Meta(Place.Meta):
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
