"""Check-in and check-out by the organiser's signed, short-lived QR code, on the H5 page and by API:
expired, forged and misdirected codes, people without a confirmed place and second scans are refused
with their own code and change nothing; a geofence accepts positions in WGS-84, GCJ-02 and BD-09
within its radius and refuses others, or none."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse

from jusha.activities.models import SignUp
from jusha.attendance import services
from jusha.attendance.models import Attendance
from jusha.attendance.services import Position
from jusha.core.errors import DomainError
from jusha.places.coords import gcj02_to_bd09, wgs84_to_gcj02
from tests.attendance_helpers import SQUARE, at, make_activity, make_session, make_volunteer, sign_up, token


@pytest.fixture
def course(world, clock):
    clock.current = at(2026, 5, 1, 8, 30)
    activity = make_activity(world)
    session = make_session(activity, starts_at=at(2026, 5, 1, 9, 0))
    make_volunteer(world, world.wangfang)
    sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
    sign_up(session, world.zhangwei)
    return session


def refused(code, fn, **kwargs):
    with pytest.raises(DomainError) as caught:
        fn(**kwargs)
    assert caught.value.code == code
    assert not Attendance.objects.filter(checked_in_at__isnull=False).exists() or code in (
        "already_checked_in", "already_checked_out")


def test_checking_in_records_the_time_and_the_method(world, course):
    attendance = services.attendance_check_in(actor=world.zhangwei, session=course, token=token(course))
    assert attendance.status == "present" and attendance.check_in_method == "qr"
    assert attendance.checked_in_at == at(2026, 5, 1, 8, 30)


def test_an_expired_code_is_refused(world, course, settings):
    # The signer stamps the real time (not the test clock): make the code as if shown long ago.
    made = time.time() - settings.JUSHA_CHECKIN_TOKEN_SECONDS - 5
    with mock.patch("django.core.signing.time.time", return_value=made):
        stale = token(course)
    refused("token_expired", services.attendance_check_in, actor=world.zhangwei, session=course, token=stale)


def test_a_code_shown_a_moment_ago_still_works(world, course, settings):
    made = time.time() - settings.JUSHA_CHECKIN_TOKEN_SECONDS + 10
    with mock.patch("django.core.signing.time.time", return_value=made):
        recent = token(course)
    assert services.attendance_check_in(actor=world.zhangwei, session=course, token=recent).status == "present"


@pytest.mark.parametrize("forged", ["", "nonsense", "x" * 400])
def test_a_forged_code_is_refused(world, course, forged):
    refused("token_invalid", services.attendance_check_in, actor=world.zhangwei, session=course, token=forged)


def test_a_code_signed_with_another_salt_is_refused(world, course):
    other = signing.TimestampSigner(salt="another.purpose").sign_object({"s": course.pk, "p": "in"})
    refused("token_invalid", services.attendance_check_in, actor=world.zhangwei, session=course, token=other)


def test_a_code_tampered_to_name_another_session_is_refused(world, course):
    code = token(course)
    tampered = code.replace(code.split(":")[0], signing.b64_encode(b'{"s":999,"p":"in"}').decode())
    refused("token_invalid", services.attendance_check_in, actor=world.zhangwei, session=course, token=tampered)


def test_the_code_of_another_session_is_refused(world, course):
    other = make_session(course.activity, starts_at=at(2026, 5, 8, 9, 0))
    refused("token_wrong_session", services.attendance_check_in, actor=world.zhangwei, session=course,
            token=token(other))


def test_the_check_out_code_does_not_check_in_and_the_reverse(world, course):
    refused("token_wrong_purpose", services.attendance_check_in, actor=world.zhangwei, session=course,
            token=token(course, "out"))
    refused("token_wrong_purpose", services.attendance_check_out, actor=world.zhangwei, session=course,
            token=token(course, "in"))


def test_someone_without_a_confirmed_place_cannot_check_in(world, course):
    refused("not_signed_up", services.attendance_check_in, actor=world.lina, session=course, token=token(course))
    waiting = world.liuyang
    sign_up(course, waiting, status=SignUp.Status.WAITLISTED)
    refused("not_signed_up", services.attendance_check_in, actor=waiting, session=course, token=token(course))


def test_a_second_check_in_is_refused_and_keeps_the_first_time(world, course, clock):
    services.attendance_check_in(actor=world.zhangwei, session=course, token=token(course))
    clock.advance(minutes=10)
    refused("already_checked_in", services.attendance_check_in, actor=world.zhangwei, session=course,
            token=token(course))
    assert Attendance.objects.get().checked_in_at == at(2026, 5, 1, 8, 30)


def test_check_out_needs_a_check_in_and_happens_once(world, course, clock):
    refused("not_checked_in", services.attendance_check_out, actor=world.zhangwei, session=course,
            token=token(course, "out"))
    services.attendance_check_in(actor=world.zhangwei, session=course, token=token(course))
    clock.advance(hours=1)
    services.attendance_check_out(actor=world.zhangwei, session=course, token=token(course, "out"))
    refused("already_checked_out", services.attendance_check_out, actor=world.zhangwei, session=course,
            token=token(course, "out"))


def test_check_in_opens_before_the_start_and_closes_at_the_end(world, course, clock, settings):
    clock.current = course.starts_at - timedelta(minutes=settings.JUSHA_CHECKIN_EARLY_MINUTES + 1)
    refused("too_early", services.attendance_check_in, actor=world.zhangwei, session=course, token=token(course))
    clock.current = course.ends_at
    refused("session_over", services.attendance_check_in, actor=world.zhangwei, session=course, token=token(course))


# --- geofence ----------------------------------------------------------------------------------

@pytest.fixture
def fenced(world, clock):
    clock.current = at(2026, 5, 1, 9, 0)
    activity = make_activity(world, geofence_m=200)
    session = make_session(activity, starts_at=at(2026, 5, 1, 9, 0))
    sign_up(session, world.zhangwei)
    return session


def check_in_at(world, session, position):
    return services.attendance_check_in(actor=world.zhangwei, session=session, token=token(session),
                                        position=position)


def test_inside_the_geofence_in_wgs84(world, fenced):
    attendance = check_in_at(world, fenced, Position(SQUARE[0] + 0.001, SQUARE[1]))  # about 96 m east
    assert attendance.check_in_lng == pytest.approx(SQUARE[0] + 0.001)


def test_a_wechat_position_in_gcj02_is_converted_before_measuring(world, fenced):
    lng, lat = wgs84_to_gcj02(*SQUARE)
    # Taken as WGS-84, the GCJ-02 offset (hundreds of metres here) would put the phone outside.
    with pytest.raises(DomainError):
        check_in_at(world, fenced, Position(lng, lat, "wgs84"))
    attendance = check_in_at(world, fenced, Position(lng, lat, "gcj02"))
    assert attendance.check_in_lng == pytest.approx(SQUARE[0], abs=1e-6)


def test_a_baidu_position_in_bd09_is_converted_too(world, fenced):
    lng, lat = gcj02_to_bd09(*wgs84_to_gcj02(*SQUARE))
    assert check_in_at(world, fenced, Position(lng, lat, "bd09")).status == "present"


def test_outside_the_geofence_is_refused(world, fenced):
    refused("outside_geofence", check_in_at, world=world, session=fenced, position=Position(SQUARE[0] + 0.01,
                                                                                           SQUARE[1]))


def test_without_a_position_a_fenced_check_in_asks_for_location(world, fenced):
    refused("position_required", check_in_at, world=world, session=fenced, position=None)


@pytest.mark.parametrize(("lng", "lat", "crs"), [("abc", "30", None), ("200", "30", None), ("120", "30", "itrf")])
def test_a_garbled_position_is_refused(lng, lat, crs):
    with pytest.raises(DomainError) as caught:
        services.position_from(lng, lat, crs)
    assert caught.value.code == "invalid_position"


# --- the H5 page and the API ---------------------------------------------------------------------

def scan_url(session, purpose="in"):
    return reverse("attendance:scan", args=[session.pk, purpose])


def test_scanning_lands_on_a_page_that_checks_in_on_confirmation(client, world, course):
    client.force_login(world.zhangwei)
    code = token(course)
    page = client.get(scan_url(course), {"t": code})
    assert page.status_code == 200 and 'data-testid="scan-form"' in page.text
    assert not Attendance.objects.exists()
    done = client.post(scan_url(course), {"t": code})
    assert done.status_code == 200 and 'data-testid="scan-done"' in done.text
    assert Attendance.objects.get().status == "present"


def test_the_page_says_an_expired_or_wrong_code_at_once_without_a_button(client, world, course):
    client.force_login(world.zhangwei)
    page = client.get(scan_url(course, "out"), {"t": token(course, "in")})
    assert page.status_code == 400 and 'data-code="token_wrong_purpose"' in page.text
    assert 'data-testid="scan-form"' not in page.text


def test_the_page_asks_for_location_when_fenced_and_sends_it(client, world, fenced):
    client.force_login(world.zhangwei)
    page = client.get(scan_url(fenced), {"t": token(fenced)})
    assert "data-geofence=\"200\"" in page.text and "attendance/checkin.js" in page.text
    refused_page = client.post(scan_url(fenced), {"t": token(fenced)})
    assert refused_page.status_code == 400 and 'data-code="position_required"' in refused_page.text
    ok = client.post(scan_url(fenced), {"t": token(fenced), "lng": str(SQUARE[0]), "lat": str(SQUARE[1]),
                                        "crs": "wgs84"})
    assert ok.status_code == 200 and Attendance.objects.get().status == "present"


def test_an_anonymous_scan_goes_to_log_in_first(client, course):
    response = client.get(scan_url(course), {"t": token(course)})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_session_or_purpose_is_not_found(client, world, course):
    client.force_login(world.zhangwei)
    assert client.get(reverse("attendance:scan", args=[999999, "in"]), {"t": "x"}).status_code == 404
    assert client.get(reverse("attendance:scan", args=[course.pk, "sideways"]), {"t": "x"}).status_code == 404


def test_the_api_checks_in_and_out_with_codes_for_refusals(client, world, course, clock):
    client.force_login(world.wangfang)
    url = f"/api/attendance/sessions/{course.pk}/check-in"
    ok = client.post(url, {"token": token(course)}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "present"
    again = client.post(url, {"token": token(course)}, content_type="application/json")
    assert again.status_code == 400 and again.json()["code"] == "already_checked_in"
    clock.advance(hours=2)
    out = client.post(f"/api/attendance/sessions/{course.pk}/check-out", {"token": token(course, "out")},
                      content_type="application/json")
    assert out.status_code == 200 and out.json()["checked_out_at"]
    records = client.get("/api/attendance/records").json()
    # Checked in at 8:30 for a 9:00 start: the hours count from 9:00.
    assert [r["hours"] for r in records] == ["1.50"] and records[0]["status"] == "pending"


def test_the_api_needs_a_log_in_and_valid_input(client, world, course):
    url = f"/api/attendance/sessions/{course.pk}/check-in"
    assert client.post(url, {"token": token(course)}, content_type="application/json").status_code == 401
    client.force_login(world.zhangwei)
    assert client.post(url, {"token": token(course), "lng": 500, "lat": 30},
                       content_type="application/json").status_code == 422
    assert client.post(url, {"token": token(course), "crs": "itrf"}, content_type="application/json").status_code == 422
    missing = client.post("/api/attendance/sessions/999999/check-in", {"token": token(course)},
                          content_type="application/json")
    assert missing.status_code == 400 and missing.json()["code"] == "token_wrong_session"
