"""The staff console: scoped lists, masked numbers, audited reveal, the audit browser."""

import pytest

from jusha.accounts.models import mask_mobile
from jusha.audit.models import AuditEntry
from tests.conftest import PASSWORD


def login(client, username):
    assert client.post("/login/staff/", {"username": username, "password": PASSWORD}).status_code == 302


def test_mask_mobile():
    assert mask_mobile("13812341234") == "138****1234"
    assert mask_mobile("") == ""
    assert mask_mobile(None) == ""


def test_community_staff_see_only_their_community_people(client, world):
    login(client, "lina")
    page = client.get("/console/people/").content.decode()
    assert "王芳" in page
    assert "张伟" not in page and "陈静" not in page


def test_numbers_are_masked_in_staff_lists(client, world):
    login(client, "liuyang")
    page = client.get("/console/people/").content.decode()
    assert "138****0001" in page
    assert "13800000001" not in page


def test_people_list_runs_a_bounded_number_of_queries(client, world, django_assert_max_num_queries):
    login(client, "liuyang")
    with django_assert_max_num_queries(15):
        assert client.get("/console/people/").status_code == 200


def test_people_filter_returns_the_partial_for_htmx(client, world):
    login(client, "liuyang")
    response = client.get("/console/people/", {"community": world.yanlan.pk},
                          headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "张伟" in body and "王芳" not in body


def test_reveal_shows_the_number_and_writes_an_audit_entry(client, world):
    login(client, "lina")
    response = client.post(f"/console/people/{world.wangfang.pk}/reveal-mobile/")
    assert response.status_code == 200
    assert response.content.decode().strip() == "13800000001"
    entry = AuditEntry.objects.get(action="accounts.mobile_reveal")
    assert entry.actor == world.lina
    assert entry.target_id == str(world.wangfang.pk)
    assert entry.community_id == world.zhige.pk
    assert entry.ip == "127.0.0.1"


def test_reveal_of_another_community_looks_like_not_found_and_is_not_logged(client, world):
    login(client, "lina")
    assert client.post(f"/console/people/{world.zhangwei.pk}/reveal-mobile/").status_code == 404
    assert not AuditEntry.objects.filter(action="accounts.mobile_reveal").exists()


@pytest.mark.parametrize("username", ["zhaolei", "wugang", "zhengli"])
def test_staff_without_the_permission_cannot_reveal(client, world, username):
    login(client, username)
    assert client.post(f"/console/people/{world.wangfang.pk}/reveal-mobile/").status_code == 404


def test_reveal_needs_post(client, world):
    login(client, "lina")
    assert client.get(f"/console/people/{world.wangfang.pk}/reveal-mobile/").status_code == 405


def test_residents_cannot_open_the_console(client, world, sent_texts):
    client.force_login(world.wangfang)
    assert client.get("/console/").status_code == 404
    assert client.get("/console/people/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_staff_login(client, world):
    response = client.get("/console/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/staff/")


def test_audit_log_is_filtered_and_scoped(client, world):
    login(client, "lina")
    client.post(f"/console/people/{world.wangfang.pk}/reveal-mobile/")
    login(client, "chenjing")
    page = client.get("/console/audit/").content.decode()
    assert "accounts.mobile_reveal" not in page
    assert "李娜" not in page
    login(client, "liuyang")
    page = client.get("/console/audit/", {"action": "accounts.mobile_reveal"}).content.decode()
    assert "李娜" in page


def test_audit_log_is_not_for_operators(client, world):
    login(client, "zhaolei")
    assert client.get("/console/audit/").status_code == 404


def test_bad_filter_values_do_not_break_pages(client, world):
    login(client, "liuyang")
    for params in ({"community": "x"}, {"role": "king"}, {"page": "-1"}, {"community": "9" * 40}):
        assert client.get("/console/people/", params).status_code == 200
    for params in ({"since": "2026-13-45"}, {"until": "yesterday"}, {"page": "abc"}):
        assert client.get("/console/audit/", params).status_code == 200
    assert client.get("/console/units/", {"category": "<script>", "community": "x"}).status_code == 200


def test_unit_liaison_sees_only_their_unit(client, world):
    login(client, "zhengli")
    page = client.get("/console/units/").content.decode()
    assert "下沙医院" in page and "滟澜小学" not in page


def test_elderly_mode_sticks_to_the_person(client, world):
    client.force_login(world.wangfang)
    client.post("/elderly-mode/", {"enabled": "1", "next": "/me/"})
    world.wangfang.refresh_from_db()
    assert world.wangfang.elderly_mode
    client.logout()
    client.cookies.clear()
    client.force_login(world.wangfang)
    assert 'class="elderly"' in client.get("/").content.decode()
    assert AuditEntry.objects.filter(action="accounts.elderly_mode", actor=world.wangfang).exists()


def test_elderly_mode_sticks_to_the_browser_before_log_in(client, db):
    client.post("/elderly-mode/", {"enabled": "toggle"})
    assert 'class="elderly"' in client.get("/").content.decode()


def test_elderly_mode_ignores_offsite_next(client, db):
    response = client.post("/elderly-mode/", {"enabled": "1", "next": "//evil.example/"})
    assert response["Location"] == "/"


def test_resident_joins_a_community_once(client, world, sent_texts):
    from jusha.accounts.models import User

    newcomer = User.objects.create_user(mobile="13700000009")
    client.force_login(newcomer)
    assert client.post("/me/community/", {"community": world.yanlan.pk}).status_code == 302
    assert "滟澜社区" in client.get("/me/").content.decode()
    assert client.post("/me/community/", {"community": world.zhige.pk}).status_code == 400
    assert client.post("/me/community/", {"community": "abc"}).status_code == 400


def test_manifest_is_installable(client, db):
    manifest = client.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_staff_who_may_reveal_see_the_show_button_and_others_do_not(client, world):
    login(client, "lina")
    assert f"/console/people/{world.wangfang.pk}/reveal-mobile/" in client.get("/console/people/").content.decode()
    login(client, "zhaolei")
    assert "reveal-mobile" not in client.get("/console/people/").content.decode()


def test_grid_workers_are_labelled_in_the_people_list(client, world):
    login(client, "lina")
    page = client.get("/console/people/", {"role": "grid_worker"}).content.decode()
    assert "周强" in page and "网格员" in page
