"""The resident H5's 我的 → 消息 (the inbox) and 通知设置 (preferences); staff use the same pages
inside the console (console.py), so a person's inbox is one list wherever they read it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.errors import DomainError, NotAllowed

from . import kinds, selectors, services
from .forms import PreferencesForm

H5 = {"base": "web/base_h5.html", "tab": "me", "list_url": "notifications:messages",
      "detail_url": "notifications:message", "read_all_url": "notifications:read_all"}


def valid_kind(raw) -> str:
    return raw if isinstance(raw, str) and kinds.exists(raw) else ""


def inbox_page(request, shell: dict, **extra):
    kind = valid_kind(request.GET.get("kind"))
    return TemplateResponse(request, "notifications/inbox.html", {
        **shell, **extra, "groups": selectors.inbox(request.user, kind=kind), "kind": kind,
        "kind_label": kinds.label(kind) if kind else "",
    })


def message_page(request, pk: int, shell: dict, **extra):
    try:
        message = selectors.message(request.user, pk)
    except NotAllowed:
        raise Http404 from None
    services.message_mark_read(actor=request.user, message=message)
    return TemplateResponse(request, "notifications/message.html", {
        **shell, **extra, "item": selectors.inbox_item(message), "kind_label": kinds.label(message.kind),
    })


def read_all(request, shell: dict):
    kind = valid_kind(request.POST.get("kind"))
    services.messages_mark_all_read(actor=request.user, kind=kind or None)
    messages.success(request, _("All marked as read."))
    return redirect(shell["list_url"])


@login_required
def inbox(request):
    return inbox_page(request, H5)


@login_required
def message(request, pk):
    return message_page(request, pk, H5)


@login_required
@require_POST
def mark_all_read(request):
    return read_all(request, H5)


@login_required
def preferences(request):
    rows = selectors.preference_rows(request.user)
    current = services.settings_of(request.user)
    form = PreferencesForm(request.POST or None, rows=rows, initial={
        "quiet_enabled": current.quiet_enabled, "quiet_start": current.quiet_start, "quiet_end": current.quiet_end,
        "language": current.language, "email": request.user.email,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.preferences_save(
                actor=request.user, choices=form.choices(), quiet_enabled=data["quiet_enabled"],
                quiet_start=data["quiet_start"], quiet_end=data["quiet_end"], language=data["language"],
                email=data.get("email", request.user.email))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:preferences")
    return TemplateResponse(request, "notifications/preferences.html", {"tab": "me", "form": form},
                            status=400 if form.errors else 200)
