"""The one place that answers "may this person do this to that object" and "which objects may they see".

Every view, API endpoint and selector fetches objects through `visible()` / `fetch()`, so a missing
check shows up as an empty list, never as a leak. A rule is a function from the actor's scopes to
a Q filter on the model: `None` means nothing, `Q()` means everything. `can()` is the same rule
asked about one object, so the list and the detail page can never disagree.

Scoping, in one sentence per role (the matrix tests state the same, person by person):
- an administrator sees and changes everything;
- subdistrict staff see and change what belongs to their subdistrict;
- command operators and supervisors see their subdistrict's organisations, places and audit entries;
- community staff see their community's people and the units that serve it;
- a unit liaison sees and edits their own unit; a team member sees their team;
- a resident sees only themselves; everyone, even anonymous, sees the public map of places;
- everyone reads only their own inbox: not even an administrator reads another person's messages;
- staff who may announce to a community (its community staff, their subdistrict's staff) follow the
  delivery of what was sent there, and anyone follows the delivery of what they sent themselves;
- only administrators and a subdistrict's own staff import files into it (and see those imports);
  only administrators create subdistricts;
- cases: a reporter sees the cases they reported (anonymous ones too); command operators and subdistrict
  staff see and command all of their subdistrict's; supervisors see them and verify or spot-check; community
  staff see their community's; a team sees only the cases dispatched to it; a grid worker their grids'
  cases and their own tasks;
- case indicators (立案率, 按期结案率 …): an administrator reads everyone's, a subdistrict's staff, command
  operators and supervisors their subdistrict's, community staff their community's; reporters, teams and
  grid workers none (a case they reported or worked elsewhere never enters someone's figures);
- a resident sees their own needs and the public board (open needs without name, phone or exact
  place); a unit liaison sees the needs offered to, taken on or done by their unit; community staff
  see and triage their community's needs; subdistrict staff see and triage all of their subdistrict's;
- a unit liaison manages all of their own unit's resources (drafts included); community staff see the
  resources (not drafts) serving their community; subdistrict staff see and review all of their
  alliance's resources (not drafts).
- everyone, even anonymous, sees the wish wall and the thank-you wall (public fields only); community
  staff manage their community's micro-wishes, subdistrict staff all of theirs; anyone logged in claims
  a wish for themselves, a unit liaison also for their unit; a claimer sees the wishes they claimed; a
  beneficiary with an account sees and confirms their own wishes.
- subdistrict staff plan and change their alliance's service projects, which the subdistrict's
  operators and supervisors also see; community staff see the projects covering their community; a
  unit liaison sees, and records progress on, the projects their unit owns or takes part in; every
  logged-in person sees the public summary of the year's service items and of running projects.
- the command screen (一屏指挥): an administrator sees every subdistrict's; a subdistrict's staff, command
  operators and supervisors see its cases, change feed, devices and grid workers' last positions; community
  staff, teams, grid workers and residents do not see the screen; dispatching from it is CASE_COMMAND's;
- devices: a subdistrict's staff register its cameras and sensors and keep its detection rules; its
  command operators (and staff) review the detections waiting below the confidence threshold.
- volunteers: anyone logged in applies for themselves and sees and edits their own record; community
  staff review (and reveal the identity number of) their community's volunteers, subdistrict staff all of
  their subdistrict's; a unit liaison registers their unit's staff as its volunteer team and sees those
  records; an approved volunteer claims needs of the communities they serve from the board, a
  suspended one no longer.
- Open311: everyone, even anonymous, reads the requests apps posted (public fields only); subdistrict
  staff create and revoke the apps' keys (one Open311 endpoint serves the whole deployment); command
  operators and subdistrict staff place address-only requests on the map.
- activities: everyone, even anonymous, sees published activities; anyone logged in signs up and
  cancels only their own sign-ups; subdistrict staff organise, manage and review all of their
  subdistrict's activities; community staff organise and manage their community's own, see those it
  hosts and review those a community or a unit holds there; a unit liaison organises and manages their
  unit's; an organiser sees the roster of what they may see.
- attendance: an activity's organisers (its creator, its unit's liaisons, its community's staff, its
  subdistrict's staff) show the check-in code, mark attendance, verify and correct hours and decide
  correction requests; a person checks themselves in only for their own confirmed sign-ups, sees their
  own service records, asks for corrections of them and downloads their own certificates.
- points: a person sees their own points, history and redemptions, and redeems rewards open to their
  community; community staff award and correct the points of their community's people, keep its rewards,
  hand them out and see its leaderboard; subdistrict staff do so for the whole subdistrict and set its
  points rules; a unit liaison keeps their unit's donated rewards, hands them out and sees their unit's
  leaderboard; leaderboards never show a person who opted out.
- livelihood surveys: subdistrict staff build, open and close their subdistrict's surveys; they and the
  community staff of its communities see the results and record field visits (community staff only in
  their own communities, and see only those visits); everyone, even anonymous where the survey allows it,
  sees and answers an open survey (for themselves, for a unit they are the liaison of, or for the
  community they serve).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Model, Q, QuerySet

from jusha.core.errors import NotAllowed


class Action(StrEnum):
    PLACE_VIEW = "places.view"
    PLACE_CHANGE = "places.change"
    UNIT_VIEW = "orgs.view_unit"
    UNIT_CHANGE = "orgs.change_unit"
    TEAM_VIEW = "orgs.view_team"
    TEAM_CHANGE = "orgs.change_team"
    PERSON_VIEW = "accounts.view_person"
    PERSON_REVEAL_MOBILE = "accounts.reveal_mobile"
    AUDIT_VIEW = "audit.view"
    CONSOLE_USE = "console.use"
    MESSAGE_VIEW = "notifications.view_message"
    ANNOUNCEMENT_SEND = "notifications.send_announcement"
    ANNOUNCEMENT_VIEW = "notifications.view_announcement"
    DELIVERY_VIEW = "notifications.view_delivery"
    DELIVERY_RESEND = "notifications.resend"
    NEED_SUBMIT = "needs.submit"
    NEED_SUBMIT_ON_BEHALF = "needs.submit_on_behalf"
    NEED_VIEW = "needs.view"
    NEED_BOARD_VIEW = "needs.view_board"
    NEED_TRIAGE = "needs.triage"
    NEED_CLAIM = "needs.claim"
    NEED_CONFIRM = "needs.confirm"
    NEED_REOPEN = "needs.reopen"
    CLAIM_HANDLE = "needs.handle_claim"
    RESOURCE_VIEW = "resources.view"
    RESOURCE_MANAGE = "resources.manage"
    RESOURCE_REVIEW = "resources.review"
    WISH_MANAGE = "wishes.manage"
    WISH_VIEW = "wishes.view"
    WISH_WALL_VIEW = "wishes.view_wall"
    WISH_CLAIM = "wishes.claim"
    WISH_CONFIRM = "wishes.confirm"
    WISH_CLAIM_HANDLE = "wishes.handle_claim"
    PROJECT_VIEW = "projects.view"
    PROJECT_VIEW_PUBLIC = "projects.view_public"
    PROJECT_MANAGE = "projects.manage"
    PROJECT_RECORD_PROGRESS = "projects.record_progress"
    NEED_EXPORT = "needs.export"
    CALENDAR_CHANGE = "calendars.change"
    SUBDISTRICT_CREATE = "places.create_subdistrict"
    IMPORT_RUN = "onboarding.import"
    CASE_REPORT = "cases.report"
    CASE_VIEW = "cases.view"
    CASE_COMMAND = "cases.command"
    CASE_HANDLE = "cases.handle"
    CASE_VERIFY = "cases.verify"
    CASE_RATE = "cases.rate"
    CASE_PATROL = "cases.patrol"
    CASE_CATEGORY_CHANGE = "cases.change_category"
    INDICATOR_VIEW = "cases.view_indicators"
    DEVICE_MANAGE = "devices.manage"
    COMMAND_SCREEN = "command.view_screen"
    DETECTION_REVIEW = "devices.review"
    VOLUNTEER_APPLY = "volunteers.apply"
    VOLUNTEER_VIEW = "volunteers.view"
    VOLUNTEER_EDIT = "volunteers.edit"
    VOLUNTEER_REVIEW = "volunteers.review"
    VOLUNTEER_REVEAL_ID = "volunteers.reveal_id"
    VOLUNTEER_REGISTER_TEAM = "volunteers.register_team"
    OPEN311_VIEW = "open311.view"
    OPEN311_KEY_MANAGE = "open311.manage_keys"
    OPEN311_PLACE = "open311.place"
    ACTIVITY_VIEW_PUBLIC = "activities.view_public"
    ACTIVITY_VIEW = "activities.view"
    ACTIVITY_ORGANISE = "activities.organise"
    ACTIVITY_MANAGE = "activities.manage"
    ACTIVITY_REVIEW = "activities.review"
    SIGNUP_CREATE = "activities.sign_up"
    SIGNUP_CANCEL = "activities.cancel_sign_up"
    ATTENDANCE_MANAGE = "attendance.manage"
    ATTENDANCE_CHECK_IN = "attendance.check_in"
    SERVICE_RECORD_VIEW = "attendance.view_record"
    CORRECTION_REQUEST = "attendance.request_correction"
    CERTIFICATE_VIEW = "attendance.view_certificate"
    POINTS_VIEW = "points.view"
    POINTS_AWARD = "points.award"
    POINTS_RULES = "points.manage_rules"
    POINTS_LEADERBOARD = "points.view_leaderboard"
    REWARD_MANAGE = "points.manage_reward"
    REWARD_REDEEM = "points.redeem"
    REDEMPTION_VIEW = "points.view_redemption"
    REDEMPTION_HANDLE = "points.handle_redemption"
    SURVEY_MANAGE = "livelihood.manage_survey"
    SURVEY_VIEW = "livelihood.view_survey"
    SURVEY_RESPOND = "livelihood.respond"
    VISIT_RECORD = "livelihood.record_visit"


# Actions on a person's own things that the administrator's see-everything does not reach.
# A case is rated by its reporters and handled by its assignee, never by an administrator for them;
# a volunteer record is changed or withdrawn by its volunteer only, and a sign-up cancelled by its person.
# A person checks themselves in, asks for corrections of their own hours and downloads their own
# certificates: nobody does that for them.
OWN_ONLY = frozenset({Action.MESSAGE_VIEW, Action.CASE_RATE, Action.CASE_HANDLE, Action.VOLUNTEER_EDIT,
                      Action.SIGNUP_CANCEL, Action.ATTENDANCE_CHECK_IN, Action.CORRECTION_REQUEST,
                      Action.CERTIFICATE_VIEW})
# Public views that show everyone (administrators too) the same thing: the wish walls (and claiming
# from them), the summary of the year's service projects, the Open311 requests, published activities
# (and signing up), the rewards catalogue a person buys from with their own points, and answering an
# open survey.
SAME_FOR_EVERYONE = frozenset({Action.WISH_WALL_VIEW, Action.WISH_CLAIM, Action.PROJECT_VIEW_PUBLIC,
                               Action.OPEN311_VIEW, Action.ACTIVITY_VIEW_PUBLIC, Action.SIGNUP_CREATE,
                               Action.REWARD_REDEEM, Action.SURVEY_RESPOND})


@dataclass
class Actor:
    """What one person may act on, computed once per request from their role assignments."""

    user_id: int | None = None
    is_admin: bool = False
    # role → ids of the places/organisations the role is held in
    subdistricts: dict[str, set[int]] = field(default_factory=dict)
    communities: dict[str, set[int]] = field(default_factory=dict)
    member_units: set[int] = field(default_factory=set)
    teams: set[int] = field(default_factory=set)
    grids: set[int] = field(default_factory=set)
    grid_communities: set[int] = field(default_factory=set)
    # The communities the person serves as an approved volunteer; read on first use (see `volunteer_area`).
    _volunteer_area: set[int] | None = field(default=None, repr=False, compare=False)

    def subdistricts_as(self, *roles: str) -> set[int]:
        return set().union(*(self.subdistricts.get(r, set()) for r in roles))

    def communities_as(self, *roles: str) -> set[int]:
        return set().union(*(self.communities.get(r, set()) for r in roles))

    @property
    def roles(self) -> set[str]:
        from jusha.accounts.models import Role

        held = {r for r, ids in {**self.subdistricts, **self.communities}.items() if ids}
        if self.member_units:
            held.add(Role.UNIT_LIAISON)
        if self.teams:
            held.add(Role.TEAM_MEMBER)
        if self.grids:
            held.add(Role.GRID_WORKER)
        if self.is_admin:
            held.add(Role.ADMINISTRATOR)
        return held

    @property
    def volunteer_area(self) -> set[int]:
        """Home and service-area communities of the person's approved volunteer record (else empty).
        Asked lazily, once per request: most pages never need it."""
        if self._volunteer_area is None:
            self._volunteer_area = set()
            if self.user_id is not None:
                from jusha.volunteers.models import Volunteer

                rows = Volunteer.objects.filter(user=self.user_id, status=Volunteer.Status.APPROVED).values_list(
                    "community_id", "service_area__id")
                for home, served in rows:
                    self._volunteer_area.update(c for c in (home, served) if c)
        return self._volunteer_area

    @property
    def is_staff_member(self) -> bool:
        from jusha.accounts.models import Role

        return bool(self.roles - {Role.RESIDENT})


ANONYMOUS = Actor()


def actor_of(user) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_jusha_actor", None)
    if cached is not None:
        return cached
    from jusha.accounts.models import Role, RoleAssignment
    from jusha.orgs.models import GridWorker

    actor = Actor(user_id=user.pk)
    for role, sub_id, com_id, unit_id, team_id in RoleAssignment.objects.filter(user=user).values_list(
        "role", "subdistrict_id", "community_id", "member_unit_id", "team_id"
    ):
        if role == Role.ADMINISTRATOR:
            actor.is_admin = True
        elif sub_id:
            actor.subdistricts.setdefault(role, set()).add(sub_id)
        elif com_id:
            actor.communities.setdefault(role, set()).add(com_id)
        elif unit_id:
            actor.member_units.add(unit_id)
        elif team_id:
            actor.teams.add(team_id)
    for grid_id, community_id in GridWorker.objects.filter(user=user).values_list("grids__id", "grids__community_id"):
        if grid_id:
            actor.grids.add(grid_id)
            actor.grid_communities.add(community_id)
    user._jusha_actor = actor
    return actor


def forget(user) -> None:
    """Drop the cached scopes after the person's roles changed within the same request."""
    if hasattr(user, "_jusha_actor"):
        del user._jusha_actor


