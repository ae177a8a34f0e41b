"""Ranked matching suggestions for a need: which candidates fit it best, and why.

Each candidate (a member unit, offering its approved resources, or an approved volunteer) gets five
named parts, each a value from 0 to 1 times its weight; the total is their sum, out of 100.
docs/resources.md explains the formula with a worked example; the constants below are the only place
the numbers live. For a volunteer (docs/volunteers.md) the parts read: category — their skills meet the
need's category (`volunteers.skills.NEED_CATEGORY_SKILLS`; only such volunteers are suggested);
distance — they live in the need's community (1), serve it (AREA_VALUE) or neither (0); availability —
their weekly slots; load — the needs they hold themselves; rating — the stars of the needs they did.

- category: the unit's best resource serves the need's category (1), its parent category (PARENT_VALUE), or
  neither (0);
- distance: the best resource's place against the need's point, 1 at the door falling to 0 at REACH_KM;
  without both points, AREA_VALUE when the resource's service area covers the need's community, else 0;
- availability: the best resource's weekly slots overlap the need's preferred window (1) or not (0);
  UNKNOWN_VALUE when the need has no window or the resource lists no slots (by arrangement);
- load: 1 / (1 + the unit's live claims, offered or being handled);
- rating: the unit's mean stars on the needs it completed, pulled toward PRIOR_STARS by PRIOR_COUNT
  imaginary ratings (so two five-star ratings do not beat thirty 4.8s), scaled from 1–5 stars to 0–1.

The candidates are the approved resources of the active units the person may match the need to (the
same units `needs.services.matchable_units` allows) and the volunteers of
`volunteers.selectors.matchable_volunteers`; the query count does not grow with their number.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Exists, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jusha.needs.models import Claim, Need, NeedCategory, Rating
from jusha.needs.services import matchable_units
from jusha.orgs.models import MemberUnit
from jusha.places.models import Community
from jusha.volunteers.models import Volunteer
from jusha.volunteers.selectors import matchable_volunteers
from jusha.volunteers.skills import NEED_CATEGORY_SKILLS, Skill

from .models import Resource

CATEGORY_WEIGHT = 35
DISTANCE_WEIGHT = 20
AVAILABILITY_WEIGHT = 15
LOAD_WEIGHT = 15
RATING_WEIGHT = 15

PARENT_VALUE = 0.5
REACH_KM = 5.0
AREA_VALUE = 0.6
UNKNOWN_VALUE = 0.5
PRIOR_STARS = 3.0
PRIOR_COUNT = 3
# A window of only one bound is read as the day after `from` (or the day before `until`).
OPEN_WINDOW = timedelta(days=1)
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class ScorePart:
    code: str  # category, distance, availability, load, rating
    weight: int
    value: float  # 0–1
    explanation: str  # translated, short: why this value

    @property
    def points(self) -> float:
        return round(self.weight * self.value, 1)


@dataclass(frozen=True)
class Suggestion:
    """One ranked candidate. `candidate_kind` says what `candidate` is ("member_unit" or "volunteer");
    the console's match form posts `candidate.pk` as the unit or as the volunteer accordingly."""

    candidate_kind: str
    candidate: MemberUnit | Volunteer
    resources: tuple[Resource, ...]  # the unit's resources that fit, best first (none for a volunteer)
    parts: tuple[ScorePart, ...]

    @property
    def total(self) -> float:
        return round(sum(p.weight * p.value for p in self.parts), 1)


def suggest_for_need(*, actor, need: Need, limit: int = 10) -> list[Suggestion]:
    """The member units and volunteers `actor` may match `need` to, best first (ties by name), each with
    its score's parts. Pass the need with its community and category loaded (`select_related`) to save
    two queries."""
    suggestions = _unit_suggestions(actor, need) + _volunteer_suggestions(actor, need)
    suggestions.sort(key=lambda s: (-s.total, s.candidate.name, s.candidate_kind, s.candidate.pk))
    return suggestions[:limit]


