"""Who hears about a project, in one place; each function runs after the change commits.

The liaisons of the owner and of the participating units hear when a project starts or is cancelled;
the subdistrict's staff hear when someone else records progress.
"""

from jusha.accounts.models import Role, User
from jusha.notifications.services import notify

from .models import ProjectProgress, ServiceProject
from .workflow import Step


def _liaisons(project: ServiceProject):
    units = {project.owner_id, *project.units.values_list("pk", flat=True)} - {None}
    return User.objects.filter(role_assignments__role=Role.UNIT_LIAISON,
                               role_assignments__member_unit__in=units).distinct()


def tell_step(project_id: int, step: Step, *, actor_id: int | None) -> None:
    project = ServiceProject.objects.select_related("owner").filter(pk=project_id).first()
    if project is None or step not in (Step.START, Step.CANCEL):
        return
    kind = "projects.started" if step == Step.START else "projects.cancelled"
    context = {"project": project.title, "year": project.year, "reason": project.cancel_reason,
               "unit": project.owner.name if project.owner else ""}
    notify(recipients=_liaisons(project).exclude(pk=actor_id), kind=kind, obj=project, context=context,
           key=f"project-{step}:{project.pk}", sender=User.objects.filter(pk=actor_id).first())


def tell_progress(progress_id: int) -> None:
    entry = (ProjectProgress.objects.select_related("project__alliance", "member_unit", "recorded_by")
             .filter(pk=progress_id).first())
    if entry is None:
        return
    project = entry.project
    staff = User.objects.filter(role_assignments__role=Role.SUBDISTRICT_STAFF,
                                role_assignments__subdistrict=project.alliance.subdistrict_id).distinct()
    detail = "; ".join(f"{q.target.label} {q.quantity}" for q in entry.quantities.select_related("target"))
    context = {"project": project.title, "on": str(entry.on), "detail": detail,
               "unit": entry.member_unit.name if entry.member_unit else str(entry.recorded_by)}
    notify(recipients=staff.exclude(pk=entry.recorded_by_id), kind="projects.progress", obj=project,
           context=context, key=f"project-progress:{entry.pk}", sender=entry.recorded_by)