Rule = Callable[[Actor], Q | None]
_rules: dict[tuple[str, Action], Rule] = {}


def rule(model_label: str, *actions: Action):
    def register(fn: Rule) -> Rule:
        for action in actions:
            _rules[(model_label, action)] = fn
        return fn

    return register


def _any(*qs: Q | None) -> Q | None:
    kept = [q for q in qs if q is not None]
    if not kept:
        return None
    combined = kept[0]
    for q in kept[1:]:
        combined |= q
    return combined


def _in(lookup: str, ids: set[int]) -> Q | None:
    return Q(**{f"{lookup}__in": ids}) if ids else None


def _filter_for(actor: Actor, action: Action, model: type[Model]) -> Q | None:
    if actor.is_admin and action not in OWN_ONLY | SAME_FOR_EVERYONE:
        return Q()
    fn = _rules.get((model._meta.label, action))
    if fn is None:
        return None
    return fn(actor)


def visible(actor_or_user, action: Action, queryset: QuerySet) -> QuerySet:
    """`queryset` narrowed to the objects the actor may do `action` on."""
    actor = actor_or_user if isinstance(actor_or_user, Actor) else actor_of(actor_or_user)
    q = _filter_for(actor, action, queryset.model)
    if q is None:
        return queryset.none()
    return queryset.filter(q)


