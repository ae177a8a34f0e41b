from django.contrib.auth import login, logout
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from jusha.core.request_context import client_ip
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import actor_of

from . import services
from .models import mask_mobile

router = Router(tags=["auth"])


class CodeRequestIn(Schema):
    mobile: str = Field(..., max_length=20, description="11-digit mainland China mobile number")


class CodeRequestOut(Schema):
    sent: bool
    resend_after_seconds: int


class CodeLoginIn(Schema):
    mobile: str = Field(..., max_length=20)
    code: str = Field(..., max_length=10)


class MeOut(Schema):
    id: int
    name: str
    mobile_masked: str
    roles: list[str]
    elderly_mode: bool


def _me(user) -> dict:
    return {"id": user.pk, "name": user.name, "mobile_masked": mask_mobile(user.mobile),
            "roles": sorted(actor_of(user).roles), "elderly_mode": user.elderly_mode}


@router.post("/code", response={202: CodeRequestOut, 400: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut})
def request_code(request, payload: CodeRequestIn):
    """Send a one-time log-in code by SMS. Limited per number and per network address."""
    from django.conf import settings

    services.code_request(mobile=payload.mobile, ip=client_ip(request))
    return Status(202, {"sent": True, "resend_after_seconds": settings.JUSHA_CODE_RESEND_SECONDS})


@router.post("/login", response={200: MeOut, 400: ErrorOut, 422: ValidationErrorOut, 429: ErrorOut})
def code_login(request, payload: CodeLoginIn):
    """Log in with the code; the session cookie then authenticates the other calls."""
    user = services.code_login(mobile=payload.mobile, code=payload.code, ip=client_ip(request))
    login(request, user, backend="jusha.accounts.backends.MobileCodeBackend")
    return _me(user)


@router.post("/logout", response={204: None})
def api_logout(request):
    logout(request)
    return Status(204, None)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, auth=django_auth)
def me(request):
    return _me(request.user)
