"""The JSON API (OpenAPI at /api/openapi.json, docs at /api/docs): what a WeChat mini-program or
another system uses. Each app contributes a router; errors have one shape everywhere."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from jusha.accounts.api import router as accounts_router
from jusha.activities.api import router as activities_router
from jusha.attendance.api import router as attendance_router
from jusha.cases.api import router as cases_router
from jusha.command.api import router as command_router
from jusha.core.errors import DomainError, RateLimited
from jusha.devices.api import router as devices_router
from jusha.indicators.api import router as indicators_router
from jusha.livelihood.api import router as livelihood_router
from jusha.needs.api import router as needs_router
from jusha.notifications.api import router as notifications_router
from jusha.onboarding.api import router as onboarding_router
from jusha.places.api import router as places_router
from jusha.points.api import router as points_router
from jusha.projects.api import router as projects_router
from jusha.resources.api import router as resources_router
from jusha.volunteers.api import router as volunteers_router
from jusha.wishes.api import router as wishes_router

api = NinjaAPI(title="Jusha API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    response = api.create_response(
        request, {"detail": str(exc.message), "code": exc.code, "field": exc.field}, status=exc.status)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "payload", "form")]
        fields.append({"field": ".".join(loc), "message": error.get("msg", "")})
    return api.create_response(
        request, {"detail": _("Some fields are missing or invalid."), "code": "invalid", "errors": fields},
        status=422)


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    return api.create_response(request, {"detail": _("Please log in first."), "code": "unauthenticated"},
                               status=401)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return api.create_response(request, {"detail": str(exc), "code": "error"}, status=exc.status_code)


api.add_router("/auth", accounts_router)
api.add_router("/places", places_router)
api.add_router("/notifications", notifications_router)
api.add_router("/needs", needs_router)
api.add_router("/resources", resources_router)
api.add_router("/wishes", wishes_router)
api.add_router("/projects", projects_router)
api.add_router("/cases", cases_router)
api.add_router("/devices", devices_router)
api.add_router("/volunteers", volunteers_router)
api.add_router("/indicators", indicators_router)
api.add_router("/activities", activities_router)
api.add_router("/attendance", attendance_router)
api.add_router("/points", points_router)
api.add_router("/surveys", livelihood_router)
api.add_router("/onboarding", onboarding_router)
api.add_router("/command", command_router)