def can(actor_or_user, action: Action, obj: Model | None = None) -> bool:
    actor = actor_or_user if isinstance(actor_or_user, Actor) else actor_of(actor_or_user)
    if obj is None:
        return _general(actor, action)
    return visible(actor, action, type(obj)._default_manager.filter(pk=obj.pk)).exists()


def fetch(actor_or_user, action: Action, queryset: QuerySet, **lookup) -> Model:
    """The one object matching `lookup` that the actor may act on, else NotAllowed (a 404)."""
    obj = visible(actor_or_user, action, queryset).filter(**lookup).first()
    if obj is None:
        raise NotAllowed()
    return obj


def require(actor_or_user, action: Action, obj: Model | None = None) -> None:
    if not can(actor_or_user, action, obj):
        raise NotAllowed()


def _general(actor: Actor, action: Action) -> bool:
    """Actions not about one object: may the actor use this part of the product at all."""
    from jusha.accounts.models import Role

    if action is Action.CONSOLE_USE:
        return actor.is_staff_member
    if action is Action.AUDIT_VIEW:
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.SUPERVISOR)
            or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action in (Action.PERSON_VIEW, Action.PERSON_REVEAL_MOBILE):
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action is Action.UNIT_VIEW:
        return actor.is_admin or bool(
            actor.subdistricts or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units
        )
    if action is Action.PLACE_VIEW:
        return True
    if action is Action.MESSAGE_VIEW:
        return actor.user_id is not None
    if action in (Action.ANNOUNCEMENT_SEND, Action.ANNOUNCEMENT_VIEW, Action.DELIVERY_VIEW, Action.DELIVERY_RESEND):
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action in (Action.NEED_SUBMIT, Action.NEED_VIEW, Action.NEED_BOARD_VIEW):
        return actor.user_id is not None
    if action in (Action.NEED_SUBMIT_ON_BEHALF, Action.NEED_TRIAGE, Action.NEED_EXPORT):
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action is Action.CALENDAR_CHANGE:
        # One calendar for the whole deployment: the subdistrict's staff keep it.
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action in (Action.NEED_CLAIM, Action.CLAIM_HANDLE):
        return bool(actor.member_units or actor.volunteer_area)
    if action is Action.RESOURCE_VIEW:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units)
    if action is Action.RESOURCE_MANAGE:
        return actor.is_admin or bool(actor.member_units)
    if action is Action.RESOURCE_REVIEW:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action is Action.WISH_MANAGE:
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action is Action.WISH_WALL_VIEW:
        return True
    if action in (Action.WISH_VIEW, Action.WISH_CLAIM, Action.WISH_CLAIM_HANDLE, Action.WISH_CONFIRM):
        return actor.user_id is not None
    if action is Action.PROJECT_VIEW:
        return actor.is_admin or bool(actor.subdistricts_as(*_SUBDISTRICT_WIDE)
                                      or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units)
    if action is Action.PROJECT_VIEW_PUBLIC:
        return actor.user_id is not None
    if action is Action.PROJECT_MANAGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action is Action.PROJECT_RECORD_PROGRESS:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.member_units)
    if action is Action.IMPORT_RUN:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action in (Action.CASE_REPORT, Action.CASE_VIEW, Action.CASE_RATE):
        return actor.user_id is not None
    if action is Action.CASE_COMMAND:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR))
    if action is Action.CASE_CATEGORY_CHANGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action is Action.CASE_VERIFY:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUPERVISOR))
    if action is Action.ATTENDANCE_MANAGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units)
    if action in (Action.ATTENDANCE_CHECK_IN, Action.SERVICE_RECORD_VIEW, Action.CORRECTION_REQUEST,
                  Action.CERTIFICATE_VIEW):
        return actor.user_id is not None
    if action is Action.CASE_HANDLE:
        return bool(actor.grids or actor.teams)
    if action is Action.CASE_PATROL:
        return bool(actor.grids)
    if action is Action.INDICATOR_VIEW:
        return actor.is_admin or bool(actor.subdistricts_as(*_SUBDISTRICT_WIDE)
                                      or actor.communities_as(Role.COMMUNITY_STAFF))
    if action is Action.DEVICE_MANAGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action is Action.COMMAND_SCREEN:
        return actor.is_admin or bool(actor.subdistricts_as(*_SUBDISTRICT_WIDE))
    if action is Action.DETECTION_REVIEW:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR))
    if action in (Action.VOLUNTEER_APPLY, Action.VOLUNTEER_VIEW, Action.VOLUNTEER_EDIT):
        return actor.user_id is not None
    if action in (Action.VOLUNTEER_REVIEW, Action.VOLUNTEER_REVEAL_ID):
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF)
        )
    if action is Action.VOLUNTEER_REGISTER_TEAM:
        return actor.is_admin or bool(actor.member_units)
    if action is Action.OPEN311_VIEW:
        return True
    if action is Action.OPEN311_KEY_MANAGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action is Action.OPEN311_PLACE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR))
    if action is Action.ACTIVITY_VIEW_PUBLIC:
        return True
    if action in (Action.SIGNUP_CREATE, Action.SIGNUP_CANCEL):
        return actor.user_id is not None
    if action in (Action.ACTIVITY_VIEW, Action.ACTIVITY_ORGANISE, Action.ACTIVITY_MANAGE):
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units)
    if action is Action.ACTIVITY_REVIEW:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF))
    if action in (Action.POINTS_VIEW, Action.REWARD_REDEEM, Action.REDEMPTION_VIEW):
        return actor.user_id is not None
    if action is Action.POINTS_AWARD:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF))
    if action is Action.POINTS_RULES:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action in (Action.POINTS_LEADERBOARD, Action.REWARD_MANAGE, Action.REDEMPTION_HANDLE):
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
                                      or actor.communities_as(Role.COMMUNITY_STAFF) or actor.member_units)
    if action is Action.SURVEY_MANAGE:
        return actor.is_admin or bool(actor.subdistricts_as(Role.SUBDISTRICT_STAFF))
    if action in (Action.SURVEY_VIEW, Action.VISIT_RECORD):
        return actor.is_admin or bool(
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF) or actor.communities_as(Role.COMMUNITY_STAFF))
    if action is Action.SURVEY_RESPOND:
        return True
    return actor.is_admin