def _unit_suggestions(actor, need: Need) -> list[Suggestion]:
    units = matchable_units(actor, need)
    resources = list(
        Resource.objects.filter(status=Resource.Status.APPROVED, member_unit__in=units.order_by().values("pk"))
        .select_related("member_unit")
        .prefetch_related(Prefetch("categories", queryset=NeedCategory.objects.only("id", "parent_id")),
                          Prefetch("service_area", queryset=Community.objects.only("id")))
        .order_by("member_unit_id", "id"))
    if not resources:
        return []
    unit_ids = {r.member_unit_id for r in resources}
    load = dict(Claim.objects.filter(member_unit__in=unit_ids, status__in=Claim.LIVE)
                .values_list("member_unit").annotate(n=Count("id")).order_by())
    ratings = {row["member_unit"]: (row["mean"], row["n"]) for row in
               Rating.objects.filter(member_unit__in=unit_ids).values("member_unit")
               .annotate(mean=Avg("stars"), n=Count("id")).order_by()}

    by_unit: dict[int, list[tuple[float, Resource, tuple[ScorePart, ...]]]] = defaultdict(list)
    for resource in resources:
        parts = (_category(resource, need), _distance(resource, need), _availability(resource, need))
        by_unit[resource.member_unit_id].append((sum(p.weight * p.value for p in parts), resource, parts))

    suggestions = []
    for unit_id, scored in by_unit.items():
        scored.sort(key=lambda s: (-s[0], s[1].pk))
        best_parts = scored[0][2]
        fitting = tuple(r for _s, r, parts in scored if parts[0].value > 0) or (scored[0][1],)
        suggestions.append(Suggestion(
            candidate_kind="member_unit", candidate=scored[0][1].member_unit, resources=fitting,
            parts=(*best_parts, _load(load.get(unit_id, 0)), _rating(*ratings.get(unit_id, (None, 0))))))
    return suggestions


def _volunteer_suggestions(actor, need: Need) -> list[Suggestion]:
    """The volunteers whose skills meet the need's category, in one query: whether they serve the need's
    community, their load, their ratings (and a sub-category's parent code) are subqueries."""
    category = need.category
    if category.code not in NEED_CATEGORY_SKILLS and category.parent_id is None:
        return []
    mine = {"claimant": OuterRef("user"), "member_unit__isnull": True}
    live = (Claim.objects.filter(**mine, status__in=Claim.LIVE).order_by().values("claimant")
            .annotate(n=Count("id")).values("n"))
    # Ratings of needs a volunteer did themselves (their claim done, not for a unit).
    rated = (Rating.objects.filter(member_unit__isnull=True, need__claims__claimant=OuterRef("user"),
                                   need__claims__member_unit__isnull=True, need__claims__status=Claim.Status.DONE)
             .order_by().values("need__claims__claimant"))
    zero = Value(0, output_field=IntegerField())
    volunteers = matchable_volunteers(actor, need).annotate(
        serves=Exists(Volunteer.service_area.through.objects.filter(volunteer=OuterRef("pk"),
                                                                    community=need.community_id)),
        live=Coalesce(Subquery(live, output_field=IntegerField()), zero),
        mean=Subquery(rated.annotate(m=Avg("stars")).values("m")),
        rated=Coalesce(Subquery(rated.annotate(n=Count("id")).values("n"), output_field=IntegerField()), zero),
        parent_code=Subquery(NeedCategory.objects.filter(pk=category.parent_id or 0).values("code")[:1]))
    suggestions = []
    for volunteer in volunteers:
        # A sub-category without an entry of its own uses its parent's.
        skills = NEED_CATEGORY_SKILLS.get(category.code) or NEED_CATEGORY_SKILLS.get(volunteer.parent_code,
                                                                                   frozenset())
        offered = skills & set(volunteer.skills)
        if not offered:
            continue
        suggestions.append(Suggestion(
            candidate_kind="volunteer", candidate=volunteer, resources=(),
            parts=(ScorePart("category", CATEGORY_WEIGHT, 1.0, _("Skills: %(skills)s") % {
                       "skills": "、".join(str(label) for code, label in Skill.choices if code in offered)}),
                   _volunteer_area(volunteer, need),
                   _slots(volunteer.availability, need),
                   _load(volunteer.live),
                   _rating(volunteer.mean, volunteer.rated))))
    return suggestions


