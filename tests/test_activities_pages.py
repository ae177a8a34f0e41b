"""The pages and the API: finding a tai chi course, one-tap sign-up and cancel (htmx swaps the row),
my activities and my calendar feed (revocable), the community's feed, the console from a draft to
the roster, and the JSON API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar

from jusha.activities import services
from jusha.activities.models import Activity, FeedToken, SignUp
from tests.activities_helpers import at_start, first_session, local, published, residents

C, W = SignUp.Status.CONFIRMED, SignUp.Status.WAITLISTED


@pytest.fixture(autouse=True)
def start(clock):
    at_start(clock)


@pytest.fixture
def taichi(world):
    return published(world, weeks=6, seats=1, title="太极拳入门", first=local("2026-05-09T09:00"),
                     description="六周太极拳课程")


@pytest.fixture
def lecture(world):
    return published(world, title="健康讲座", kind=Activity.Kind.LECTURE, first=local("2026-05-10T14:00"))


def test_anyone_finds_a_tai_chi_course_by_words_kind_and_community(client, world, taichi, lecture):
    page = client.get(reverse("activities:list"))
    assert page.status_code == 200
    assert [a.pk for a in page.context["activities"]] == [taichi.pk, lecture.pk]  # the soonest first
    found = client.get(reverse("activities:list"), {"q": "太极"})
    assert [a.pk for a in found.context["activities"]] == [taichi.pk]
    by_kind = client.get(reverse("activities:list"), {"kind": "lecture"})
    assert [a.pk for a in by_kind.context["activities"]] == [lecture.pk]
    elsewhere = client.get(reverse("activities:list"), {"community": world.yanlan.pk})
    assert list(elsewhere.context["activities"]) == []
    partial = client.get(reverse("activities:list"), {"q": "太极"}, headers={"HX-Request": "true",
                                                                            "HX-Target": "results"})
    assert b"<html" not in partial.content and reverse("activities:detail", args=[taichi.pk]).encode() in \
        partial.content


def test_the_list_runs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    for i in range(5):
        published(world, title=f"课程{i}", weeks=3)
    with django_assert_max_num_queries(8):
        client.get(reverse("activities:list"))


def test_a_draft_is_not_found_publicly(client, world):
    from tests.activities_helpers import draft

    activity = draft(world)
    assert client.get(reverse("activities:detail", args=[activity.pk])).status_code == 404


def test_one_tap_sign_up_and_cancel_swap_the_sessions(client, world, lecture):
    session = first_session(lecture)
    client.force_login(world.wangfang)
    detail = client.get(reverse("activities:detail", args=[lecture.pk]))
    assert detail.status_code == 200 and b'data-testid="sign-up"' in detail.content
    answer = client.post(reverse("activities:sign_up", args=[session.pk]), headers={"HX-Request": "true"})
    assert answer.status_code == 200 and b"<html" not in answer.content
    assert b'data-state="confirmed"' in answer.content
    signup = SignUp.objects.get(person=world.wangfang)
    answer = client.post(reverse("activities:cancel", args=[signup.pk]), headers={"HX-Request": "true"})
    assert b'data-state="open"' in answer.content
    assert SignUp.objects.get(pk=signup.pk).status == SignUp.Status.CANCELLED


def test_a_refused_sign_up_shows_why_in_the_row(client, world, clock):
    first = published(world, first=local("2026-05-09T09:00"), hours=2)
    other = published(world, title="手机摄影", first=local("2026-05-09T10:00"))
    services.signup_create(actor=world.wangfang, session=first_session(first))
    client.force_login(world.wangfang)
    answer = client.post(reverse("activities:sign_up", args=[first_session(other).pk]),
                         headers={"HX-Request": "true"})
    assert answer.status_code == 400 and b'data-testid="signup-error"' in answer.content
    plain = client.post(reverse("activities:sign_up", args=[first_session(other).pk]))
    assert plain.status_code == 400 and b"<html" in plain.content


def test_anonymous_sign_up_goes_to_log_in(client, lecture):
    answer = client.post(reverse("activities:sign_up", args=[first_session(lecture).pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_a_whole_course_is_one_tap_and_my_activities_lists_it(client, world, taichi):
    Activity.objects.filter(pk=taichi.pk).update(signup_scope=Activity.SignupScope.COURSE)
    client.force_login(world.wangfang)
    answer = client.post(reverse("activities:sign_up", args=[first_session(taichi).pk]))
    assert answer.status_code == 302
    assert SignUp.objects.filter(person=world.wangfang, status=C).count() == 6
    mine = client.get(reverse("activities:mine"))
    assert mine.content.decode().count('data-testid="my-signup"') == 6


def test_my_calendar_feed_lists_my_sign_ups_in_shanghai_time_and_can_be_revoked(client, world, taichi):
    services.signup_create(actor=world.zhangwei, session=first_session(taichi))
    services.signup_create(actor=world.wangfang, session=first_session(taichi))
    client.force_login(world.wangfang)
    client.post(reverse("activities:feed"))
    token = FeedToken.objects.get(user=world.wangfang)
    client.logout()
    feed = client.get(reverse("activities:person_feed", args=[token.token]))
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(feed.content)
    [event] = cal.walk("VEVENT")
    assert str(event["summary"]) == "太极拳入门"
    assert event.decoded("dtstart") == local("2026-05-09T09:00")
    assert str(event["dtstart"].params["TZID"]) == "Asia/Shanghai"
    assert str(event["status"]) == "TENTATIVE"  # 王芳 is on the waiting list
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    client.force_login(world.wangfang)
    client.post(reverse("activities:feed"), {"reset": "1"})
    assert client.get(reverse("activities:person_feed", args=[token.token])).status_code == 404
    fresh = FeedToken.objects.get(user=world.wangfang)
    assert fresh.token != token.token
    assert client.get(reverse("activities:person_feed", args=[fresh.token])).status_code == 200


def test_the_community_feed_has_its_public_sessions_to_come(client, world, taichi, lecture):
    from tests.activities_helpers import draft

    draft(world, title="草稿")
    feed = client.get(reverse("activities:community_feed", args=[world.zhige.code]))
    cal = Calendar.from_ical(feed.content)
    events = cal.walk("VEVENT")
    assert len(events) == 7
    assert {str(e["summary"]) for e in events} == {"太极拳入门", "健康讲座"}
    assert all(str(e["uid"]).startswith("activity-session-") for e in events)
    assert client.get(reverse("activities:community_feed", args=["000"])).status_code == 404
    assert len(Calendar.from_ical(client.get(reverse("activities:community_feed", args=[world.yanlan.code]))
                                  .content).walk("VEVENT")) == 0


def test_staff_write_submit_review_and_read_the_roster_in_the_console(client, world):
    client.force_login(world.lina)
    answer = client.post(reverse("activities_console:new"), {
        "organiser": f"c:{world.zhige.pk}", "kind": "course", "title": "手机摄影", "place_name": "智格社区活动室",
        "seats": "1", "signup_scope": "session", "cancel_hours": "2"})
    assert answer.status_code == 302
    activity = Activity.objects.get(title="手机摄影")
    answer = client.post(reverse("activities_console:add_sessions", args=[activity.pk]), {
        "starts_at": "2026-05-09T19:00", "ends_at": "2026-05-09T20:30", "weeks": "2"})
    assert answer.status_code == 302 and activity.sessions.count() == 2
    assert client.post(reverse("activities_console:act", args=[activity.pk, "submit"])).status_code == 302
    client.force_login(world.liuyang)
    queue = client.get(reverse("activities_console:review"))
    assert [a.pk for a in queue.context["activities"]] == [activity.pk]
    assert client.post(reverse("activities_console:act", args=[activity.pk, "publish"])).status_code == 302
    a, b = residents(world, 2)
    services.signup_create(actor=a, session=first_session(activity))
    services.signup_create(actor=b, session=first_session(activity))
    page = client.get(reverse("activities_console:detail", args=[activity.pk]))
    [(session, confirmed, waiting), _second] = page.context["roster"]
    assert ([s.person for s in confirmed], [s.person for s in waiting]) == ([a], [b])
    assert client.get(reverse("activities_console:list")).status_code == 200


def test_the_console_refuses_a_bad_session_with_the_reason(client, world):
    from tests.activities_helpers import draft

    activity = draft(world)
    client.force_login(world.lina)
    answer = client.post(reverse("activities_console:add_sessions", args=[activity.pk]), {
        "starts_at": "2026-05-09T19:00", "ends_at": "2026-05-09T18:00", "weeks": "1"})
    assert answer.status_code == 400 and activity.sessions.count() == 0


def test_outsiders_do_not_find_the_console_pages(client, world, taichi):
    for person in (world.chenjing, world.wangfang, world.zhaolei):
        client.force_login(person)
        assert client.get(reverse("activities_console:detail", args=[taichi.pk])).status_code == 404


def test_a_course_started_from_needs_preselects_them(client, world):
    from jusha.needs.models import Need, NeedCategory

    category = NeedCategory.objects.create(code="culture", name="文体", name_en="culture")
    need = Need.objects.create(resident=world.wangfang, community=world.zhige, category=category, text="想学太极",
                               status=Need.Status.ACCEPTED, submitted_at=local("2026-05-01T09:00"))
    client.force_login(world.lina)
    page = client.get(reverse("activities_console:new"), {"needs": str(need.pk)})
    assert page.context["form"].initial["needs"] == [need.pk]
    answer = client.post(reverse("activities_console:new"), {
        "organiser": f"c:{world.zhige.pk}", "kind": "course", "title": "太极", "place_name": "活动室", "seats": "20",
        "signup_scope": "course", "cancel_hours": "2", "needs": [str(need.pk)]})
    assert answer.status_code == 302
    need_page = client.get(reverse("needs_console:detail", args=[need.pk]))
    assert [a.title for a in need_page.context["activities"]] == ["太极"]


# --- the API -----------------------------------------------------------------------------------------

def test_the_api_lists_signs_up_and_cancels(client, world, lecture, taichi):
    listed = client.get("/api/activities", {"q": "讲座"}).json()
    assert [a["id"] for a in listed] == [lecture.pk]
    one = client.get(f"/api/activities/{taichi.pk}").json()
    assert len(one["sessions"]) == 6
    session_id = one["sessions"][0]["id"]
    assert client.post(f"/api/activities/sessions/{session_id}/sign-up", {}, content_type="application/json") \
        .status_code == 401
    client.force_login(world.wangfang)
    made = client.post(f"/api/activities/sessions/{session_id}/sign-up", {}, content_type="application/json")
    assert made.status_code == 201 and made.json()[0]["status"] == "confirmed"
    again = client.post(f"/api/activities/sessions/{session_id}/sign-up", {}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (400, "already_signed_up")
    mine = client.get("/api/activities/mine").json()
    assert [s["session"]["id"] for s in mine] == [session_id]
    cancelled = client.post(f"/api/activities/sign-ups/{mine[0]['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()[0]["status"] == "cancelled"
    client.force_login(world.zhangwei)
    assert client.post(f"/api/activities/sign-ups/{mine[0]['id']}/cancel").status_code == 404


def test_the_api_hides_drafts_and_refuses_late_cancellation(client, world, clock, lecture):
    from tests.activities_helpers import draft

    hidden = draft(world)
    assert client.get(f"/api/activities/{hidden.pk}").status_code == 404
    client.force_login(world.wangfang)
    session = first_session(lecture)
    [made] = services.signup_create(actor=world.wangfang, session=session)
    clock.current = session.starts_at - timedelta(hours=1)
    late = client.post(f"/api/activities/sign-ups/{made.pk}/cancel")
    assert (late.status_code, late.json()["code"]) == (400, "too_late")


def test_a_course_under_way_is_booked_from_its_next_session(client, world, clock, taichi):
    Activity.objects.filter(pk=taichi.pk).update(signup_scope=Activity.SignupScope.COURSE)
    clock.current = local("2026-05-09T09:30")  # the first week has started
    client.force_login(world.wangfang)
    page = client.get(reverse("activities:detail", args=[taichi.pk]))
    rows = page.context["rows"]
    assert [r.lead for r in rows] == [False, True, False, False, False, False]
    assert page.content.decode().count('data-testid="sign-up"') == 1
    client.post(reverse("activities:sign_up", args=[rows[1].pk]))
    assert SignUp.objects.filter(person=world.wangfang).count() == 5


def test_an_approved_volunteer_gets_the_help_button(client, world):
    from datetime import date

    from jusha.volunteers.models import Volunteer

    activity = published(world, title="清洁日", kind=Activity.Kind.VOLUNTEER_SERVICE)
    services.volunteer_slot_add(actor=world.lina, activity=activity, count=2, skill="cleaning")
    client.force_login(world.wangfang)
    assert b'data-testid="volunteer"' not in client.get(reverse("activities:detail", args=[activity.pk])).content
    Volunteer.objects.create(user=world.wangfang, number="V00001", status=Volunteer.Status.APPROVED, name="王芳",
                             gender="female", birth_month=date(1980, 1, 1), mobile="13800000001",
                             skills=["cleaning"], community=world.zhige, applied_at=local("2026-01-01T09:00"))
    page = client.get(reverse("activities:detail", args=[activity.pk]))
    assert b'data-testid="volunteer"' in page.content
    client.post(reverse("activities:sign_up", args=[first_session(activity).pk]), {"role": "volunteer"})
    assert SignUp.objects.get(person=world.wangfang).role == SignUp.Role.VOLUNTEER