# --- rules, per model ---------------------------------------------------------------------------
from jusha.accounts.models import Role  # noqa: E402  (rules below need the role names)

_SUBDISTRICT_WIDE = (Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR, Role.SUPERVISOR)


@rule("places.District", Action.PLACE_VIEW)
@rule("places.Subdistrict", Action.PLACE_VIEW)
@rule("places.Community", Action.PLACE_VIEW)
@rule("places.Grid", Action.PLACE_VIEW)
def _places_public(actor: Actor) -> Q:
    return Q()


@rule("places.Subdistrict", Action.PLACE_CHANGE)
def _subdistrict_change(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("places.Community", Action.PLACE_CHANGE)
def _community_change(actor: Actor) -> Q | None:
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("places.Grid", Action.PLACE_CHANGE)
def _grid_change(actor: Actor) -> Q | None:
    return _in("community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("orgs.MemberUnit", Action.UNIT_VIEW)
def _unit_view(actor: Actor) -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    return _any(
        _in("alliance__subdistrict", actor.subdistricts_as(*_SUBDISTRICT_WIDE)),
        _in("sub_alliance__community", communities),
        _in("pk", _units_serving(communities)),
        _in("pk", actor.member_units),
    )


def _units_serving(community_ids: set[int]) -> set[int]:
    if not community_ids:
        return set()
    from jusha.orgs.models import MemberUnit

    return set(MemberUnit.service_area.through.objects.filter(community_id__in=community_ids)
               .values_list("memberunit_id", flat=True))


@rule("orgs.MemberUnit", Action.UNIT_CHANGE)
def _unit_change(actor: Actor) -> Q | None:
    return _any(
        _in("alliance__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
        _in("pk", actor.member_units),
    )


@rule("orgs.Team", Action.TEAM_VIEW)
def _team_view(actor: Actor) -> Q | None:
    from jusha.places.models import Community

    community_subdistricts = set(
        Community.objects.filter(pk__in=actor.communities_as(Role.COMMUNITY_STAFF))
        .values_list("subdistrict_id", flat=True)
    ) if actor.communities_as(Role.COMMUNITY_STAFF) else set()
    return _any(
        _in("subdistrict", actor.subdistricts_as(*_SUBDISTRICT_WIDE) | community_subdistricts),
        _in("pk", actor.teams),
    )


@rule("orgs.Team", Action.TEAM_CHANGE)
def _team_change(actor: Actor) -> Q | None:
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


def _people_in(subdistrict_ids: set[int], community_ids: set[int]) -> Q | None:
    """People who hold a role in, or work a grid of, these places."""
    from jusha.accounts.models import RoleAssignment
    from jusha.orgs.models import GridWorker

    parts = []
    if subdistrict_ids:
        parts.append(Q(pk__in=RoleAssignment.objects.filter(
            Q(subdistrict__in=subdistrict_ids) | Q(community__subdistrict__in=subdistrict_ids)
            | Q(member_unit__alliance__subdistrict__in=subdistrict_ids) | Q(team__subdistrict__in=subdistrict_ids)
        ).values("user")))
        parts.append(Q(pk__in=GridWorker.objects.filter(
            grids__community__subdistrict__in=subdistrict_ids).values("user")))
    if community_ids:
        parts.append(Q(pk__in=RoleAssignment.objects.filter(community__in=community_ids).values("user")))
        parts.append(Q(pk__in=GridWorker.objects.filter(grids__community__in=community_ids).values("user")))
    return _any(*parts)


@rule("accounts.User", Action.PERSON_VIEW)
def _person_view(actor: Actor) -> Q | None:
    return _any(
        _people_in(actor.subdistricts_as(Role.SUBDISTRICT_STAFF), actor.communities_as(Role.COMMUNITY_STAFF)),
        Q(pk=actor.user_id) if actor.user_id else None,
    )


@rule("accounts.User", Action.PERSON_REVEAL_MOBILE)
def _person_reveal(actor: Actor) -> Q | None:
    return _people_in(actor.subdistricts_as(Role.SUBDISTRICT_STAFF), actor.communities_as(Role.COMMUNITY_STAFF))


@rule("audit.AuditEntry", Action.AUDIT_VIEW)
def _audit_view(actor: Actor) -> Q | None:
    return _any(
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.SUPERVISOR)),
        _in("community", actor.communities_as(Role.COMMUNITY_STAFF)),
    )


@rule("notifications.Message", Action.MESSAGE_VIEW)
def _message_view(actor: Actor) -> Q | None:
    return Q(recipient=actor.user_id) if actor.user_id else None


@rule("places.Community", Action.ANNOUNCEMENT_SEND)
def _announce_to(actor: Actor) -> Q | None:
    return _any(
        _in("pk", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("notifications.Announcement", Action.ANNOUNCEMENT_VIEW)
def _announcement_view(actor: Actor) -> Q | None:
    if not actor.is_staff_member:
        return None
    return _any(
        Q(sent_by=actor.user_id),
        _in("community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("notifications.Delivery", Action.DELIVERY_VIEW, Action.DELIVERY_RESEND)
def _delivery_view(actor: Actor) -> Q | None:
    if not actor.is_staff_member:
        return None
    return _any(
        Q(message__sender=actor.user_id),
        _in("message__community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("message__community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


# --- needs ----------------------------------------------------------------------------------------
# Claims that let a unit see a need: offered to it, taken on, or done (not declined or given back).
_CLAIMS_SEEN = ("offered", "active", "done")


def _need_scope(actor: Actor, field: str = "") -> Q | None:
    """The needs `actor` may see; `field` prefixes the lookups for models that hang off a need."""
    from jusha.needs.models import Claim

    claims = None
    if actor.member_units:
        claims = Q(**{f"{field}pk__in": Claim.objects.filter(
            member_unit__in=actor.member_units, status__in=_CLAIMS_SEEN).values("need")})
    return _any(
        Q(**{f"{field}resident": actor.user_id}) if actor.user_id else None,
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
        claims,
    )


@rule("needs.Need", Action.NEED_VIEW)
def _need_view(actor: Actor) -> Q | None:
    return _need_scope(actor)


@rule("needs.NeedPhoto", Action.NEED_VIEW)
def _need_photo_view(actor: Actor) -> Q | None:
    return _need_scope(actor, "need__")


@rule("needs.Need", Action.NEED_BOARD_VIEW)
def _need_board(actor: Actor) -> Q | None:
    # Only open needs, and the board's selector hands out no name, phone or exact place.
    return Q(status="accepted") if actor.user_id else None


@rule("needs.Need", Action.NEED_TRIAGE)
def _need_triage(actor: Actor) -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    return _any(
        # Once escalated, a need is the subdistrict's to decide until it is sent back.
        Q(community__in=communities, level="community") if communities else None,
        _in("community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("needs.Need", Action.NEED_CLAIM)
def _need_claim(actor: Actor) -> Q | None:
    if actor.member_units:
        # A liaison claims for their unit (needs.services.need_claim), so their own volunteer record,
        # if any, does not widen this.
        from jusha.orgs.models import MemberUnit

        return Q(community__subdistrict__in=MemberUnit.objects.filter(pk__in=actor.member_units, is_active=True)
                 .values("alliance__subdistrict"))
    # An approved volunteer takes needs of the communities they serve (a suspended one none).
    return _in("community", actor.volunteer_area)


@rule("needs.Need", Action.NEED_CONFIRM, Action.NEED_REOPEN)
def _need_confirm(actor: Actor) -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    subdistricts = actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
    return _any(
        Q(resident=actor.user_id) if actor.user_id else None,
        # 代办: whoever may enter a need for a resident without a phone also confirms it for them.
        Q(on_behalf_by__isnull=False, community__in=communities) if communities else None,
        Q(on_behalf_by__isnull=False, community__subdistrict__in=subdistricts) if subdistricts else None,
    )


@rule("places.Community", Action.NEED_SUBMIT_ON_BEHALF, Action.WISH_MANAGE)
def _submit_on_behalf(actor: Actor) -> Q | None:
    return _any(
        _in("pk", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("needs.Claim", Action.CLAIM_HANDLE)
def _claim_handle(actor: Actor) -> Q | None:
    return _any(
        _in("member_unit", actor.member_units),
        Q(claimant=actor.user_id, member_unit__isnull=True) if actor.user_id else None,
    )


# --- resources ------------------------------------------------------------------------------------
# A draft is the unit's own work in progress: staff see a resource from the moment it is submitted.

@rule("resources.Resource", Action.RESOURCE_VIEW)
def _resource_view(actor: Actor) -> Q | None:
    from jusha.resources.models import Resource

    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    subdistricts = actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
    return _any(
        _in("member_unit", actor.member_units),
        Q(pk__in=Resource.objects.filter(service_area__in=communities).values("pk")) & ~Q(status="draft")
        if communities else None,
        Q(member_unit__alliance__subdistrict__in=subdistricts) & ~Q(status="draft") if subdistricts else None,
    )


@rule("resources.Resource", Action.RESOURCE_MANAGE)
def _resource_manage(actor: Actor) -> Q | None:
    return _in("member_unit", actor.member_units)


@rule("orgs.MemberUnit", Action.RESOURCE_MANAGE)
def _unit_resources_manage(actor: Actor) -> Q | None:
    return _in("pk", actor.member_units)


@rule("resources.Resource", Action.RESOURCE_REVIEW)
def _resource_review(actor: Actor) -> Q | None:
    # Approval is the alliance's decision, taken by the subdistrict that runs it: a resource often
    # serves several communities, so one community's staff do not approve it for the others.
    subdistricts = actor.subdistricts_as(Role.SUBDISTRICT_STAFF)
    return Q(member_unit__alliance__subdistrict__in=subdistricts) & ~Q(status="draft") if subdistricts else None


# --- micro-wishes ---------------------------------------------------------------------------------
_WISH_PUBLIC = ("published", "claimed", "contacted", "delivered", "fulfilled")
# Claims that let the claimer see the wish: live, or fulfilled by them.
_WISH_CLAIMS_SEEN = ("active", "contacted", "delivered", "done")


def _wish_manage_scope(actor: Actor, field: str = "") -> Q | None:
    return _any(
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


def _wish_scope(actor: Actor, field: str = "") -> Q | None:
    """The wishes `actor` may see in full: staff of the place, the beneficiary, and the claimer."""
    from jusha.wishes.models import WishClaim

    claims = None
    if actor.user_id:
        mine = Q(claimant=actor.user_id, member_unit__isnull=True) | (
            Q(member_unit__in=actor.member_units) if actor.member_units else Q(pk__in=[]))
        claims = Q(**{f"{field}pk__in": WishClaim.objects.filter(mine, status__in=_WISH_CLAIMS_SEEN)
                      .values("wish")})
    return _any(
        _wish_manage_scope(actor, field),
        Q(**{f"{field}beneficiary": actor.user_id}) if actor.user_id else None,
        claims,
    )


@rule("wishes.MicroWish", Action.WISH_MANAGE)
def _wish_manage(actor: Actor) -> Q | None:
    return _wish_manage_scope(actor)


@rule("wishes.MicroWish", Action.WISH_VIEW)
def _wish_view(actor: Actor) -> Q | None:
    return _wish_scope(actor)


@rule("wishes.WishPhoto", Action.WISH_VIEW)
def _wish_photo_view(actor: Actor) -> Q | None:
    return _wish_scope(actor, "wish__")


@rule("wishes.MicroWish", Action.WISH_WALL_VIEW)
def _wish_wall(actor: Actor) -> Q:
    # Public, even to anonymous visitors; the wall's selector hands out only the public fields.
    return Q(status__in=_WISH_PUBLIC)


@rule("wishes.MicroWish", Action.WISH_CLAIM)
def _wish_claim(actor: Actor) -> Q | None:
    return Q(status="published") if actor.user_id else None


@rule("wishes.MicroWish", Action.WISH_CONFIRM)
def _wish_confirm(actor: Actor) -> Q | None:
    # The beneficiary confirms themselves; staff confirm for a family without an account (or for anyone).
    return _any(Q(beneficiary=actor.user_id) if actor.user_id else None, _wish_manage_scope(actor))


@rule("wishes.WishClaim", Action.WISH_CLAIM_HANDLE)
def _wish_claim_handle(actor: Actor) -> Q | None:
    return _any(
        _in("member_unit", actor.member_units),
        Q(claimant=actor.user_id, member_unit__isnull=True) if actor.user_id else None,
    )


# --- service projects -----------------------------------------------------------------------------

def _project_units(actor: Actor, field: str = "") -> Q | None:
    """Projects the actor's units own or take part in (a subquery, so a project appears once)."""
    if not actor.member_units:
        return None
    from jusha.projects.models import ServiceProject

    return _any(_in(f"{field}owner", actor.member_units),
                Q(**{f"{field}pk__in": ServiceProject.units.through.objects.filter(
                    memberunit__in=actor.member_units).values("serviceproject")}))


def _project_scope(actor: Actor, field: str = "") -> Q | None:
    """The projects `actor` may see; `field` prefixes the lookups for models that hang off a project."""
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    covering = None
    if communities:
        from jusha.projects.models import ServiceProject

        covering = Q(**{f"{field}pk__in": ServiceProject.communities.through.objects.filter(
            community__in=communities).values("serviceproject")})
    return _any(
        _in(f"{field}alliance__subdistrict", actor.subdistricts_as(*_SUBDISTRICT_WIDE)),
        covering,
        _project_units(actor, field),
    )


@rule("projects.ServiceProject", Action.PROJECT_VIEW)
def _project_view(actor: Actor) -> Q | None:
    return _project_scope(actor)


@rule("projects.ProgressPhoto", Action.PROJECT_VIEW)
def _project_photo_view(actor: Actor) -> Q | None:
    return _project_scope(actor, "progress__project__")


@rule("projects.ServiceProject", Action.PROJECT_VIEW_PUBLIC)
def _project_public(actor: Actor) -> Q | None:
    if actor.user_id is None:
        return None
    # The year's service items once planned, and other projects once they run; never a cancelled one.
    return (Q(kind__in=["required", "optional"]) & ~Q(status="cancelled")) | Q(status__in=["active", "finished"])


@rule("projects.ServiceProject", Action.PROJECT_MANAGE)
def _project_manage(actor: Actor) -> Q | None:
    return _in("alliance__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("orgs.Alliance", Action.PROJECT_MANAGE)
def _alliance_plan(actor: Actor) -> Q | None:
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("projects.ServiceProject", Action.PROJECT_RECORD_PROGRESS)
def _project_record(actor: Actor) -> Q | None:
    return _any(_project_manage(actor), _project_units(actor))


# --- onboarding imports -----------------------------------------------------------------------------

@rule("places.Subdistrict", Action.IMPORT_RUN)
def _import_into(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("onboarding.ImportJob", Action.IMPORT_RUN)
def _import_job(actor: Actor) -> Q | None:
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


# --- cases ----------------------------------------------------------------------------------------

def _case_scope(actor: Actor, field: str = "") -> Q | None:
    """The cases `actor` may see; `field` prefixes the lookups for models that hang off a case."""
    from jusha.cases.models import Report

    return _any(
        Q(**{f"{field}pk__in": Report.objects.filter(reporter=actor.user_id).values("case")})
        if actor.user_id else None,
        _in(f"{field}community__subdistrict",
            actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR, Role.SUPERVISOR)),
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}team", actor.teams),
        _in(f"{field}grid", actor.grids),
        Q(**{f"{field}assignee": actor.user_id}) if actor.user_id and (actor.grids or actor.teams) else None,
    )


@rule("cases.Case", Action.CASE_VIEW)
def _case_view(actor: Actor) -> Q | None:
    return _case_scope(actor)


@rule("cases.CasePhoto", Action.CASE_VIEW)
def _case_photo_view(actor: Actor) -> Q | None:
    return _case_scope(actor, "case__")


@rule("cases.Case", Action.CASE_COMMAND)
def _case_command(actor: Actor) -> Q | None:
    return _in("community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR))


@rule("cases.Case", Action.CASE_HANDLE)
def _case_handle(actor: Actor) -> Q | None:
    # The task is the assignee's; a case sent to a team without a person is any of its members' to take.
    if not (actor.grids or actor.teams):
        return None
    return _any(
        Q(assignee=actor.user_id),
        Q(team__in=actor.teams, assignee__isnull=True) if actor.teams else None,
    )


@rule("cases.Case", Action.CASE_VERIFY)
def _case_verify(actor: Actor) -> Q | None:
    return _in("community__subdistrict", actor.subdistricts_as(Role.SUPERVISOR))


@rule("cases.Case", Action.CASE_RATE)
def _case_rate(actor: Actor) -> Q | None:
    from jusha.cases.models import Report

    if not actor.user_id:
        return None
    return Q(pk__in=Report.objects.filter(reporter=actor.user_id).values("case"))


# The indicators count by place only: unlike CASE_VIEW, a reporter's own cases or a team's tasks elsewhere
# never enter the figures, so a community's numbers are the same whoever of its staff reads them.
def _indicator_scope(actor: Actor, field: str = "") -> Q | None:
    return _any(_in(f"{field}community__subdistrict", actor.subdistricts_as(*_SUBDISTRICT_WIDE)),
                _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)))


@rule("cases.Case", Action.INDICATOR_VIEW)
def _indicator_cases(actor: Actor) -> Q | None:
    return _indicator_scope(actor)


@rule("places.Community", Action.INDICATOR_VIEW)
def _indicator_communities(actor: Actor) -> Q | None:
    return _any(_in("subdistrict", actor.subdistricts_as(*_SUBDISTRICT_WIDE)),
                _in("pk", actor.communities_as(Role.COMMUNITY_STAFF)))


@rule("cases.CaseEvent", Action.INDICATOR_VIEW)
@rule("cases.CaseDeadline", Action.INDICATOR_VIEW)
def _indicator_case_rows(actor: Actor) -> Q | None:
    return _indicator_scope(actor, "case__")


# --- the command screen (jusha/command) ------------------------------------------------------------
# By place only, like the indicators: the wall shows a subdistrict's cases, devices and field workers to
# everyone on duty for it, never a case someone happened to report or work elsewhere.

def _screen_subdistricts(actor: Actor) -> set[int]:
    return actor.subdistricts_as(*_SUBDISTRICT_WIDE)


@rule("cases.Case", Action.COMMAND_SCREEN)
def _screen_cases(actor: Actor) -> Q | None:
    return _in("community__subdistrict", _screen_subdistricts(actor))


@rule("cases.CaseEvent", Action.COMMAND_SCREEN)
def _screen_case_events(actor: Actor) -> Q | None:
    return _in("case__community__subdistrict", _screen_subdistricts(actor))


@rule("places.Community", Action.COMMAND_SCREEN)
@rule("devices.Device", Action.COMMAND_SCREEN)
def _screen_by_subdistrict(actor: Actor) -> Q | None:
    return _in("subdistrict", _screen_subdistricts(actor))


@rule("places.Grid", Action.COMMAND_SCREEN)
def _screen_grids(actor: Actor) -> Q | None:
    return _in("community__subdistrict", _screen_subdistricts(actor))


@rule("orgs.GridWorker", Action.COMMAND_SCREEN)
def _screen_grid_workers(actor: Actor) -> Q | None:
    return _in("grids__community__subdistrict", _screen_subdistricts(actor))


# --- devices --------------------------------------------------------------------------------------

@rule("devices.Device", Action.DEVICE_MANAGE)
@rule("devices.DetectionRule", Action.DEVICE_MANAGE)
def _device_manage(actor: Actor) -> Q | None:
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("places.Subdistrict", Action.DEVICE_MANAGE)
def _device_subdistrict(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("devices.Detection", Action.DETECTION_REVIEW)
def _detection_review(actor: Actor) -> Q | None:
    return _in("device__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR))


# --- volunteers -----------------------------------------------------------------------------------

def _volunteer_review_scope(actor: Actor) -> Q | None:
    return _any(
        _in("community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("volunteers.Volunteer", Action.VOLUNTEER_VIEW)
def _volunteer_view(actor: Actor) -> Q | None:
    return _any(
        Q(user=actor.user_id) if actor.user_id else None,
        _volunteer_review_scope(actor),
        # A liaison follows the records of the team they registered (not the identity number).
        _in("member_unit", actor.member_units),
    )


@rule("volunteers.Volunteer", Action.VOLUNTEER_EDIT)
def _volunteer_edit(actor: Actor) -> Q | None:
    return Q(user=actor.user_id) if actor.user_id else None


@rule("volunteers.Volunteer", Action.VOLUNTEER_REVIEW, Action.VOLUNTEER_REVEAL_ID)
def _volunteer_review(actor: Actor) -> Q | None:
    return _volunteer_review_scope(actor)


@rule("orgs.MemberUnit", Action.VOLUNTEER_REGISTER_TEAM)
def _volunteer_team(actor: Actor) -> Q | None:
    return _in("pk", actor.member_units)


# --- Open311 ------------------------------------------------------------------------------------

@rule("open311.ServiceRequest", Action.OPEN311_VIEW)
def _open311_view(actor: Actor) -> Q:
    # Published once it is in cases; an address-only request waiting to be placed has no id yet.
    return Q(report__isnull=False)


@rule("open311.ApiClient", Action.OPEN311_KEY_MANAGE)
def _open311_keys(actor: Actor) -> Q | None:
    # The keys are for the deployment's one Open311 endpoint, not for one subdistrict.
    return Q() if actor.subdistricts_as(Role.SUBDISTRICT_STAFF) else None


@rule("open311.ServiceRequest", Action.OPEN311_PLACE)
def _open311_place(actor: Actor) -> Q | None:
    # Not yet on the map, so in no subdistrict yet: every command center may place it.
    return Q() if actor.subdistricts_as(Role.SUBDISTRICT_STAFF, Role.COMMAND_OPERATOR) else None


# --- activities -----------------------------------------------------------------------------------

@rule("activities.Activity", Action.ACTIVITY_VIEW_PUBLIC)
def _activity_public(actor: Actor) -> Q:
    return Q(status="published")


@rule("activities.Activity", Action.SIGNUP_CREATE)
def _activity_sign_up(actor: Actor) -> Q | None:
    return Q(status="published") if actor.user_id else None


def _activity_manage_scope(actor: Actor, field: str = "") -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    return _any(
        _in(f"{field}subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
        Q(**{f"{field}organiser_kind": "community", f"{field}community__in": communities}) if communities else None,
        _in(f"{field}member_unit", actor.member_units),
    )


def _activity_view_scope(actor: Actor, field: str = "") -> Q | None:
    return _any(
        _activity_manage_scope(actor, field),
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        Q(**{f"{field}created_by": actor.user_id}) if actor.user_id else None,
    )


@rule("activities.Activity", Action.ACTIVITY_VIEW)
def _activity_view(actor: Actor) -> Q | None:
    return _activity_view_scope(actor)


@rule("activities.SignUp", Action.ACTIVITY_VIEW)
def _signup_view(actor: Actor) -> Q | None:
    return _any(_activity_view_scope(actor, "session__activity__"),
                Q(person=actor.user_id) if actor.user_id else None)


@rule("activities.Activity", Action.ACTIVITY_MANAGE)
def _activity_manage(actor: Actor) -> Q | None:
    return _activity_manage_scope(actor)


@rule("activities.Activity", Action.ACTIVITY_REVIEW)
def _activity_review(actor: Actor) -> Q | None:
    # A community's staff review what a community or a unit holds in their community; what the
    # subdistrict itself organises is the subdistrict's staff's to review.
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    return _any(
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
        Q(community__in=communities, organiser_kind__in=("community", "unit")) if communities else None,
    )


@rule("activities.SignUp", Action.SIGNUP_CANCEL)
def _signup_cancel(actor: Actor) -> Q | None:
    return Q(person=actor.user_id) if actor.user_id else None


@rule("places.Subdistrict", Action.ACTIVITY_ORGANISE)
def _organise_for_subdistrict(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("places.Community", Action.ACTIVITY_ORGANISE)
def _organise_for_community(actor: Actor) -> Q | None:
    return _any(
        _in("pk", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("orgs.MemberUnit", Action.ACTIVITY_ORGANISE)
def _organise_for_unit(actor: Actor) -> Q | None:
    return _any(
        _in("pk", actor.member_units),
        _in("alliance__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


# --- livelihood surveys ---------------------------------------------------------------------------

@rule("places.Subdistrict", Action.SURVEY_MANAGE)
def _survey_subdistrict(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("livelihood.Survey", Action.SURVEY_MANAGE)
def _survey_manage(actor: Actor) -> Q | None:
    # A survey speaks for the whole subdistrict, so only the subdistrict's staff word its questions.
    return _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("livelihood.Survey", Action.SURVEY_VIEW)
def _survey_view(actor: Actor) -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    served = None
    if communities:
        from jusha.places.models import Community

        served = Q(subdistrict__in=Community.objects.filter(pk__in=communities).values("subdistrict"))
    return _any(_in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)), served)


@rule("livelihood.Survey", Action.SURVEY_RESPOND)
def _survey_respond(actor: Actor) -> Q:
    # The period (opens_at, closes_at) is checked by the service, with a message saying which it is.
    return Q(status="open") if actor.user_id else Q(status="open", allow_anonymous=True)


def _visit_scope(actor: Actor, field: str = "") -> Q | None:
    return _any(
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}community__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("livelihood.FieldVisit", Action.SURVEY_VIEW)
def _visit_view(actor: Actor) -> Q | None:
    return _visit_scope(actor)


@rule("livelihood.VisitPhoto", Action.SURVEY_VIEW)
def _visit_photo_view(actor: Actor) -> Q | None:
    return _visit_scope(actor, "visit__")


@rule("places.Community", Action.VISIT_RECORD)
def _visit_where(actor: Actor) -> Q | None:
    return _any(
        _in("pk", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


# --- attendance and service hours ----------------------------------------------------------------

def _organiser(actor: Actor, field: str) -> Q | None:
    """The activities `actor` organises; `field` leads from the model to its activity."""
    return _any(
        Q(**{f"{field}created_by": actor.user_id}) if actor.user_id else None,
        _in(f"{field}member_unit", actor.member_units),
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
    )


@rule("activities.Session", Action.ATTENDANCE_MANAGE)
def _session_attendance(actor: Actor) -> Q | None:
    return _organiser(actor, "activity__")


@rule("activities.SignUp", Action.ATTENDANCE_MANAGE)
@rule("attendance.Attendance", Action.ATTENDANCE_MANAGE)
@rule("attendance.ServiceRecord", Action.ATTENDANCE_MANAGE)
def _attendance_manage(actor: Actor) -> Q | None:
    return _organiser(actor, "session__activity__")


@rule("attendance.CorrectionRequest", Action.ATTENDANCE_MANAGE)
def _correction_decide(actor: Actor) -> Q | None:
    return _organiser(actor, "record__session__activity__")


@rule("activities.SignUp", Action.ATTENDANCE_CHECK_IN)
def _check_in(actor: Actor) -> Q | None:
    return Q(person=actor.user_id, status="confirmed") if actor.user_id else None


@rule("attendance.ServiceRecord", Action.SERVICE_RECORD_VIEW)
def _record_view(actor: Actor) -> Q | None:
    return _any(Q(volunteer__user=actor.user_id) if actor.user_id else None,
                _organiser(actor, "session__activity__"))


@rule("attendance.ServiceRecord", Action.CORRECTION_REQUEST)
@rule("attendance.Certificate", Action.CERTIFICATE_VIEW)
def _own_records(actor: Actor) -> Q | None:
    return Q(volunteer__user=actor.user_id) if actor.user_id else None


# --- points ---------------------------------------------------------------------------------------

@rule("points.PointsAccount", Action.POINTS_VIEW)
def _points_view(actor: Actor) -> Q | None:
    from jusha.accounts.models import User

    staff = _people_in(actor.subdistricts_as(Role.SUBDISTRICT_STAFF), actor.communities_as(Role.COMMUNITY_STAFF))
    return _any(
        Q(person=actor.user_id) if actor.user_id else None,
        Q(person__in=User.objects.filter(staff).values("pk")) if staff is not None else None,
    )


@rule("accounts.User", Action.POINTS_AWARD)
def _points_award(actor: Actor) -> Q | None:
    return _people_in(actor.subdistricts_as(Role.SUBDISTRICT_STAFF), actor.communities_as(Role.COMMUNITY_STAFF))


@rule("places.Subdistrict", Action.POINTS_RULES)
def _points_rules(actor: Actor) -> Q | None:
    return _in("pk", actor.subdistricts_as(Role.SUBDISTRICT_STAFF))


@rule("places.Community", Action.POINTS_LEADERBOARD)
def _community_leaderboard(actor: Actor) -> Q | None:
    return _any(_in("pk", actor.communities_as(Role.COMMUNITY_STAFF)),
                _in("subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)))


@rule("orgs.MemberUnit", Action.POINTS_LEADERBOARD)
def _unit_leaderboard(actor: Actor) -> Q | None:
    return _any(_in("pk", actor.member_units),
                _in("alliance__subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)))


def _reward_scope(actor: Actor, field: str = "") -> Q | None:
    """The rewards `actor` keeps: the subdistrict's staff all of its, community staff those offered to
    their community, a liaison those their unit donated."""
    return _any(
        _in(f"{field}subdistrict", actor.subdistricts_as(Role.SUBDISTRICT_STAFF)),
        _in(f"{field}community", actor.communities_as(Role.COMMUNITY_STAFF)),
        _in(f"{field}member_unit", actor.member_units),
    )


@rule("points.Reward", Action.REWARD_MANAGE)
def _reward_manage(actor: Actor) -> Q | None:
    return _reward_scope(actor)


@rule("points.Reward", Action.REWARD_REDEEM)
def _reward_redeem(actor: Actor) -> Q | None:
    # Open rewards of the subdistricts a person lives in, and those for their own community.
    communities = actor.communities_as(Role.RESIDENT)
    if not communities:
        return None
    from jusha.places.models import Community

    subdistricts = Community.objects.filter(pk__in=communities).values("subdistrict")
    return Q(is_active=True) & (Q(community__in=communities)
                                | Q(community__isnull=True, subdistrict__in=subdistricts))


@rule("points.Redemption", Action.REDEMPTION_HANDLE)
def _redemption_handle(actor: Actor) -> Q | None:
    communities = actor.communities_as(Role.COMMUNITY_STAFF)
    from jusha.accounts.models import RoleAssignment

    return _any(
        _reward_scope(actor, "reward__"),
        # Community staff also hand out subdistrict-wide rewards to the residents of their community.
        Q(reward__community__isnull=True, person__in=RoleAssignment.objects.filter(
            role=Role.RESIDENT, community__in=communities).values("user")) if communities else None,
    )


@rule("points.Redemption", Action.REDEMPTION_VIEW)
def _redemption_view(actor: Actor) -> Q | None:
    return _any(Q(person=actor.user_id) if actor.user_id else None, _redemption_handle(actor))
