"""`jusha demo` on an empty database: the demo subdistrict 聚沙街道, seeded once for this module.

The seed runs inside a transaction that is rolled back after the module, so the rest of the suite
(whose world also uses the code 330114001) never sees it.
"""

import datetime
import io
import itertools
import random
import re
from collections import defaultdict

import pytest
import shapely
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Avg, Count

from jusha.accounts.models import MOBILE_RE, Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.core import clock
from jusha.demo.geography import draw_map, to_geojson
from jusha.demo.seed import DEMO_PASSWORD, RESIDENT_MOBILE, STAFF_LOGINS, seed_demo
from jusha.needs.models import Claim, Need, NeedEvent, Rating
from jusha.orgs.models import Alliance, GridWorker, MemberUnit, SubAlliance, Team
from jusha.places import lookup
from jusha.places.geometry import to_shape
from jusha.places.models import Community, District, Grid, Subdistrict

pytestmark = pytest.mark.django_db

TINY = 1e-10  # deg², about 1 m²


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("demo", no_serve=True, no_progress=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output):
    return Subdistrict.objects.get(code="330114001")


def table_sizes() -> dict[str, int]:
    models = [District, Subdistrict, Community, Grid, Alliance, SubAlliance, MemberUnit, Team, GridWorker,
              User, RoleAssignment, MemberUnit.service_area.through, GridWorker.grids.through, AuditEntry]
    return {m._meta.label: m.objects.count() for m in models}


def test_demo_command_prints_the_logins_and_the_url(demo_output):
    assert "http://127.0.0.1:8000/" in demo_output
    for username, _role in STAFF_LOGINS:
        assert username in demo_output
    assert RESIDENT_MOBILE in demo_output and DEMO_PASSWORD in demo_output


def test_the_demo_subdistrict_has_its_places(demo):
    assert demo.district.code == "330114" and demo.district.name == "钱塘区"
    communities = list(demo.communities.all())
    assert [c.code for c in communities] == [f"330114001{i:03d}" for i in range(1, 21)]
    assert communities[0].name == "智格社区"
    assert {c.kind for c in communities} == {Community.Kind.URBAN, Community.Kind.VILLAGE}
    grids = Grid.objects.filter(community__subdistrict=demo)
    assert 95 <= grids.count() <= 105
    for grid in grids.select_related("community"):
        assert re.fullmatch(rf"{grid.community.code}\d{{3}}", grid.code)
        assert grid.name.startswith(grid.community.name) and grid.name.endswith("网格")
    assert all(4 <= c.grids.count() <= 6 for c in communities)


def test_the_alliance_has_a_sub_alliance_per_community_and_units_of_every_category(demo):
    alliance = Alliance.objects.get(subdistrict=demo)
    assert alliance.name == "聚沙党建联盟"
    assert SubAlliance.objects.filter(alliance=alliance).count() == 20
    assert set(SubAlliance.objects.values_list("community", flat=True)) == set(
        demo.communities.values_list("pk", flat=True))
    units = list(MemberUnit.objects.filter(alliance=alliance).prefetch_related("service_area"))
    assert len(units) == 160
    assert {u.category for u in units} == set(MemberUnit.Category.values)
    for unit in units:
        assert unit.contact_name and re.fullmatch(MOBILE_RE, unit.contact_mobile)
        assert unit.sub_alliance_id is not None
        area = list(unit.service_area.all())
        assert 1 <= len(area) <= 4 and unit.sub_alliance.community in area


def test_there_is_one_team_of_each_kind(demo):
    teams = Team.objects.filter(subdistrict=demo)
    assert sorted(teams.values_list("kind", flat=True)) == sorted(Team.Kind.values)
    assert teams.get(kind=Team.Kind.INTEGRATED_BRIGADE).name == "综合管理大队"
    for team in teams:
        assert RoleAssignment.objects.filter(role=Role.TEAM_MEMBER, team=team).count() >= 2


def test_every_grid_has_a_grid_worker_and_every_grid_worker_a_grid(demo):
    grids = Grid.objects.filter(community__subdistrict=demo)
    workers = GridWorker.objects.filter(grids__in=grids).distinct()
    assert abs(workers.count() - grids.count()) <= 5
    assert not GridWorker.objects.filter(grids=None).exists()
    assert not grids.filter(grid_workers=None).exists()


def test_two_thousand_residents_each_with_a_unique_valid_mobile(demo):
    residents = RoleAssignment.objects.filter(role=Role.RESIDENT, community__subdistrict=demo)
    assert residents.count() == 2000
    mobiles = list(residents.values_list("user__mobile", flat=True))
    assert len(set(mobiles)) == 2000
    assert all(re.fullmatch(MOBILE_RE, m) for m in mobiles)
    assert residents.values("user").distinct().count() == 2000
    assert residents.values("community").distinct().count() == 20


