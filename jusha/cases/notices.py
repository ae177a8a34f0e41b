"""Who hears about each step of a case, in one place: `tell(event_id)` runs after the step commits.

Reporters hear when their report is accepted or not filed, when verification sends it back for rework,
and when it closes (everyone whose report was attached or merged into it); the assignee (or the team's
members) hear when a task is dispatched or comes back; the command center hears what waits for it;
supervisors hear what is ready to verify. When a stage's clock runs out (督办), whoever holds that stage
hears it: the command operators for accepting and dispatching, the assignee and their team for handling,
the supervisors for verifying; when it stays overdue, the subdistrict's staff hear it (escalation).
"""

from django.utils import timezone

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import CaseDeadline, CaseEvent, Report
from .workflow import SWEEP_STEPS, Step

TO_REPORTERS = {Step.ACCEPT: "cases.progress", Step.CANCEL: "cases.progress", Step.REWORK: "cases.progress",
                Step.CLOSE: "cases.closed"}
TO_ASSIGNEE = {Step.DISPATCH, Step.REWORK, Step.SPOT_CHECK_FAIL, Step.EXTENSION_APPROVE, Step.EXTENSION_REFUSE}
TO_CENTER = {Step.REPORT, Step.RETURN, Step.EXTENSION_REQUEST, Step.REOPEN}
TO_SUPERVISORS = {Step.HANDLE, Step.SELF_HANDLE}


def _subdistrict_people(case, *roles):
    return User.objects.filter(role_assignments__role__in=roles,
                               role_assignments__subdistrict=case.community.subdistrict_id).distinct()


def _assignees(case):
    if case.assignee_id:
        return User.objects.filter(pk=case.assignee_id)
    if case.team_id:
        return User.objects.filter(role_assignments__role=Role.TEAM_MEMBER,
                                   role_assignments__team=case.team_id).distinct()
    return User.objects.none()


def _responsible(case, stage: str):
    """Who holds a stage of the case, and is told when it runs late."""
    if stage == CaseDeadline.Stage.HANDLE:
        people = _assignees(case)
        if case.team_id:
            people = people | User.objects.filter(role_assignments__role=Role.TEAM_MEMBER,
                                                   role_assignments__team=case.team_id)
        return people.distinct()
    if stage == CaseDeadline.Stage.VERIFY:
        return _subdistrict_people(case, Role.SUPERVISOR)
    return _subdistrict_people(case, Role.COMMAND_OPERATOR)


def _supervised(event, case, context: dict) -> None:
    by = {"overdue_at": event.at} if event.step == Step.OVERDUE else {"escalated_at": event.at}
    deadline = CaseDeadline.objects.filter(case=case, **by).first()
    if deadline is None:
        return  # an extension moved the due time again before this ran
    context = {**context, "stage": deadline.stage,
               "due": timezone.localtime(deadline.due_at).strftime("%Y-%m-%d %H:%M")}
    if event.step == Step.OVERDUE:
        recipients, kind = _responsible(case, deadline.stage), "cases.overdue"
    else:
        recipients, kind = _subdistrict_people(case, Role.SUBDISTRICT_STAFF), "cases.escalated"
    notify(recipients=recipients, kind=kind, obj=case, context=context, community=case.community,
           key=f"case-event:{event.pk}")


def tell(event_id: int) -> None:
    event = (CaseEvent.objects.select_related("case__community", "case__category", "case__grid")
             .filter(pk=event_id).first())
    if event is None:
        return
    case = event.case
    step = Step(event.step)
    context = {"number": case.number or str(case.pk), "category": case.category.code, "step": step.value,
               "place": case.grid.name if case.grid else case.community.name,
               "detail": "" if event.note_is_internal else event.note}
    common = {"obj": case, "context": context, "community": case.community, "key": f"case-event:{event.pk}"}

    if step in SWEEP_STEPS:
        _supervised(event, case, context)
        return
    if step in TO_REPORTERS:
        reporters = User.objects.filter(pk__in=Report.objects.filter(case=case).exclude(reporter=None)
                                        .values("reporter")).exclude(pk=event.actor_id)
        notify(recipients=reporters, kind=TO_REPORTERS[step], sender=event.actor, **common)
    if step in TO_ASSIGNEE:
        notify(recipients=_assignees(case).exclude(pk=event.actor_id), kind="cases.task", sender=event.actor,
               **{**common, "context": {**context, "detail": event.note}})
    if step in TO_CENTER:
        notify(recipients=_subdistrict_people(case, Role.COMMAND_OPERATOR).exclude(pk=event.actor_id),
               kind="cases.queue", **{**common, "context": {**context, "detail": event.note}})
    if step in TO_SUPERVISORS:
        notify(recipients=_subdistrict_people(case, Role.SUPERVISOR).exclude(pk=event.actor_id),
               kind="cases.verify", **common)
