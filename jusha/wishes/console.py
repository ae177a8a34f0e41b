"""The staff console for micro-wishes: the community's wishes by status, collecting a new one, and one
wish's page with the steps the person may take (verify, publish, withdraw, cancel, confirm for the family)."""

from datetime import date

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError
from jusha.permissions import Action
from jusha.places.models import Community
from jusha.web.console import console_view, paginate, render_list
from jusha.web.shared import add_domain_error

from . import selectors, services, workflow
from .forms import WishForm
from .models import MicroWish
from .workflow import Step

# The steps the console offers, in order; each needs these form fields.
CONSOLE_STEPS = {
    Step.VERIFY: ((), gettext_lazy("Mark as verified")),
    Step.PUBLISH: (("target_date",), gettext_lazy("Publish on the wish wall")),
    Step.CONFIRM: ((), gettext_lazy("Confirm delivery for the family")),
    Step.WITHDRAW: (("reason",), gettext_lazy("Withdraw from the wall")),
    Step.CANCEL: (("reason",), gettext_lazy("Cancel the wish")),
}


def _communities(user):
    return permissions.visible(user, Action.WISH_MANAGE, Community.objects.order_by("code"))


@console_view
def wish_list(request):
    permissions.require(request.user, Action.WISH_MANAGE)
    filters = selectors.ListFilter.from_query(request.GET)
    return render_list(request, "wishes/console/list.html", {
        "section": "wishes",
        "page": paginate(request, selectors.managed(request.user, filters)),
        "filters": filters,
        "statuses": MicroWish.Status.choices,
        "categories": MicroWish.Category.choices,
        "communities": _communities(request.user),
        "url": reverse("wishes_console:list"),
    })


@console_view
def new(request):
    """Record a wish collected from a family (a visit, a call); it starts as collected (draft)."""
    permissions.require(request.user, Action.WISH_MANAGE)
    communities = _communities(request.user)
    form = WishForm(request.POST if request.method == "POST" else None, communities=communities,
                    initial={"community": communities.first().pk if communities.count() == 1 else None})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                wish = services.wish_create(
                    actor=request.user, community=d["community"], beneficiary_name=d["beneficiary_name"],
                    beneficiary_phone=d["beneficiary_phone"], beneficiary_address=d["beneficiary_address"],
                    category=d["category"], text=d["text"], estimated_value=d["estimated_value"],
                    target_date=d["target_date"], photo_files=request.FILES.getlist("photos"))
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("The wish was recorded. Verify it, then publish it on the wall."))
                return redirect("wishes_console:detail", pk=wish.pk)
        status = 400
    return TemplateResponse(request, "wishes/console/new.html", {"section": "wishes", "form": form}, status=status)


def _detail(request, wish: MicroWish, *, error: tuple[str, str] | None = None, status: int = 200):
    manage = permissions.can(request.user, Action.WISH_MANAGE, wish)
    confirm = permissions.can(request.user, Action.WISH_CONFIRM, wish)
    allowed = workflow.allowed_steps(wish.status)
    steps = [s for s in CONSOLE_STEPS if s in allowed and (confirm if s is Step.CONFIRM else manage)]
    return TemplateResponse(request, "wishes/console/detail.html", {
        "section": "wishes", "wish": wish, "claims": list(wish.claims.all()), "claim": wish.live_claim,
        "photos": list(wish.photos.all()), "steps": [(s, CONSOLE_STEPS[s][1], CONSOLE_STEPS[s][0]) for s in steps],
        "error": error,
    }, status=status)


@console_view
def detail(request, pk):
    return _detail(request, selectors.wish_detail(request.user, pk, action=Action.WISH_MANAGE))


@console_view
@require_POST
def act(request, pk, step):
    try:
        step = Step(step)
    except ValueError:
        raise Http404 from None
    if step not in CONSOLE_STEPS:
        raise Http404
    wish = selectors.wish_detail(request.user, pk, action=Action.WISH_MANAGE)
    reason = request.POST.get("reason", "")
    try:
        match step:
            case Step.VERIFY:
                services.wish_verify(actor=request.user, wish=wish)
            case Step.PUBLISH:
                services.wish_publish(actor=request.user, wish=wish, target_date=_date(request.POST.get("target_date")))
            case Step.CONFIRM:
                services.wish_confirm(actor=request.user, wish=wish)
            case Step.WITHDRAW:
                services.wish_withdraw(actor=request.user, wish=wish, reason=reason)
            case Step.CANCEL:
                services.wish_cancel(actor=request.user, wish=wish, reason=reason)
    except DomainError as exc:
        if exc.status == 404:
            raise
        fresh = selectors.wish_detail(request.user, pk, action=Action.WISH_MANAGE)
        return _detail(request, fresh, error=(step.value, str(exc.message)), status=400)
    messages.success(request, _("Done: %(step)s.") % {"step": workflow.STEP_LABELS[step]})
    return redirect("wishes_console:detail", pk=wish.pk)


def _date(raw) -> date | None:
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) and raw else None
    except ValueError:
        raise DomainError(_("Enter a valid date."), code="invalid_date", field="target_date") from None
