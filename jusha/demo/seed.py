"""The demo: a fictional subdistrict, 聚沙街道 in 钱塘区, with its places, alliance, teams and people.

Everything is drawn from fixed seeds, so every machine gets the same names, numbers and map; only
timestamps differ. Seeding is one transaction and happens once: when the demo subdistrict exists,
`seed_demo` adds nothing. Staff accounts share one password; residents log in by one-time code.
"""

import datetime
import random
import sys
import time
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _
from faker import Faker
from tqdm import tqdm

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.activities.demo import seed_activities
from jusha.activities.models import Activity
from jusha.attendance.demo import pay_attendance_points, seed_attendance
from jusha.attendance.models import Attendance, ServiceRecord
from jusha.audit.services import audit_record
from jusha.cases.demo import CASES, seed_cases
from jusha.cases.models import Case
from jusha.devices.demo import seed_devices
from jusha.livelihood.demo import seed_livelihood
from jusha.livelihood.models import Response as SurveyResponse
from jusha.needs.demo import seed_needs
from jusha.needs.models import Need
from jusha.onboarding.demo import seed_onboarding
from jusha.onboarding.models import ImportJob
from jusha.orgs.models import Alliance, GridWorker, MemberUnit, SubAlliance, Team
from jusha.places.models import Community, District, Grid, Subdistrict
from jusha.points.demo import seed_points
from jusha.points.models import Redemption, Reward
from jusha.projects.demo import seed_projects
from jusha.projects.models import ServiceProject
from jusha.resources.demo import seed_resources
from jusha.resources.models import Resource
from jusha.volunteers.demo import seed_volunteers
from jusha.volunteers.models import Volunteer
from jusha.wishes.demo import seed_wishes
from jusha.wishes.models import MicroWish

from . import names
from .geography import draw_map, to_geojson

SEED = 2026
DEMO_SUBDISTRICT_CODE = names.SUBDISTRICT[0]
DEMO_PASSWORD = "jusha-demo-2026"  # noqa: S105 (published on purpose: it is the demo's)
RESIDENT_MOBILE = "13800000000"
RESIDENTS = 2000
NEEDS = 3000  # a year of needs: about eight a day

# The fixed demo logins, one per role: (username, role). The resident logs in by mobile instead.
STAFF_LOGINS = [
    ("admin", Role.ADMINISTRATOR),
    ("subdistrict", Role.SUBDISTRICT_STAFF),
    ("community", Role.COMMUNITY_STAFF),
    ("operator", Role.COMMAND_OPERATOR),
    ("supervisor", Role.SUPERVISOR),
    ("team", Role.TEAM_MEMBER),
    ("gridworker", Role.GRID_WORKER),
    ("liaison", Role.UNIT_LIAISON),
]


@dataclass(frozen=True)
class DemoLogin:
    role: str  # a Role value
    login: str  # the username, or the resident's mobile
    secret: str  # the password, or where the one-time code appears
    who: str  # the person, and where they hold the role


@dataclass(frozen=True)
class DemoSummary:
    created: bool  # False when the demo subdistrict was already there
    counts: dict[str, int]
    logins: list[DemoLogin]
    seconds: float


class DemoRefused(Exception):
    """The database holds people or places of its own: the demo is only ever added to an empty one."""


def seed_demo(*, stdout=None, progress: bool = True, cases: int = CASES) -> DemoSummary:
    """Create the demo subdistrict unless it exists, then print what it holds and how to log in.

    `cases` is how many governance cases of the last year it adds (`jusha demo --cases N`).
    Refuses (DemoRefused) a database that has people or another subdistrict, so the demo's accounts
    and shared password never mix with a real deployment's.
    """
    out = stdout or sys.stdout
    started = time.monotonic()
    with transaction.atomic():
        created = not Subdistrict.objects.filter(code=DEMO_SUBDISTRICT_CODE).exists()
        if created and (Subdistrict.objects.exists() or User.objects.exists()):
            raise DemoRefused(_("This database already holds people or places, so the demo was not added. "
                                "Try the demo with an empty database."))
        if created:
            _DemoWorld(progress=progress, cases=cases).build()
    summary = DemoSummary(created=created, counts=demo_counts(), logins=demo_logins(),
                          seconds=round(time.monotonic() - started, 1))
    if created:
        message = _("Seeded the demo subdistrict %(name)s in %(seconds)s s.") % {
            "name": names.SUBDISTRICT[1], "seconds": summary.seconds}
    else:
        message = _("The demo subdistrict %(name)s (%(code)s) already exists; nothing was added.") % {
            "name": names.SUBDISTRICT[1], "code": DEMO_SUBDISTRICT_CODE}
    out.write(message + "\n" + format_counts(summary.counts) + format_logins(summary.logins))
    return summary


