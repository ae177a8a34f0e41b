"""Reads about surveys, narrowed by `jusha.permissions`: the console's lists, one survey to build or
answer, its field visits, and the year's need statistics shown beside the results."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from jusha import permissions
from jusha.accounts.models import Role
from jusha.core import clock
from jusha.needs.models import Need
from jusha.permissions import Action
from jusha.places.models import Community

from .models import FieldVisit, Response, Survey, VisitPhoto

# Needs nobody has finished helping with yet (done, confirmed and rejected ones are not counted).
UNMET = (Need.Status.SUBMITTED, Need.Status.ACCEPTED, Need.Status.ESCALATED, Need.Status.MATCHED,
         Need.Status.IN_PROGRESS)


def surveys(user) -> QuerySet:
    return (permissions.visible(user, Action.SURVEY_VIEW, Survey.objects.all())
            .select_related("subdistrict").annotate(n_responses=Count("responses", distinct=True),
                                                    n_visits=Count("visits", distinct=True))
            .order_by("-year", "-created_at", "-id"))


def survey(user, pk: int, *, action: Action = Action.SURVEY_VIEW) -> Survey:
    return permissions.fetch(user, action, Survey.objects.select_related("subdistrict"), pk=pk)


def structure(survey: Survey) -> list:
    """The survey's questions in order, each with its options (one query each for questions and options)."""
    return list(survey.questions.select_related("section").prefetch_related("options"))


def answerable(user, pk: int) -> Survey:
    """An open survey the person (or anonymous visitor) may answer; not found otherwise."""
    return permissions.fetch(user, Action.SURVEY_RESPOND, Survey.objects.select_related("subdistrict"), pk=pk)


def is_open_to_members(pk: int) -> bool:
    """Whether an open survey exists that logged-in people may answer (a poster's link is public, so
    saying so reveals nothing the poster does not)."""
    return Survey.objects.filter(pk=pk, status=Survey.Status.OPEN).exists()


def is_accepting(survey: Survey) -> bool:
    now = clock.now()
    return survey.status == Survey.Status.OPEN and survey.opens_at <= now < survey.closes_at


def answered_as(user, survey: Survey, *, device: str = "") -> set[tuple[str, int | None]]:
    """Which ways of answering the person (or this device) has already used: ("resident", None),
    ("unit", unit id), ("community", community id), ("anonymous", None)."""
    done: set[tuple[str, int | None]] = set()
    responses = Response.objects.filter(survey=survey)
    if user is not None and user.is_authenticated:
        for kind, unit, community in responses.filter(submitted_by=user).values_list(
                "respondent_as", "member_unit_id", "community_id"):
            done.add((kind, unit or community))
        actor = permissions.actor_of(user)
        units = responses.filter(respondent_as=Response.As.UNIT, member_unit__in=actor.member_units)
        done |= {(Response.As.UNIT, u) for u in units.values_list("member_unit_id", flat=True)}
        communities = responses.filter(respondent_as=Response.As.COMMUNITY,
                                       community__in=actor.communities_as(Role.COMMUNITY_STAFF))
        done |= {(Response.As.COMMUNITY, c) for c in communities.values_list("community_id", flat=True)}
    elif device and responses.filter(respondent_as=Response.As.ANONYMOUS, device=device).exists():
        done.add((Response.As.ANONYMOUS, None))
    return done


def visits(user, survey: Survey) -> QuerySet:
    return (permissions.visible(user, Action.SURVEY_VIEW, FieldVisit.objects.filter(survey=survey))
            .select_related("community", "recorded_by").prefetch_related("photos"))


def photo(user, pk: int) -> VisitPhoto:
    return permissions.fetch(user, Action.SURVEY_VIEW, VisitPhoto.objects.all(), pk=pk)


def responses_for_export(survey: Survey) -> QuerySet:
    return (survey.responses.select_related("member_unit", "community")
            .prefetch_related("answers").order_by("submitted_at", "id"))


@dataclass
class NeedStatistics:
    year: int
    total: int
    categories: list[dict]  # [{"label", "count"}], most frequent first
    unmet_by_community: list[dict]  # [{"community", "unmet", "total"}]


def need_statistics(user, survey: Survey, *, top: int = 8) -> NeedStatistics:
    """The survey year's needs in the survey's subdistrict that the person may see: the most frequent
    categories, and per community how many are still unmet. Three queries."""
    needs = permissions.visible(user, Action.NEED_VIEW, Need.objects.filter(
        community__subdistrict=survey.subdistrict_id, submitted_at__year=survey.year))
    total = needs.count()
    categories = [{"label": row["category__name"], "count": row["n"]} for row in
                  needs.values("category__name").annotate(n=Count("pk")).order_by("-n", "category__name")[:top]]
    per_community = (Community.objects.filter(subdistrict=survey.subdistrict_id, needs__in=needs)
                     .annotate(total=Count("needs", distinct=True),
                               unmet=Count("needs", filter=Q(needs__status__in=UNMET), distinct=True))
                     .order_by("-unmet", "code"))
    return NeedStatistics(year=survey.year, total=total, categories=categories,
                          unmet_by_community=[{"community": c.name, "unmet": c.unmet, "total": c.total}
                                              for c in per_community])
