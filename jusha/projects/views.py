"""The residents' H5 page: this year's service items and running projects, and how far each is."""

from django.contrib.auth.decorators import login_required
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from . import selectors


@login_required
def public(request):
    year = selectors.this_year()
    projects = selectors.public_projects(request.user, year=year)
    required = [p for p in projects if p.kind == "required"]
    optional = [p for p in projects if p.kind == "optional"]
    others = [p for p in projects if p.kind == "other"]
    return TemplateResponse(request, "projects/public.html", {
        "tab": "services", "year": year, "required": required, "optional": optional, "others": others,
        "sections": [(_("Required service items"), required), (_("Optional service items"), optional),
                     (_("Other projects"), others)],
    })
