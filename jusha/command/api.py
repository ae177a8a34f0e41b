"""The command screen's live parts as JSON: the change feed it polls, and one-click dispatch.

GET /changes — responses: 200 the events after the cursor; 401 not logged in; 404 the person may not see
the command screen; 422 a cursor that is not a number.
GET /cases/{id}/suggestion — 200 the best person to send the case to (or none), with why; 401; 404 the case
is not one the person may dispatch.
POST /cases/{id}/dispatch — 200 dispatched; 400 it cannot be dispatched now (`code`: conflict when
someone changed it meanwhile, invalid_transition when it is not waiting for dispatch any more,
invalid_assignee); 401; 403 no CSRF token; 404 the case is not one the person may dispatch; 422.
"""

from datetime import datetime

from ninja import Field, Path, Query, Router, Schema
from ninja.security import django_auth

from jusha import permissions
from jusha.cases import selectors as case_selectors
from jusha.cases import services as case_services
from jusha.cases.models import Case
from jusha.core.errors import NotAllowed
from jusha.core.schemas import ErrorOut, ValidationErrorOut
from jusha.permissions import Action

from . import selectors

router = Router(tags=["command"])


class CommandCaseOut(Schema):
    id: int
    number: str
    lng: float
    lat: float
    status: str
    status_label: str
    overdue: bool = Field(description="the running stage is past due (督办)")
    urgency: int
    source: str
    category: str
    community: str
    address: str
    url: str = Field(description="the case's console page")


class CommandChangeOut(Schema):
    id: int = Field(description="the event's id: the cursor after it")
    at: datetime
    step: str
    step_label: str
    from_status: str
    to_status: str
    open: bool = Field(description="the case is still open (false: take its marker off the map)")
    case: CommandCaseOut = Field(description="the case as it is now")


class CommandChangesOut(Schema):
    events: list[CommandChangeOut]
    cursor: int = Field(description="pass it as `after` next time")
    more: bool = Field(description="more events wait: ask again at once")


class CommandSuggestionOut(Schema):
    assignee: int | None = Field(description="the suggested person's id; null when nobody can take it")
    name: str
    reasons: list[str]


class CommandDispatchIn(Schema):
    assignee: int = Field(ge=1, le=2**62)


class CommandDispatchOut(Schema):
    case: CommandCaseOut


def _screen(request) -> None:
    if not selectors.may_see(request.user):
        raise NotAllowed()


@router.get("/changes", auth=django_auth, url_name="command_changes",
            response={200: CommandChangesOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def changes(request, after: int = Query(0, ge=0, le=2**62)):
    """The case events after the cursor, oldest first, at most FEED_LIMIT; docs/command.md."""
    _screen(request)
    result = selectors.changes(request.user, after)
    return {"events": [selectors.change_item(e) for e in result.events], "cursor": result.cursor,
            "more": result.more}


def _commandable(request, case_id: int) -> Case:
    _screen(request)
    return permissions.fetch(request.user, Action.CASE_COMMAND, Case.objects.select_related(
        "category", "community", "grid", "deadline"), pk=case_id)


@router.get("/cases/{case_id}/suggestion", auth=django_auth, url_name="command_suggestion",
            response={200: CommandSuggestionOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut})
def suggestion(request, case_id: int = Path(..., ge=1, le=2**62)):
    """The top dispatch suggestion (jusha.cases.selectors.suggestions) for the map popup and the stream."""
    case = _commandable(request, case_id)
    ranked = case_selectors.suggestions(case)
    if not ranked:
        return {"assignee": None, "name": "", "reasons": []}
    best = ranked[0]
    return {"assignee": best.user.pk, "name": str(best.user), "reasons": [str(r) for r in best.reasons]}


@router.post("/cases/{case_id}/dispatch", auth=django_auth, url_name="command_dispatch",
             response={200: CommandDispatchOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut,
                       422: ValidationErrorOut})
def dispatch(request, payload: CommandDispatchIn, case_id: int = Path(..., ge=1, le=2**62)):
    """派遣 with one click: the existing dispatch service, so its checks and its conflict guard apply."""
    case = _commandable(request, case_id)
    case = case_services.case_dispatch(actor=request.user, case=case.pk, assignee=payload.assignee)
    case = Case.objects.select_related("category", "community", "deadline").get(pk=case.pk)
    return {"case": selectors.marker(case)}