def test_staff_per_community_and_subdistrict(demo):
    for community in demo.communities.all():
        assert RoleAssignment.objects.filter(role=Role.COMMUNITY_STAFF, community=community).count() == 2
    at_subdistrict = RoleAssignment.objects.filter(subdistrict=demo)
    assert at_subdistrict.filter(role=Role.SUBDISTRICT_STAFF).count() == 3
    assert at_subdistrict.filter(role=Role.COMMAND_OPERATOR).count() == 2
    assert at_subdistrict.filter(role=Role.SUPERVISOR).count() == 1
    assert RoleAssignment.objects.filter(role=Role.UNIT_LIAISON).count() == 20


def test_grids_are_valid_polygons_that_tile_their_community(demo):
    for community in demo.communities.prefetch_related("grids"):
        area = to_shape(community.boundary)
        assert area.geom_type == "Polygon"
        grids = [to_shape(g.boundary) for g in community.grids.all()]
        for grid in grids:
            assert grid.geom_type == "Polygon"
            assert grid.difference(area).area < TINY
        assert shapely.union_all(grids).symmetric_difference(area).area < TINY
    communities = [to_shape(c.boundary) for c in demo.communities.all()]
    assert shapely.union_all(communities).symmetric_difference(to_shape(demo.boundary)).area < TINY