def demo_counts() -> dict[str, int]:
    """What the demo subdistrict holds (nothing when it is missing)."""
    sub = Subdistrict.objects.filter(code=DEMO_SUBDISTRICT_CODE).first()
    if sub is None:
        return {}
    return {
        "communities": Community.objects.filter(subdistrict=sub).count(),
        "grids": Grid.objects.filter(community__subdistrict=sub).count(),
        "member units": MemberUnit.objects.filter(alliance__subdistrict=sub).count(),
        "teams": Team.objects.filter(subdistrict=sub).count(),
        "grid workers": GridWorker.objects.filter(grids__community__subdistrict=sub).distinct().count(),
        "residents": RoleAssignment.objects.filter(role=Role.RESIDENT, community__subdistrict=sub).count(),
        "needs": Need.objects.filter(community__subdistrict=sub).count(),
        "resources": Resource.objects.filter(member_unit__alliance__subdistrict=sub).count(),
        "micro-wishes": MicroWish.objects.filter(community__subdistrict=sub).count(),
        "volunteers": Volunteer.objects.filter(community__subdistrict=sub).count(),
        "service projects": ServiceProject.objects.filter(alliance__subdistrict=sub).count(),
        "cases": Case.objects.filter(community__subdistrict=sub).count(),
        "activities": Activity.objects.filter(subdistrict=sub).count(),
        "service records": ServiceRecord.objects.filter(session__activity__subdistrict=sub).count(),
        "rewards": Reward.objects.filter(subdistrict=sub).count(),
        "redemptions": Redemption.objects.filter(reward__subdistrict=sub).count(),
        "survey responses": SurveyResponse.objects.filter(survey__subdistrict=sub).count(),
    }


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist in the database, in the order of STAFF_LOGINS, resident last."""
    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _role in STAFF_LOGINS])
             .prefetch_related("role_assignments__community", "role_assignments__subdistrict",
                               "role_assignments__team", "role_assignments__member_unit",
                               "grid_worker__grids")}
    logins = []
    for username, role in STAFF_LOGINS:
        user = users.get(username)
        if user is None:
            continue
        if role == Role.GRID_WORKER:
            worker = getattr(user, "grid_worker", None)
            where = "、".join(g.name for g in worker.grids.all()) if worker else ""
        else:
            where = next((str(ra.subdistrict or ra.community or ra.team or ra.member_unit or "")
                          for ra in user.role_assignments.all() if ra.role == role), "")
        logins.append(DemoLogin(role, username, DEMO_PASSWORD, f"{user.name} · {where}" if where else user.name))
    resident = (User.objects.filter(mobile=RESIDENT_MOBILE, role_assignments__role=Role.RESIDENT)
                .prefetch_related("role_assignments__community").first())
    if resident is not None:
        community = next(ra.community for ra in resident.role_assignments.all() if ra.role == Role.RESIDENT)
        logins.append(DemoLogin(Role.RESIDENT, RESIDENT_MOBILE, _("one-time code, printed in the server log"),
                                f"{resident.name} · {community.name}"))
    return logins


def format_counts(counts: dict[str, int]) -> str:
    labels = {
        "communities": Community._meta.verbose_name_plural,
        "grids": Grid._meta.verbose_name_plural,
        "member units": MemberUnit._meta.verbose_name_plural,
        "teams": Team._meta.verbose_name_plural,
        "grid workers": GridWorker._meta.verbose_name_plural,
        "residents": Role.RESIDENT.label,
        "needs": Need._meta.verbose_name_plural,
        "resources": Resource._meta.verbose_name_plural,
        "micro-wishes": MicroWish._meta.verbose_name_plural,
        "volunteers": Volunteer._meta.verbose_name_plural,
        "service projects": ServiceProject._meta.verbose_name_plural,
        "cases": Case._meta.verbose_name_plural,
        "activities": Activity._meta.verbose_name_plural,
        "service records": ServiceRecord._meta.verbose_name_plural,
        "rewards": Reward._meta.verbose_name_plural,
        "redemptions": Redemption._meta.verbose_name_plural,
        "survey responses": SurveyResponse._meta.verbose_name_plural,
    }
    return "".join(f"  {labels.get(key, key)}: {n}\n" for key, n in counts.items())


def format_logins(logins: list[DemoLogin]) -> str:
    if not logins:
        return ""
    rows = [(_("role"), _("Log in"), _("Password"), _("person"))]
    rows += [(str(Role(x.role).label), x.login, x.secret, x.who) for x in logins]
    widths = [max(_width(row[i]) for row in rows) for i in range(3)]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row[:3], widths, strict=True)) + "  " + row[3]
             for row in rows]
    lines.insert(1, "-" * (sum(widths) + 6 + max(_width(row[3]) for row in rows)))
    return "\n" + "\n".join(lines) + "\n"


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class _DemoWorld:
    """Builds the demo in one pass; each step bulk-creates its rows."""

    def __init__(self, *, progress: bool, cases: int):
        self.case_count = cases
        self.rng = random.Random(SEED)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(SEED)
        self.progress = progress
        self.used_mobiles = {RESIDENT_MOBILE}
        self.used_staff_names: set[str] = set()
        # One hash for every staff account: hashing is deliberately slow, and they share the password.
        self.password = make_password(DEMO_PASSWORD)

    def build(self) -> None:
        steps = [
            (Grid._meta.verbose_name_plural, self.places),
            (Alliance._meta.verbose_name, self.alliance),
            (Team._meta.verbose_name_plural, self.teams),
            (User._meta.verbose_name_plural, self.staff),
            (Resource._meta.verbose_name_plural, self.resources),
            (Role.RESIDENT.label, self.residents),
            (Need._meta.verbose_name_plural, self.needs),
            (MicroWish._meta.verbose_name_plural, lambda: seed_wishes(self.subdistrict)),
            (Volunteer._meta.verbose_name_plural, lambda: seed_volunteers(self.subdistrict,
                                                                          resident_mobile=RESIDENT_MOBILE)),
            (Reward._meta.verbose_name_plural, lambda: seed_points(self.subdistrict,
                                                                  resident_mobile=RESIDENT_MOBILE)),
            (ServiceProject._meta.verbose_name_plural, self.projects),
            (ImportJob._meta.verbose_name_plural, lambda: seed_onboarding(
                subdistrict=self.subdistrict, actor=User.objects.get(username="admin"))),
            (Case._meta.verbose_name_plural, self.cases),
            (Activity._meta.verbose_name_plural, lambda: seed_activities(self.subdistrict)),
            (SurveyResponse._meta.verbose_name_plural, lambda: seed_livelihood(
                self.subdistrict, resident_mobile=RESIDENT_MOBILE, seed=SEED)),
            # After the activities (it fills in their past sessions) and after the points step (whose
            # rules decide what attending and verified hours pay).
            (Attendance._meta.verbose_name_plural, self.attendance),
        ]
        with tqdm(total=len(steps), file=sys.stderr, disable=not self.progress, unit="step",
                  desc=names.SUBDISTRICT[1]) as bar:
            for label, step in steps:
                bar.set_postfix_str(str(label))
                step()
                bar.update()
        audit_record(actor=None, action="demo.seed", target=self.subdistrict, subdistrict_id=self.subdistrict.pk,
                     after=demo_counts())

    # --- places ---------------------------------------------------------------------------------

    def places(self) -> None:
        counts = self._grid_counts(len(names.COMMUNITIES), total=100)
        drawn = draw_map(self.rng, counts)
        district_code, district_name = names.DISTRICT
        district, _created = District.objects.get_or_create(code=district_code, defaults={"name": district_name})
        self.subdistrict = Subdistrict.objects.create(
            district=district, code=DEMO_SUBDISTRICT_CODE, name=names.SUBDISTRICT[1],
            boundary=to_geojson(drawn.boundary))
        self.communities = Community.objects.bulk_create([
            Community(subdistrict=self.subdistrict, code=f"{DEMO_SUBDISTRICT_CODE}{i:03d}", name=name,
                      kind=Community.Kind.VILLAGE if name in names.VILLAGES else Community.Kind.URBAN,
                      boundary=to_geojson(area.shape))
            for i, (name, area) in enumerate(zip(names.COMMUNITIES, drawn.communities, strict=True), start=1)
        ])
        self.community_area = {c.pk: a.shape.area for c, a in zip(self.communities, drawn.communities,
                                                                       strict=True)}
        self.grids = Grid.objects.bulk_create([
            Grid(community=community, code=f"{community.code}{j:03d}",
                 name=f"{community.name}第{names.NUMERALS[j - 1]}网格", boundary=to_geojson(area.shape))
            for community, inside in zip(self.communities, drawn.grids, strict=True)
            for j, area in enumerate(inside, start=1)
        ])

    def _grid_counts(self, communities: int, *, total: int) -> list[int]:
        """Four to six grids per community, `total` in all."""
        counts = [total // communities] * communities
        for _i in range(communities // 2):
            more, fewer = self.rng.sample(range(communities), 2)
            if counts[more] < 6 and counts[fewer] > 4:
                counts[more] += 1
                counts[fewer] -= 1
        return counts

    # --- alliance and teams -----------------------------------------------------------------------

    def alliance(self) -> None:
        self.the_alliance = Alliance.objects.create(subdistrict=self.subdistrict, name=names.ALLIANCE)
        self.sub_alliances = SubAlliance.objects.bulk_create([
            SubAlliance(alliance=self.the_alliance, community=c, name=f"{c.name}党建子联盟")
            for c in self.communities
        ])
        units = []
        for category, unit_names in self._unit_names().items():
            for name in unit_names:
                home = self.rng.randrange(len(self.communities))
                contact = self._staff_name()
                units.append(MemberUnit(
                    alliance=self.the_alliance, sub_alliance=self.sub_alliances[home], name=name,
                    category=category, contact_name=contact, contact_mobile=self._mobile(),
                    address=f"{names.SUBDISTRICT[1]}{self.rng.choice(names.ROADS)}{self.rng.randint(1, 999)}号",
                    joined_on=datetime.date(2019, 1, 1) + datetime.timedelta(days=self.rng.randrange(7 * 365)),
                ))
        self.units = MemberUnit.objects.bulk_create(units)
        through = MemberUnit.service_area.through
        rows = []
        for unit in self.units:
            home = unit.sub_alliance.community
            others = self.rng.sample([c for c in self.communities if c != home], self.rng.randint(0, 3))
            rows += [through(memberunit=unit, community=c) for c in [home, *others]]
        through.objects.bulk_create(rows)

    def _unit_names(self) -> dict[str, list[str]]:
        c = MemberUnit.Category
        schools = []
        while len(schools) < names.UNIT_COUNTS[c.SCHOOL]:
            stem = self.rng.choice(names.COMMUNITIES).removesuffix("社区").removesuffix("村")
            school = f"{stem}{self.rng.choice(names.SCHOOL_KINDS)}"
            if school not in schools:
                schools.append(school)
        social = []
        while len(social) < names.UNIT_COUNTS[c.SOCIAL_ORGANISATION]:
            org = f"{self.rng.choice(names.SOCIAL_STEMS)}{self.rng.choice(names.SOCIAL_KINDS)}"
            if org not in social:
                social.append(org)
        enterprises = []
        while len(enterprises) < names.UNIT_COUNTS[c.ENTERPRISE]:
            company = (f"{self.rng.choice(names.ENTERPRISE_PREFIXES)}{self.fake.company_prefix()}"
                       f"{self.fake.company_suffix()}")
            if company not in enterprises:
                enterprises.append(company)
        return {
            c.ENTERPRISE: enterprises,
            c.UNIVERSITY: names.UNIVERSITIES,
            c.SCHOOL: schools,
            c.HOSPITAL: names.HOSPITALS,
            c.SOCIAL_ORGANISATION: social,
            c.GOVERNMENT_DEPARTMENT: names.GOVERNMENT_DEPARTMENTS,
            c.OTHER: names.OTHER_UNITS,
        }

    def teams(self) -> None:
        self.the_teams = Team.objects.bulk_create([
            Team(subdistrict=self.subdistrict, kind=kind, name=name) for kind, name in names.TEAMS
        ])

    def attendance(self) -> None:
        seed_attendance(self.subdistrict, seed=SEED)
        pay_attendance_points(self.subdistrict)

    def projects(self) -> None:
        seed_projects(alliance=self.the_alliance)

    # --- people -----------------------------------------------------------------------------------

    def staff(self) -> None:
        users: list[User] = []
        roles: list[RoleAssignment] = []

        def person(username: str, role: Role | None = None, *, name: str | None = None,
                   mobile: str | None = None, **scope) -> User:
            user = User(username=username, name=name or self._staff_name(), mobile=mobile or self._mobile(),
                        password=self.password)
            users.append(user)
            if role is not None:
                roles.append(RoleAssignment(user=user, role=role, **scope))
            return user

        admin = person("admin", Role.ADMINISTRATOR, name="管理员")
        admin.is_staff = admin.is_superuser = True
        for username in ["subdistrict", "subdistrict2", "subdistrict3"]:
            person(username, Role.SUBDISTRICT_STAFF, subdistrict=self.subdistrict)
        for username in ["operator", "operator2"]:
            person(username, Role.COMMAND_OPERATOR, subdistrict=self.subdistrict)
        person("supervisor", Role.SUPERVISOR, subdistrict=self.subdistrict)
        for i, community in enumerate(self.communities):
            for n in (1, 2):
                username = "community" if (i, n) == (0, 1) else f"cs{community.code}-{n}"
                person(username, Role.COMMUNITY_STAFF, community=community)
        for team in self.the_teams:
            for n in (1, 2, 3):
                username = "team" if (team.kind, n) == (Team.Kind.INTEGRATED_BRIGADE, 1) else f"tm-{team.kind}-{n}"
                person(username, Role.TEAM_MEMBER, team=team)
        # Liaisons are their unit's contact person; the first is the first university's.
        first = next(u for u in self.units if u.category == MemberUnit.Category.UNIVERSITY)
        self.liaison_unit = first
        liaised = [first, *self.rng.sample([u for u in self.units if u != first], 19)]
        for n, unit in enumerate(liaised, start=1):
            person("liaison" if n == 1 else f"liaison{n:02d}", Role.UNIT_LIAISON, name=unit.contact_name,
                   mobile=unit.contact_mobile, member_unit=unit)
        # Grid workers hold their role through GridWorker rows, not a RoleAssignment.
        grid_users = [person("gridworker" if i == 0 else f"gw{grid.code}") for i, grid in enumerate(self.grids)]

        User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(roles)
        workers = GridWorker.objects.bulk_create([GridWorker(user=u) for u in grid_users])
        GridWorker.grids.through.objects.bulk_create([
            GridWorker.grids.through(gridworker=w, grid=g) for w, g in zip(workers, self.grids, strict=True)
        ])

    def resources(self) -> None:
        reviewer = User.objects.get(username="subdistrict")
        seed_resources(units=self.units, reviewer=reviewer, seed=SEED)

    def residents(self) -> None:
        # Villages are less dense than urban communities.
        weights = [self.community_area[c.pk] * (0.5 if c.kind == Community.Kind.VILLAGE else 1.0)
                   for c in self.communities]
        homes = [self.communities[0], *self.rng.choices(self.communities, weights=weights, k=RESIDENTS - 1)]
        mobiles = [RESIDENT_MOBILE, *(self._mobile() for _i in range(RESIDENTS - 1))]
        users = User.objects.bulk_create([
            User(mobile=mobile, name=self.fake.name(), password=make_password(None)) for mobile in mobiles
        ])
        RoleAssignment.objects.bulk_create([
            RoleAssignment(user=user, role=Role.RESIDENT, community=home)
            for user, home in zip(users, homes, strict=True)
        ])

    def needs(self) -> None:
        seed_needs(rng=self.rng, subdistrict=self.subdistrict, count=NEEDS, resident_mobile=RESIDENT_MOBILE,
                   featured_unit=self.liaison_unit)
    def cases(self) -> None:
        # Devices first: a year of cases includes their detections.
        seed_devices(self.subdistrict, seed=SEED)
        seed_cases(self.subdistrict, count=self.case_count, seed=SEED)

    def _mobile(self) -> str:
        while True:
            mobile = f"1{self.rng.choice('3456789')}{self.rng.randrange(10**9):09d}"
            if mobile not in self.used_mobiles:
                self.used_mobiles.add(mobile)
                return mobile

    def _staff_name(self) -> str:
        """A name no other staff member or contact person has, so staff lists are unambiguous."""
        while True:
            name = self.fake.name()
            if name not in self.used_staff_names:
                self.used_staff_names.add(name)
                return name
