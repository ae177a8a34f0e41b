"""The staff console: list/detail pages whose rows always come through the permissions module."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.accounts import services as account_services
from jusha.accounts.models import Role, User
from jusha.core.errors import NotAllowed
from jusha.orgs.models import MemberUnit
from jusha.permissions import Action
from jusha.places.models import Community

from . import console_selectors as selectors

PAGE_SIZE = 25


def console_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), "accounts:staff_login")
        if not permissions.can(request.user, Action.CONSOLE_USE):
            raise Http404
        try:
            return view(request, *args, **kwargs)
        except NotAllowed:
            raise Http404 from None

    return wrapper


def paginate(request, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def render_list(request, template, context):
    """A full page, or just the list partial when htmx swaps it after a filter change."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "results":
        template = f"{template}#results"
    return TemplateResponse(request, template, context)


@console_view
def home(request):
    return TemplateResponse(request, "console/home.html", {"section": "home", **selectors.dashboard(request.user)})


@console_view
def people(request):
    filters = selectors.PeopleFilter.from_query(request.GET)
    people_qs = selectors.people(request.user, filters)
    return render_list(request, "console/people.html", {
        "section": "people",
        "page": paginate(request, people_qs),
        "filters": filters,
        "roles": Role.choices,
        "communities": selectors.communities_for_filter(request.user),
        "may_reveal": permissions.can(request.user, Action.PERSON_REVEAL_MOBILE),
    })


@console_view
def person(request, pk):
    person = permissions.fetch(request.user, Action.PERSON_VIEW, User.objects.all(), pk=pk)
    return TemplateResponse(request, "console/person.html", {
        "section": "people",
        "person": person,
        "assignments": person.role_assignments.select_related("subdistrict", "community", "member_unit", "team"),
        "may_reveal": permissions.can(request.user, Action.PERSON_REVEAL_MOBILE, person),
    })


@console_view
@require_POST
def reveal_mobile(request, pk):
    person = permissions.fetch(request.user, Action.PERSON_VIEW, User.objects.all(), pk=pk)
    mobile = account_services.mobile_reveal(actor=request.user, person=person)
    return TemplateResponse(request, "console/people.html#revealed-mobile", {"mobile": mobile})


@console_view
def units(request):
    category = request.GET.get("category", "")
    community = request.GET.get("community", "")
    qs = permissions.visible(request.user, Action.UNIT_VIEW, MemberUnit.objects.all())
    if category in MemberUnit.Category.values:
        qs = qs.filter(category=category)
    if community.isdigit():
        qs = qs.filter(service_area=int(community))
    qs = qs.select_related("sub_alliance").annotate(n_communities=Count("service_area")).order_by("name")
    return render_list(request, "console/units.html", {
        "section": "units",
        "page": paginate(request, qs),
        "categories": MemberUnit.Category.choices,
        "category": category,
        "community": community,
        "communities": selectors.communities_for_filter(request.user),
    })


@console_view
def places(request):
    communities = permissions.visible(request.user, Action.PLACE_VIEW, Community.objects.all())
    return TemplateResponse(request, "console/places.html", {
        "section": "places",
        "communities": communities.annotate(n_grids=Count("grids")).order_by("code"),
    })


@console_view
def audit(request):
    permissions.require(request.user, Action.AUDIT_VIEW)
    filters = selectors.AuditFilter.from_query(request.GET)
    entries = selectors.audit_entries(request.user, filters)
    return render_list(request, "console/audit.html", {
        "section": "audit",
        "page": paginate(request, entries),
        "filters": filters,
        "actions": selectors.audit_actions(request.user),
    })
