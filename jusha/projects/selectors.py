"""Reads about service projects, each already narrowed by `permissions` to what the person may see.

How far a project is comes from its progress entries, summed per target in the same query that
lists the targets (`done` on each target); nothing about progress is stored twice.
"""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from jusha import permissions
from jusha.core import clock
from jusha.permissions import Action
from jusha.resources.models import Resource
from jusha.web.params import int_param

from .models import ITEMS_PER_KIND, ProgressPhoto, ProgressQuantity, ProjectProgress, ProjectTarget, ServiceProject

S = ServiceProject.Status
K = ServiceProject.Kind


def this_year() -> int:
    from django.utils import timezone

    return timezone.localdate(clock.now()).year


def project_percent(targets) -> int:
    """A project is as far as the average of its targets (each counted up to 100%)."""
    targets = list(targets)
    if not targets:
        return 0
    return sum(t.percent for t in targets) // len(targets)


def targets_with_done() -> QuerySet:
    return ProjectTarget.objects.annotate(done=Coalesce(Sum("quantities__quantity"), Value(0))).order_by("id")


KIND_ORDER = Case(When(kind=K.REQUIRED, then=Value(0)), When(kind=K.OPTIONAL, then=Value(1)), default=Value(2),
                  output_field=IntegerField())


def bundled_resources() -> QuerySet:
    """A project's resources as its pages list them: by unit, then title."""
    return Resource.objects.select_related("member_unit").order_by("member_unit__name", "title", "id")


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("owner", "alliance__subdistrict").prefetch_related(
        "units", "communities", "categories", Prefetch("targets", queryset=targets_with_done()),
        Prefetch("resources", queryset=bundled_resources()))


@dataclass(frozen=True)
class ProjectFilter:
    year: int | None = None
    community: int | None = None
    category: int | None = None
    kind: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query) -> "ProjectFilter":
        year = int_param(query.get("year", ""))
        kind, status = query.get("kind", ""), query.get("status", "")
        return cls(year=year if year and 2000 <= year <= 2100 else None, community=int_param(query.get("community")),
                   category=int_param(query.get("category")), kind=kind if kind in K.values else "",
                   status=status if status in S.values else "")


def project_list(user, filters: ProjectFilter) -> QuerySet:
    """The 项目清单: the projects the person may see, narrowed by the filters; the export uses the same."""
    qs = permissions.visible(user, Action.PROJECT_VIEW, ServiceProject.objects.all())
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.community:
        qs = qs.filter(pk__in=ServiceProject.communities.through.objects.filter(community=filters.community)
                       .values("serviceproject"))
    if filters.category:
        qs = qs.filter(pk__in=ServiceProject.categories.through.objects.filter(needcategory=filters.category)
                       .values("serviceproject"))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return _with_details(qs).order_by("-year", KIND_ORDER, "number", "title", "id")


def project_detail(user, pk: int) -> ServiceProject:
    """One project with its targets and progress history, or NotAllowed (a 404)."""
    return permissions.fetch(user, Action.PROJECT_VIEW, _with_details(ServiceProject.objects.all()).prefetch_related(
        Prefetch("progress", queryset=ProjectProgress.objects.select_related("member_unit", "recorded_by")
                 .prefetch_related(Prefetch("quantities", queryset=ProgressQuantity.objects.select_related("target")),
                                   "photos").order_by("-on", "-id"))), pk=pk)


def resources_seen(user, project: ServiceProject) -> set[int]:
    """Which of the project's resources the person may open in the console (the others are listed unlinked)."""
    return set(permissions.visible(user, Action.RESOURCE_VIEW, Resource.objects.filter(
        pk__in=[r.pk for r in project.resources.all()])).values_list("pk", flat=True))


def photo(user, pk: int) -> ProgressPhoto:
    return permissions.fetch(user, Action.PROJECT_VIEW, ProgressPhoto.objects.all(), pk=pk)


@dataclass(frozen=True)
class YearItems:
    year: int
    required: list
    optional: list

    @property
    def missing_required(self) -> int:
        return max(0, ITEMS_PER_KIND - len(self.required))

    @property
    def missing_optional(self) -> int:
        return max(0, ITEMS_PER_KIND - len(self.optional))


def year_items(user, year: int, *, action: Action = Action.PROJECT_VIEW) -> YearItems:
    """The year's live required and optional service items, by number."""
    qs = permissions.visible(user, action, ServiceProject.objects.filter(
        year=year, kind__in=ServiceProject.ITEM_KINDS).exclude(status=S.CANCELLED))
    items = list(_with_details(qs).order_by("kind", "number"))
    return YearItems(year=year, required=[p for p in items if p.kind == K.REQUIRED],
                     optional=[p for p in items if p.kind == K.OPTIONAL])


@dataclass(frozen=True)
class PublicTarget:
    label: str
    measure: str
    quantity: int
    done: int
    percent: int


@dataclass(frozen=True)
class PublicResource:
    """A bundled resource as everyone may read it: what and whose, never its contact person."""

    title: str
    unit: str
    kind: str
    kind_label: str
    retired: bool


@dataclass(frozen=True)
class PublicProject:
    """What everyone may read about a project: no people, no notes, no photos."""

    id: int
    year: int
    kind: str
    kind_label: str
    number: int | None
    title: str
    description: str
    status: str
    status_label: str
    owner: str
    units: list[str]
    resources: list[PublicResource]
    communities: list[str]
    starts_on: object
    ends_on: object
    targets: list[PublicTarget]
    percent: int


def owner_name(p: ServiceProject) -> str:
    """The owning unit, or the subdistrict when it organises the project itself."""
    return p.owner.name if p.owner else p.alliance.subdistrict.name


def public_summary(p: ServiceProject) -> PublicProject:
    targets = list(p.targets.all())
    return PublicProject(
        id=p.pk, year=p.year, kind=p.kind, kind_label=p.get_kind_display(), number=p.number, title=p.title,
        description=p.description, status=p.status, status_label=p.get_status_display(),
        owner=owner_name(p), units=[u.name for u in p.units.all()],
        resources=[PublicResource(title=r.title, unit=r.member_unit.name, kind=r.kind, kind_label=r.get_kind_display(),
                                  retired=r.status == Resource.Status.RETIRED) for r in p.resources.all()],
        communities=[c.name for c in p.communities.all()], starts_on=p.starts_on, ends_on=p.ends_on,
        targets=[PublicTarget(label=t.label, measure=t.get_measure_display(), quantity=t.quantity, done=t.done,
                              percent=t.percent) for t in targets],
        percent=project_percent(targets))


def public_projects(user, *, year: int | None = None) -> list[PublicProject]:
    """The year's service items, then its other running or finished projects, as everyone may read them."""
    qs = permissions.visible(user, Action.PROJECT_VIEW_PUBLIC, ServiceProject.objects.all())
    if year:
        qs = qs.filter(year=year)
    return [public_summary(p) for p in _with_details(qs).order_by("-year", KIND_ORDER, "number", "id")[:200]]


def public_project(user, pk: int) -> PublicProject:
    return public_summary(permissions.fetch(user, Action.PROJECT_VIEW_PUBLIC,
                                            _with_details(ServiceProject.objects.all()), pk=pk))