def test_no_two_grids_overlap(demo):
    grids = [to_shape(b) for b in Grid.objects.filter(community__subdistrict=demo).values_list("boundary", flat=True)]
    tree = shapely.STRtree(grids)
    left, right = tree.query(grids, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    assert pairs  # neighbours touch
    assert max(grids[i].intersection(grids[j]).area for i, j in pairs) < TINY
    # About 8 km × 6 km near Xiasha.
    minx, miny, maxx, maxy = shapely.union_all(grids).bounds
    assert 120.25 < minx < maxx < 120.45 and 30.25 < miny < maxy < 30.36


def test_locate_finds_each_grid_from_a_point_inside_it(demo):
    for grid in Grid.objects.filter(community__subdistrict=demo):
        point = to_shape(grid.boundary).representative_point()
        location = lookup.locate(point.x, point.y)
        assert (location.grid_id, location.community_id) == (grid.pk, grid.community_id)


def test_seeding_again_adds_nothing(demo):
    before = table_sizes()
    summary = seed_demo(stdout=io.StringIO(), progress=False)
    assert not summary.created
    assert table_sizes() == before


def test_the_demo_is_not_added_to_a_database_with_data_of_its_own(demo):
    Subdistrict.objects.filter(pk=demo.pk).update(code="330114099")  # as if it were a real deployment's
    before = table_sizes()
    out = io.StringIO()
    call_command("demo", no_serve=True, no_progress=True, stdout=out)
    assert "http://127.0.0.1:8000/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("seed_demo", no_progress=True, stdout=io.StringIO())
    assert table_sizes() == before


def test_each_demo_login_holds_its_role(demo):
    zhige = demo.communities.get(name="智格社区")
    expected_scope = {
        Role.ADMINISTRATOR: {},
        Role.SUBDISTRICT_STAFF: {"subdistrict": demo},
        Role.COMMUNITY_STAFF: {"community": zhige},
        Role.COMMAND_OPERATOR: {"subdistrict": demo},
        Role.SUPERVISOR: {"subdistrict": demo},
        Role.TEAM_MEMBER: {"team": Team.objects.get(subdistrict=demo, kind=Team.Kind.INTEGRATED_BRIGADE)},
        Role.UNIT_LIAISON: {"member_unit__alliance__subdistrict": demo},
    }
    for username, role in STAFF_LOGINS:
        user = User.objects.get(username=username)
        if role == Role.GRID_WORKER:
            assert list(user.grid_worker.grids.all()) == [zhige.grids.order_by("code").first()]
        else:
            assert user.role_assignments.filter(role=role, **expected_scope[role]).exists(), username
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    resident = User.objects.get(mobile=RESIDENT_MOBILE)
    assert resident.role_assignments.filter(role=Role.RESIDENT, community=zhige).exists()
    assert not resident.has_usable_password()


def test_staff_log_in_with_the_demo_password(demo):
    for username, _role in STAFF_LOGINS:
        assert authenticate(username=username, password=DEMO_PASSWORD) == User.objects.get(username=username)
    assert authenticate(username="community", password="wrong-password") is None


def test_the_map_is_the_same_every_time():
    def drawn():
        m = draw_map(random.Random(7), [5] * 20)
        return [to_geojson(g.shape) for inside in m.grids for g in inside]

    assert drawn() == drawn()


def test_a_year_of_needs_across_every_stage(demo):
    needs = Need.objects.filter(community__subdistrict=demo)
    assert needs.count() == 3000
    statuses = set(needs.values_list("status", flat=True))
    assert statuses == set(Need.Status.values)
    oldest = needs.order_by("submitted_at").first().submitted_at
    assert clock.now() - oldest > datetime.timedelta(days=300)
    # Staff answer most needs within the ten-minute target.
    answered = [n.first_response_at - n.submitted_at for n in needs.exclude(first_response_at=None)]
    within = sum(d <= datetime.timedelta(minutes=10) for d in answered) / len(answered)
    assert 0.4 < within < 0.9
    assert all(d > datetime.timedelta(0) for d in answered)
    stars = Rating.objects.filter(need__community__subdistrict=demo).aggregate(avg=Avg("stars"))["avg"]
    assert 4.0 < stars < 5.0


def test_every_demo_need_has_a_timeline_that_adds_up(demo):
    events = defaultdict(list)
    for event in NeedEvent.objects.filter(need__community__subdistrict=demo).order_by("at", "id"):
        events[event.need_id].append(event)
    for need in Need.objects.filter(community__subdistrict=demo):
        timeline = events[need.pk]
        assert timeline[0].step == "submit" and timeline[0].at == need.submitted_at
        for before, after in itertools.pairwise(timeline):
            assert after.from_status == before.to_status and after.at >= before.at
        assert timeline[-1].to_status == need.status
    closed_by_units = Need.objects.filter(community__subdistrict=demo, status=Need.Status.CLOSED,
                                          claims__status=Claim.Status.DONE)
    assert closed_by_units.count() > 1000
    assert not Need.objects.filter(status=Need.Status.CLOSED, ratings=None, community__subdistrict=demo).exists()


def test_the_demo_resident_and_liaison_have_work_in_hand(demo):
    resident = User.objects.get(mobile=RESIDENT_MOBILE)
    assert {"submitted", "in_progress", "completed", "closed"} <= set(resident.needs.values_list("status", flat=True))
    liaison = User.objects.get(username="liaison")
    unit = liaison.role_assignments.get(role=Role.UNIT_LIAISON).member_unit
    assert unit.need_claims.filter(status=Claim.Status.OFFERED).count() >= 2
    assert unit.need_claims.filter(status=Claim.Status.ACTIVE).exists()


def test_most_member_units_offer_resources_and_most_are_approved(demo):
    from jusha.resources.models import Resource

    units = MemberUnit.objects.filter(alliance__subdistrict=demo)
    offering = units.filter(resources__isnull=False).distinct().count()
    assert offering >= 0.8 * units.count()
    resources = Resource.objects.filter(member_unit__alliance__subdistrict=demo)
    per_unit = {u.n for u in units.filter(resources__isnull=False).annotate(n=Count("resources"))}
    assert per_unit <= {1, 2, 3}
    statuses = set(resources.values_list("status", flat=True))
    assert statuses == {"approved", "submitted", "rejected"}
    assert resources.filter(status="approved").count() > 0.8 * resources.count()
    assert not resources.filter(categories__isnull=True).exists()
    assert not resources.filter(service_area__isnull=True).exists()

def test_micro_wishes_in_every_state_across_the_communities(demo):
    from jusha.wishes.models import MicroWish, WishClaim

    wishes = MicroWish.objects.filter(community__subdistrict=demo)
    assert set(wishes.values_list("status", flat=True)) == set(MicroWish.Status.values)
    assert wishes.values("community").distinct().count() == 20
    for status in ("claimed", "contacted", "delivered", "fulfilled"):
        assert all(w.live_claim or status == "fulfilled" for w in wishes.filter(status=status))
    assert WishClaim.objects.filter(wish__in=wishes, status="done").count() == wishes.filter(
        status="fulfilled").count()
    assert all(w.public_name.endswith("**") for w in wishes)


def test_the_alliance_has_this_years_five_required_and_five_optional_items_with_progress(demo):
    from jusha.projects.models import ProjectProgress, ServiceProject
    from jusha.projects.selectors import this_year

    projects = ServiceProject.objects.filter(alliance__subdistrict=demo)
    items = projects.filter(year=this_year()).exclude(kind="other")
    assert sorted(items.values_list("kind", "number")) == sorted(
        [(k, n) for k in ("optional", "required") for n in range(1, 6)])
    assert projects.filter(kind="other").count() >= 3
    # Items start within the first 75 days and report monthly, so by mid-April every one has progress.
    if datetime.date.today() >= datetime.date(this_year(), 4, 15):
        assert set(ProjectProgress.objects.filter(project__in=items).values_list("project", flat=True)) == set(
            items.values_list("pk", flat=True))
    liaison = User.objects.get(username="liaison").role_assignments.get().member_unit
    assert items.filter(owner=liaison).exists()


def test_the_demo_shows_one_finished_import_of_its_units(demo):
    from jusha.onboarding.models import ImportJob

    job = ImportJob.objects.get(subdistrict=demo)
    assert job.status == ImportJob.Status.DONE and job.kind == "units"


def test_the_demo_projects_bundle_approved_resources_of_their_units(demo):
    from jusha.projects.models import ServiceProject

    projects = ServiceProject.objects.filter(alliance__subdistrict=demo).prefetch_related(
        "units", "resources__member_unit")
    bundling = 0
    for project in projects:
        resources = list(project.resources.all())
        units = {project.owner_id, *(u.pk for u in project.units.all())}
        assert len(resources) <= 3
        assert all(r.status == "approved" and r.member_unit_id in units for r in resources)
        bundling += bool(resources)
    assert bundling >= len(projects) * 2 // 3


def test_the_demo_has_cameras_and_sensors_with_detections_to_review(demo):
    from jusha.devices.models import Detection, Device

    devices = Device.objects.filter(subdistrict=demo)
    assert devices.count() == 36 and devices.filter(kind="sensor").count() == 12
    assert devices.values("community").distinct().count() >= 15  # spread over the map
    assert Detection.objects.filter(device__in=devices, status="review").exists()


def test_a_year_of_cases_from_every_source_in_every_state(demo):
    from jusha.cases.demo import CASES
    from jusha.cases.models import Case, CaseDeadline

    cases = Case.objects.filter(community__subdistrict=demo)
    assert cases.count() == CASES
    assert set(cases.values_list("status", flat=True)) == set(Case.Status.values)
    assert set(cases.values_list("source", flat=True)) == {"resident", "patrol", "hotline", "camera", "sensor"}
    first = cases.order_by("reported_at").first().reported_at
    assert clock.now() - first > datetime.timedelta(days=360)
    closed = cases.filter(status="closed").count()
    assert closed > 0.8 * CASES and cases.filter(rework_count__gt=0).count() > 0.05 * closed
    assert CaseDeadline.objects.filter(case__in=cases, ended_at=None).exclude(overdue_at=None).exists()


def test_moving_a_demo_need_within_its_day_never_carries_it_past_now():
    from django.utils import timezone

    from jusha.needs.demo import _daytime

    now = datetime.datetime(2026, 11, 27, 14, 45, tzinfo=timezone.get_current_timezone())
    for seed in range(300):
        at = now - datetime.timedelta(minutes=30 + seed)
        assert _daytime(random.Random(seed), at, now=now) <= now - datetime.timedelta(minutes=30)


def test_two_hundred_volunteers_mostly_approved_with_unique_numbers_and_some_unit_teams(demo):
    from jusha.volunteers import idnumbers
    from jusha.volunteers.models import NumberSequence, Volunteer

    volunteers = list(Volunteer.objects.filter(community__subdistrict=demo))
    assert len(volunteers) == 200
    by_status = {s: sum(v.status == s for v in volunteers) for s in Volunteer.Status.values}
    assert by_status["approved"] > 120 and all(by_status[s] > 0 for s in Volunteer.Status.values)
    numbers = [v.number for v in volunteers if v.number]
    assert len(numbers) == len(set(numbers)) and all(v.number for v in volunteers if v.status == "approved")
    assert NumberSequence.objects.get(subdistrict=demo).last == len(numbers)
    assert any(v.member_unit_id for v in volunteers)
    sample = volunteers[0]
    assert idnumbers.unseal(sample.id_number_encrypted).endswith(sample.id_number_last4)
    assert Volunteer.objects.get(user__mobile=RESIDENT_MOBILE).status == "approved"
def test_a_year_of_activities_with_sessions_and_sign_ups_that_keep_the_rules(demo):
    from django.db.models import Q

    from jusha.activities.models import Activity, Session, SignUp

    activities = Activity.objects.filter(subdistrict=demo)
    assert activities.count() >= 60
    now = clock.now()
    starts = list(Session.objects.filter(activity__in=activities).values_list("starts_at", flat=True))
    assert min(starts) < now - datetime.timedelta(days=150) and max(starts) > now + datetime.timedelta(days=150)
    assert set(activities.values_list("kind", flat=True)) == set(Activity.Kind.values)
    titles = set(activities.values_list("title", flat=True))
    assert {"成长体验馆：小小田园家", "成长体验馆：小小银行家", "成长体验馆：小小工程师",
            "惠民课堂：太极拳入门"} <= titles
    taichi = activities.filter(title="惠民课堂：太极拳入门").first()
    assert taichi.sessions.count() == 6 and taichi.signup_scope == "course"
    assert {"published", "submitted"} <= set(activities.values_list("status", flat=True))
    sessions = Session.objects.filter(activity__in=activities).annotate(
        confirmed=Count("signups", filter=Q(signups__status="confirmed", signups__role="participant")))
    for session in sessions:
        assert session.confirmed == session.confirmed_count <= session.seats
    assert SignUp.objects.filter(session__activity__in=activities, status="waitlisted").exists()
    assert SignUp.objects.filter(session__activity__in=activities, role="volunteer", status="confirmed").exists()
    assert Activity.needs.through.objects.filter(activity__in=activities).exists()


def test_the_demo_has_points_a_donated_catalogue_and_redemptions_in_every_state(demo):
    from jusha.points.models import PointsRule, PointsTransaction, Redemption, Reward
    from tests.points_helpers import assert_books_balance

    rewards = Reward.objects.filter(subdistrict=demo)
    assert rewards.filter(member_unit__isnull=False).count() >= 10 and rewards.filter(member_unit=None).exists()
    assert PointsRule.objects.filter(subdistrict=demo, trigger="need_fulfilled", points__gt=0).exists()
    assert PointsTransaction.objects.filter(kind="award").count() >= 200
    assert PointsTransaction.objects.filter(trigger="need_fulfilled").exists()
    assert set(Redemption.objects.values_list("status", flat=True)) == {"ready", "picked_up", "cancelled"}
    assert Redemption.objects.filter(person__mobile=RESIDENT_MOBILE, status="ready").count() == 1
    assert_books_balance()


def test_this_years_survey_is_open_with_hundreds_of_responses_and_field_visits(demo):
    from jusha.livelihood.models import FieldVisit, Response, Survey
    from jusha.livelihood.results import survey_results

    survey = Survey.objects.get(subdistrict=demo)
    assert (survey.status, survey.year, survey.allow_anonymous) == ("open", clock.now().year, True)
    responses = Response.objects.filter(survey=survey)
    assert responses.count() >= 300
    assert set(responses.values_list("respondent_as", flat=True)) == set(Response.As.values)
    assert FieldVisit.objects.filter(survey=survey).count() >= 20
    # The demo logins have not answered, so whoever tries the demo can.
    assert not responses.filter(submitted_by__mobile=RESIDENT_MOBILE).exists()
    assert not responses.filter(submitted_by__username__in=["liaison", "community"]).exists()
    total, results = survey_results(survey, with_keywords=False)
    assert total == responses.count()
    assert all(r.answered for r in results)


def test_the_demo_has_attendance_verified_hours_and_the_points_they_paid(demo):
    from decimal import Decimal

    from django.db.models import Sum

    from jusha.attendance.models import Attendance, ServiceRecord
    from jusha.points.models import PointsTransaction
    from tests.points_helpers import assert_books_balance

    assert Attendance.objects.filter(session__activity__subdistrict=demo, status="present").exists()
    verified = ServiceRecord.objects.filter(session__activity__subdistrict=demo, status="verified")
    assert verified.exists() and ServiceRecord.objects.filter(status="pending").exists()
    assert verified.aggregate(h=Sum("hours"))["h"] > 0
    # Every verified record paid its volunteer the hours rule (10 a verified hour, rounded down), once.
    paid = {int(p.source_id): p for p in PointsTransaction.objects.filter(kind="award", trigger="hours")}
    paying = verified.filter(hours__gte=Decimal("0.1"))  # less than a tenth of an hour earns no whole point
    assert set(paid) == set(paying.values_list("pk", flat=True))
    for record in paying.select_related("volunteer"):
        assert paid[record.pk].person_id == record.volunteer.user_id
        assert paid[record.pk].amount == int(record.hours * 10)
    # Being present paid the activity kind's rule, once per attendance; nobody absent was paid.
    present = Attendance.objects.filter(status="present").count()
    kinds = ["lecture", "course", "youth_experience", "volunteer_service", "alliance_activity"]
    assert PointsTransaction.objects.filter(kind="award", trigger__in=kinds).count() == present
    assert_books_balance()
