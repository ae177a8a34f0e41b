"""Reads about resources, each already narrowed by `permissions` to what the person may see."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Prefetch, QuerySet

from jusha import permissions
from jusha.needs.models import NeedCategory
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.params import int_param

from .models import Resource


def _with_details(qs: QuerySet) -> QuerySet:
    return qs.select_related("member_unit", "reviewed_by").prefetch_related(
        Prefetch("categories", queryset=NeedCategory.objects.select_related("parent").order_by("sort_order", "code")),
        Prefetch("service_area", queryset=Community.objects.order_by("code").only("id", "name", "code")),
    )


@dataclass(frozen=True)
class ResourceFilter:
    community: int | None = None
    category: int | None = None
    kind: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, query) -> "ResourceFilter":
        kind, status = query.get("kind", ""), query.get("status", "")
        return cls(community=int_param(query.get("community")), category=int_param(query.get("category")),
                   kind=kind if kind in Resource.Kind.values else "",
                   status=status if status in Resource.Status.values else "")

    def as_query(self) -> str:
        return urlencode({k: v for k, v in vars(self).items() if v})


def resource_list(user, filters: ResourceFilter, *, units: set[int] | None = None) -> QuerySet:
    """The resources the person may see, filtered; by unit, then title. `units` narrows to those units."""
    qs = permissions.visible(user, Action.RESOURCE_VIEW, Resource.objects.all())
    if units is not None:
        qs = qs.filter(member_unit__in=units)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    # Through subqueries, so that a resource serving several communities is listed once.
    if filters.community:
        qs = qs.filter(pk__in=Resource.service_area.through.objects.filter(community=filters.community)
                       .values("resource"))
    if filters.category:
        qs = qs.filter(pk__in=Resource.categories.through.objects.filter(needcategory=filters.category)
                       .values("resource"))
    return _with_details(qs).order_by("member_unit__name", "title", "id")


def my_units(user) -> QuerySet:
    """The active units whose resources the person manages (a liaison's own)."""
    return permissions.visible(user, Action.RESOURCE_MANAGE, MemberUnit.objects.filter(is_active=True)).order_by(
        "name")


def resource_detail(user, pk: int, *, action: Action = Action.RESOURCE_VIEW) -> Resource:
    """One resource, or NotAllowed (a 404) when the person may not see it."""
    return permissions.fetch(user, action, _with_details(Resource.objects.all()), pk=pk)


def resource_projects(user, resource: Resource) -> QuerySet:
    """The service projects that bundle the resource, as far as the person may see them."""
    return permissions.visible(user, Action.PROJECT_VIEW, resource.projects.all()).order_by("-year", "title", "id")