def _volunteer_area(volunteer: Volunteer, need: Need) -> ScorePart:
    if volunteer.community_id == need.community_id:
        return ScorePart("distance", DISTANCE_WEIGHT, 1.0,
                         _("Lives in %(community)s") % {"community": need.community.name})
    if volunteer.serves:
        return ScorePart("distance", DISTANCE_WEIGHT, AREA_VALUE,
                         _("Serves %(community)s") % {"community": need.community.name})
    return ScorePart("distance", DISTANCE_WEIGHT, 0.0, _("Outside their service area"))


def _category(resource: Resource, need: Need) -> ScorePart:
    served = {c.pk for c in resource.categories.all()}
    if need.category_id in served:
        return ScorePart("category", CATEGORY_WEIGHT, 1.0, _("Serves %(category)s") % {"category": need.category.label})
    if need.category.parent_id and need.category.parent_id in served:
        return ScorePart("category", CATEGORY_WEIGHT, PARENT_VALUE, _("Serves the wider category"))
    return ScorePart("category", CATEGORY_WEIGHT, 0.0, _("Does not list this category"))


def distance_km(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance between two WGS-84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _distance(resource: Resource, need: Need) -> ScorePart:
    if resource.has_place and need.lng is not None and need.lat is not None:
        km = distance_km(resource.lng, resource.lat, need.lng, need.lat)
        return ScorePart("distance", DISTANCE_WEIGHT, round(max(0.0, 1 - km / REACH_KM), 3),
                         _("%(km)s km away") % {"km": f"{km:.1f}"})
    if need.community_id in {c.pk for c in resource.service_area.all()}:
        return ScorePart("distance", DISTANCE_WEIGHT, AREA_VALUE,
                         _("Serves %(community)s") % {"community": need.community.name})
    return ScorePart("distance", DISTANCE_WEIGHT, 0.0, _("Outside its service area"))


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def available_in(slots: list[dict], start: datetime, end: datetime) -> bool:
    """Whether any weekly slot overlaps [start, end) (naive local times)."""
    day = datetime.combine(start.date(), datetime.min.time())
    for _i in range(8):  # a week and the partial day at either end covers every weekday
        if day >= end:
            break
        for slot in slots:
            if slot["weekday"] != day.weekday():
                continue
            h1, m1 = map(int, slot["start"].split(":"))
            h2, m2 = map(int, slot["end"].split(":"))
            if day.replace(hour=h1, minute=m1) < end and day.replace(hour=h2, minute=m2) > start:
                return True
        day += timedelta(days=1)
    return False


def _availability(resource: Resource, need: Need) -> ScorePart:
    return _slots(resource.availability, need)


def _slots(slots: list[dict], need: Need) -> ScorePart:
    if need.preferred_from is None and need.preferred_until is None:
        return ScorePart("availability", AVAILABILITY_WEIGHT, UNKNOWN_VALUE, _("No preferred time given"))
    if not slots:
        return ScorePart("availability", AVAILABILITY_WEIGHT, UNKNOWN_VALUE, _("Times by arrangement"))
    start = need.preferred_from or need.preferred_until - OPEN_WINDOW
    end = need.preferred_until or need.preferred_from + OPEN_WINDOW
    if available_in(slots, _local(start), _local(end)):
        return ScorePart("availability", AVAILABILITY_WEIGHT, 1.0, _("Available in the preferred time"))
    return ScorePart("availability", AVAILABILITY_WEIGHT, 0.0, _("Not available in the preferred time"))


def _load(live_claims: int) -> ScorePart:
    return ScorePart("load", LOAD_WEIGHT, round(1 / (1 + live_claims), 3),
                     ngettext("%(n)s need in hand", "%(n)s needs in hand", live_claims) % {"n": live_claims})


def _rating(mean: float | None, count: int) -> ScorePart:
    stars = (PRIOR_STARS * PRIOR_COUNT + (mean or 0) * count) / (PRIOR_COUNT + count)
    explanation = (_("%(mean)s stars from %(n)s ratings") % {"mean": f"{mean:.1f}", "n": count} if count
                   else _("Not rated yet"))
    return ScorePart("rating", RATING_WEIGHT, round((stars - 1) / 4, 3), explanation)
