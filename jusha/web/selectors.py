from jusha.accounts.models import Role
from jusha.orgs.models import GridWorker


def resident_home(user) -> dict:
    """The resident's community and the grid workers who look after it, if they told us where they live."""
    if not getattr(user, "is_authenticated", False):
        return {"community": None, "grid_workers": []}
    assignment = user.role_assignments.filter(role=Role.RESIDENT).select_related("community").first()
    if assignment is None:
        return {"community": None, "grid_workers": []}
    workers = (GridWorker.objects.filter(grids__community=assignment.community, on_duty=True)
               .select_related("user").distinct().order_by("user__name")[:5])
    return {"community": assignment.community, "grid_workers": workers}
