"""Log-in: one-time codes for residents, passwords with lock-out for staff, idle session expiry."""

import re

import pytest
from django.test import override_settings

from jusha.accounts import services
from jusha.accounts.models import OneTimeCode, User
from jusha.core.errors import DomainError, RateLimited
from tests.conftest import PASSWORD

# Codes are sent after commit, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def code_from(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1].body).group(1)


def test_first_code_login_creates_a_resident_account(db, sent_texts, clock):
    services.code_request(mobile="139 1234 5678", ip="10.0.0.1")
    assert sent_texts[-1].to == "13912345678"
    user = services.code_login(mobile="13912345678", code=code_from(sent_texts), ip="10.0.0.1")
    assert user.mobile == "13912345678"
    assert User.objects.filter(mobile="13912345678").count() == 1


def test_code_is_stored_only_as_a_hash(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    code = code_from(sent_texts)
    assert not OneTimeCode.objects.filter(code_hash__contains=code).exists()


def test_code_expires_after_five_minutes(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    clock.advance(minutes=5, seconds=1)
    with pytest.raises(DomainError) as refused:
        services.code_login(mobile="13912345678", code=code_from(sent_texts), ip=None)
    assert refused.value.code == "code_expired"
    assert not User.objects.filter(mobile="13912345678").exists()


def test_code_works_once(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    code = code_from(sent_texts)
    services.code_login(mobile="13912345678", code=code, ip=None)
    with pytest.raises(DomainError):
        services.code_login(mobile="13912345678", code=code, ip=None)


def test_wrong_code_counts_down_the_tries_left(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    right = code_from(sent_texts)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1, 0):
        with pytest.raises(DomainError, match=f" {left} ") as refused:
            services.code_login(mobile="13912345678", code=wrong, ip=None)
        assert refused.value.code == "code_wrong"
    assert OneTimeCode.objects.get().attempts == 5
    assert not User.objects.filter(mobile="13912345678").exists()


def test_five_wrong_codes_lock_the_number_out_for_fifteen_minutes(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    right = code_from(sent_texts)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    for _ in range(5):
        with pytest.raises(DomainError):
            services.code_login(mobile="13912345678", code=wrong, ip=None)
    with pytest.raises(RateLimited):
        services.code_login(mobile="13912345678", code=right, ip=None)
    with pytest.raises(RateLimited):
        services.code_request(mobile="13912345678", ip=None)
    clock.advance(minutes=16)
    services.code_request(mobile="13912345678", ip=None)
    services.code_login(mobile="13912345678", code=code_from(sent_texts), ip=None)


def test_resend_waits_a_minute_and_at_most_five_codes_an_hour(db, sent_texts, clock):
    services.code_request(mobile="13912345678", ip=None)
    with pytest.raises(RateLimited) as wait:
        services.code_request(mobile="13912345678", ip=None)
    assert 0 < wait.value.retry_after <= 60
    for _ in range(4):
        clock.advance(seconds=61)
        services.code_request(mobile="13912345678", ip=None)
    clock.advance(seconds=61)
    with pytest.raises(RateLimited) as wait:
        services.code_request(mobile="13912345678", ip=None)
    assert wait.value.retry_after == 3600
    assert len(sent_texts) == 5
    clock.advance(hours=1)
    services.code_request(mobile="13912345678", ip=None)


@override_settings(JUSHA_CODE_PER_IP_PER_HOUR=3)
def test_codes_are_limited_per_network_address(db, sent_texts, clock):
    for n in range(3):
        services.code_request(mobile=f"1391234567{n}", ip="10.9.9.9")
    with pytest.raises(RateLimited):
        services.code_request(mobile="13912345679", ip="10.9.9.9")
    services.code_request(mobile="13912345679", ip="10.9.9.10")


@pytest.mark.parametrize("bad", ["", "12345", "23912345678", "1391234567x", "139123456789", "+1 2025550123"])
def test_malformed_mobile_is_refused_and_nothing_is_sent(db, sent_texts, bad):
    with pytest.raises(DomainError):
        services.code_request(mobile=bad, ip=None)
    assert sent_texts == []
    assert not OneTimeCode.objects.exists()


def test_code_login_through_the_api_sets_the_session(client, db, sent_texts):
    response = client.post("/api/auth/code", {"mobile": "13912345678"}, content_type="application/json")
    assert response.status_code == 202
    response = client.post("/api/auth/login", {"mobile": "13912345678", "code": code_from(sent_texts)},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["mobile_masked"] == "139****5678"
    assert client.get("/api/auth/me").json()["mobile_masked"] == "139****5678"


def test_api_answers_rate_limits_with_429_and_retry_after(client, db, sent_texts):
    client.post("/api/auth/code", {"mobile": "13912345678"}, content_type="application/json")
    response = client.post("/api/auth/code", {"mobile": "13912345678"}, content_type="application/json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "rate_limited"


def test_api_me_needs_a_session(client, db):
    assert client.get("/api/auth/me").status_code == 401


def test_code_login_page_end_to_end(client, db, sent_texts):
    response = client.post("/login/code/", {"mobile": "13912345678"})
    assert response.status_code == 200
    assert "验证码已通过短信发送" in response.content.decode()  # zh-Hans is the default language
    response = client.post("/login/", {"mobile": "13912345678", "code": code_from(sent_texts)})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 200


def test_wrong_code_on_the_page_shows_the_error_and_logs_nobody_in(client, db, sent_texts):
    client.post("/login/code/", {"mobile": "13912345678"})
    response = client.post("/login/", {"mobile": "13912345678", "code": "000000" if code_from(sent_texts) != "000000"
                                       else "111111"})
    assert response.status_code == 400
    assert client.get("/me/").status_code == 302


def test_staff_password_login_and_lock_out(client, world, clock):
    for _ in range(5):
        response = client.post("/login/staff/", {"username": "lina", "password": "wrong-password"})
        assert response.status_code == 400
    # Even the right password is refused while locked.
    response = client.post("/login/staff/", {"username": "lina", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/console/").status_code == 302
    clock.advance(minutes=16)
    response = client.post("/login/staff/", {"username": "lina", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/console/").status_code == 200


def test_django_admin_login_is_locked_out_too(client, world, clock):
    for _ in range(5):
        client.post("/admin/login/", {"username": "admin", "password": "nope-nope-nope"})
    response = client.post("/admin/login/?next=/admin/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect into the admin
    assert client.get("/admin/").status_code == 302


def test_session_expires_after_inactivity(client, world, settings):
    client.post("/login/staff/", {"username": "lina", "password": PASSWORD})
    assert settings.SESSION_SAVE_EVERY_REQUEST
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE == 30 * 60
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/console/").status_code == 302
