"""The console's bell (the staff member's own inbox) and the announcements staff send, with the
status of every delivery and a resend button for the failed ones."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jusha import permissions
from jusha.core.errors import DomainError, NotAllowed
from jusha.permissions import Action
from jusha.web.console import PAGE_SIZE, console_view, paginate
from jusha.web.params import safe_next_url

from . import selectors, services, views
from .forms import AnnouncementForm
from .models import Delivery

CONSOLE = {"base": "console/base_console.html", "section": "messages", "list_url": "notifications_console:inbox",
           "detail_url": "notifications_console:message", "read_all_url": "notifications_console:read_all"}


@console_view
def inbox(request):
    return views.inbox_page(request, CONSOLE)


@console_view
def message(request, pk):
    return views.message_page(request, pk, CONSOLE)


@console_view
@require_POST
def mark_all_read(request):
    return views.read_all(request, CONSOLE)


@console_view
def announcements(request):
    permissions.require(request.user, Action.ANNOUNCEMENT_VIEW)
    page = paginate(request, selectors.announcements(request.user))
    return TemplateResponse(request, "notifications/console/announcements.html", {
        "section": "announcements", "page": page,
        "may_send": selectors.announce_communities(request.user).exists(),
    })


@console_view
def announcement_new(request):
    communities = selectors.announce_communities(request.user)
    if not communities.exists():
        raise NotAllowed()
    form = AnnouncementForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.announcement_send(actor=request.user, community=data["community"], title=data["title"],
                                              body=data["body"], urgent=data["urgent"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, ngettext("The announcement went to %(n)s resident.",
                                               "The announcement went to %(n)s residents.",
                                               sent.n_recipients) % {"n": sent.n_recipients})
            return redirect("notifications_console:announcement", pk=sent.pk)
    return TemplateResponse(request, "notifications/console/announcement_new.html",
                            {"section": "announcements", "form": form}, status=400 if form.errors else 200)


@console_view
def announcement(request, pk):
    found = selectors.announcement(request.user, pk)
    deliveries = selectors.announcement_deliveries(request.user, found)
    page = paginate(request, deliveries, per_page=PAGE_SIZE * 2)
    return TemplateResponse(request, "notifications/console/announcement.html", {
        "section": "announcements", "announcement": found, "page": page,
        "may_resend": permissions.can(request.user, Action.DELIVERY_RESEND),
    })


@console_view
@require_POST
def delivery_resend(request, pk):
    delivery = selectors.delivery(request.user, pk, Action.DELIVERY_RESEND)
    try:
        services.delivery_resend(actor=request.user, delivery=delivery)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Sent again: the status below shows how it went."))
    back = safe_next_url(request)
    if back:
        return redirect(back)
    if delivery.message and delivery.message.announcement_id:
        return redirect("notifications_console:announcement", pk=delivery.message.announcement_id)
    return redirect("notifications_console:deliveries")


@console_view
def deliveries(request):
    """Every delivery this staff member may follow (what they sent, what went to their places)."""
    permissions.require(request.user, Action.DELIVERY_VIEW)
    status = request.GET.get("status", "")
    status = status if status in Delivery.Status.values else ""
    page = paginate(request, selectors.deliveries(request.user, status=status), per_page=PAGE_SIZE * 2)
    return TemplateResponse(request, "notifications/console/deliveries.html", {
        "section": "announcements", "page": page, "status": status, "statuses": Delivery.Status.choices,
        "may_resend": permissions.can(request.user, Action.DELIVERY_RESEND),
    })
