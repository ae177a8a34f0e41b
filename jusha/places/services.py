"""Every write to the place tree: creating a subdistrict, and saving communities' and grids' boundaries.

Places are matched by their administrative code (their natural key), so saving the same boundaries
twice changes nothing the second time. The point lookup's trees are rebuilt after commit.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jusha import permissions
from jusha.audit.services import audit_record
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action

from .lookup import invalidate
from .models import Community, District, Grid, Subdistrict


def _clean(place) -> None:
    try:
        place.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], code="invalid_place", field=field) from None


def subdistrict_create(*, actor, district_code: str, district_name: str, code: str, name: str) -> Subdistrict:
    """An administrator sets up the subdistrict a deployment serves (and its district, if new)."""
    if not permissions.can(actor, Action.SUBDISTRICT_CREATE):
        raise NotAllowed()
    with transaction.atomic():
        district = District.objects.filter(code=district_code).first()
        if district is None:
            district = District(code=district_code, name=(district_name or "").strip())
            _clean(district)
            district.save()
            audit_record(actor=actor, action="places.district_create", target=district,
                         after={"code": district.code, "name": district.name})
        if Subdistrict.objects.filter(code=code).exists():
            raise DomainError(_("A subdistrict with this code already exists."), code="duplicate", field="code")
        subdistrict = Subdistrict(district=district, code=code, name=(name or "").strip())
        _clean(subdistrict)
        subdistrict.save()
        audit_record(actor=actor, action="places.subdistrict_create", target=subdistrict,
                     after={"code": code, "name": subdistrict.name}, subdistrict_id=subdistrict.pk)
    return subdistrict


def places_save(*, actor, subdistrict: Subdistrict, level: str, places: list[dict]) -> dict:
    """Create or update communities (level "community") or grids ("grid") of `subdistrict` by code,
    with their names and boundaries; all or nothing. Each entry: {"code", "name", "boundary", "parent"}
    where parent is the community id for a grid. Returns {"created": n, "updated": n, "unchanged": n}."""
    permissions.require(actor, Action.PLACE_CHANGE, subdistrict)
    model = Community if level == "community" else Grid
    parent_field = "subdistrict_id" if level == "community" else "community_id"
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with transaction.atomic():
        existing = {p.code: p for p in model.objects.select_for_update().filter(code__in=[p["code"] for p in places])}
        for entry in places:
            parent_id = subdistrict.pk if level == "community" else entry["parent"]
            place = existing.get(entry["code"])
            if place is None:
                place = model(code=entry["code"], name=entry["name"], boundary=entry["boundary"],
                              **{parent_field: parent_id})
                counts["created"] += 1
            elif (place.name, place.boundary, getattr(place, parent_field)) == (entry["name"], entry["boundary"],
                                                                               parent_id):
                counts["unchanged"] += 1
                continue
            else:
                place.name, place.boundary = entry["name"], entry["boundary"]
                setattr(place, parent_field, parent_id)
                counts["updated"] += 1
            _clean(place)
            place.save()
        audit_record(actor=actor, action="places.import", target=subdistrict, after={"level": level, **counts},
                     subdistrict_id=subdistrict.pk)
        transaction.on_commit(invalidate)
    return counts
