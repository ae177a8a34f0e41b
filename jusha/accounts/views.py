from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jusha.core.errors import DomainError
from jusha.core.request_context import client_ip
from jusha.web.params import safe_next_url

from . import services
from .forms import CodeLoginForm, MobileForm, StaffLoginForm


def code_login_page(request):
    form = CodeLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.code_login(mobile=form.cleaned_data["mobile"], code=form.cleaned_data["code"],
                                       ip=client_ip(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            login(request, user, backend="jusha.accounts.backends.MobileCodeBackend")
            return redirect(safe_next_url(request, "web:me"))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "accounts/code_login.html",
                            {"form": form, "next": safe_next_url(request, "")}, status=status)


@require_POST
def send_code(request):
    """htmx: send the code and answer with the status line under the mobile field."""
    form = MobileForm(request.POST)
    sent, error = False, None
    if form.is_valid():
        try:
            services.code_request(mobile=form.cleaned_data["mobile"], ip=client_ip(request))
            sent = True
        except DomainError as exc:
            error = str(exc.message)
    else:
        error = _("Enter an 11-digit mainland China mobile number.")
    return TemplateResponse(request, "accounts/code_login.html#code-status", {"sent": sent, "error": error},
                            status=200 if sent else 400)


def staff_login_page(request):
    form = StaffLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        if services.login_locked(f"user:{username}"):
            form.add_error(None, _("Too many failed log-ins. The account is locked for a while; try later."))
        else:
            user = authenticate(request, username=username, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("Wrong username or password."))
            else:
                login(request, user)
                return redirect(safe_next_url(request, "console:home"))
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "accounts/staff_login.html", {"form": form, "next": safe_next_url(request, "")},
                            status=status)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out."))
    return redirect("web:home")
