"""The volunteer pages: the H5 "become a volunteer" form and "my volunteer record"; the console review
queue, one record with its review steps and the audited reveal; the liaison's team page."""

from datetime import date

import pytest

from jusha.audit.models import AuditEntry
from jusha.volunteers.models import Volunteer
from tests.volunteers_helpers import WANGFANG_ID, S, apply, approved, id_number


def form(world, **overrides) -> dict:
    data = {"name": "王芳", "gender": "female", "birth_month": "1985-03", "id_type": "resident_id",
            "id_number": WANGFANG_ID, "community": world.zhige.pk, "skills": ["elderly_care", "it"],
            "mobile": "13800000001", "service_area": [world.zhige.pk], "availability": ["5-morning", "6-evening"]}
    data.update(overrides)
    return data


def test_the_me_page_links_to_volunteering(client, world):
    client.force_login(world.wangfang)
    assert b'href="/volunteers/"' in client.get("/me/").content
    assert client.get("/volunteers/")["Location"] == "/volunteers/apply/"


def test_a_resident_applies_on_the_form(client, world):
    client.force_login(world.wangfang)
    assert client.get("/volunteers/apply/").status_code == 200
    sent = client.post("/volunteers/apply/", form(world))
    assert sent.status_code == 302 and sent["Location"] == "/volunteers/"
    record = Volunteer.objects.get()
    assert record.availability == [{"weekday": 5, "start": "08:00", "end": "12:00"},
                                   {"weekday": 6, "start": "18:00", "end": "21:00"}]
    page = client.get("/volunteers/")
    assert b'data-status="applied"' in page.content and WANGFANG_ID.encode() not in page.content
    assert client.get("/volunteers/apply/")["Location"] == "/volunteers/"


@pytest.mark.parametrize(("overrides", "field"), [
    ({"id_number": "330114198503120241"}, "id_number"),
    ({"extra_occupation": "教师"}, "extra_consent"),
    ({"birth_month": "March"}, "birth_month"),
])
def test_a_refused_form_comes_back_with_the_error_next_to_the_field(client, world, overrides, field):
    client.force_login(world.wangfang)
    sent = client.post("/volunteers/apply/", form(world, **overrides))
    assert sent.status_code == 400 and field in sent.context["form"].errors
    assert not Volunteer.objects.exists()


def test_the_volunteer_sees_the_number_edits_and_withdraws(client, world):
    volunteer = approved(world)
    client.force_login(world.wangfang)
    page = client.get("/volunteers/")
    assert volunteer.number.encode() in page.content and b'data-testid="withdraw-form"' in page.content
    assert client.get("/volunteers/edit/").status_code == 200
    edited = client.post("/volunteers/edit/", {"skills": ["repair"], "mobile": "13800000009",
                                               "availability": ["0-morning"]})
    assert edited.status_code == 302
    assert Volunteer.objects.get().skills == ["repair"]
    assert client.post("/volunteers/withdraw/", {"reason": ""}).status_code == 302
    assert Volunteer.objects.get().status == S.WITHDRAWN
    assert b'data-testid="apply-again"' in client.get("/volunteers/").content


def test_the_review_queue_filters_and_swaps_its_results(client, world, django_assert_max_num_queries):
    apply(world)
    apply(world, world.zhangwei, name="张伟", gender="male", mobile="13800000002",
          id_number=id_number("19700101", "013"), birth_month=date(1970, 1, 1), community=world.yanlan)
    client.force_login(world.liuyang)
    with django_assert_max_num_queries(12):
        page = client.get("/console/volunteers/")
    assert page.content.count(b'data-testid="volunteer-row"') == 2
    assert b'href="/console/volunteers/"' in page.content
    only = client.get("/console/volunteers/", {"community": world.yanlan.pk}, HTTP_HX_REQUEST="true",
                      HTTP_HX_TARGET="results")
    assert only.content.count(b'data-testid="volunteer-row"') == 1 and b"<html" not in only.content
    client.force_login(world.chenjing)
    assert client.get("/console/volunteers/").content.count(b'data-testid="volunteer-row"') == 1


def test_staff_approve_and_a_refusal_shows_on_the_page(client, world):
    volunteer = apply(world)
    client.force_login(world.lina)
    assert client.get(f"/console/volunteers/{volunteer.pk}/").status_code == 200
    refused = client.post(f"/console/volunteers/{volunteer.pk}/reject/", {"reason": ""})
    assert refused.status_code == 400 and b'data-testid="action-error"' in refused.content
    assert client.post(f"/console/volunteers/{volunteer.pk}/approve/").status_code == 302
    assert Volunteer.objects.get().status == S.APPROVED
    assert client.post(f"/console/volunteers/{volunteer.pk}/approve/").status_code == 400
    assert client.post(f"/console/volunteers/{volunteer.pk}/withdraw/").status_code == 404


def test_staff_of_another_community_get_not_found(client, world):
    volunteer = apply(world)
    client.force_login(world.chenjing)
    assert client.get(f"/console/volunteers/{volunteer.pk}/").status_code == 404
    assert client.post(f"/console/volunteers/{volunteer.pk}/approve/").status_code == 404
    assert client.post(f"/console/volunteers/{volunteer.pk}/reveal/").status_code == 404
    client.force_login(world.wangfang)
    assert client.get("/console/volunteers/").status_code == 404


def test_revealing_the_number_shows_it_once_uncached_and_audited(client, world):
    volunteer = apply(world)
    client.force_login(world.lina)
    assert WANGFANG_ID.encode() not in client.get(f"/console/volunteers/{volunteer.pk}/").content
    shown = client.post(f"/console/volunteers/{volunteer.pk}/reveal/")
    assert shown.status_code == 200 and WANGFANG_ID.encode() in shown.content
    assert shown["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action="volunteers.reveal_id", actor=world.lina).count() == 1


def test_the_liaison_registers_a_staff_member(client, world):
    client.force_login(world.zhengli)
    page = client.get("/console/volunteers/team/")
    assert page.status_code == 200 and b'href="/console/volunteers/team/"' in page.content
    data = {"unit": world.hospital.pk, "name": "钱医生", "gender": "male", "birth_month": "1980-01",
            "id_type": "resident_id", "id_number": id_number("19800101", "011"), "community": world.zhige.pk,
            "skills": ["medical"], "mobile": "13700000001", "availability": ["1-afternoon"]}
    bad = client.post("/console/volunteers/team/", {**data, "id_number": "330114198001010110"})
    assert bad.status_code == 400 and "id_number" in bad.context["form"].errors
    assert client.post("/console/volunteers/team/", data).status_code == 302
    record = Volunteer.objects.get()
    assert record.member_unit == world.hospital and record.status == S.APPLIED
    assert b'data-testid="team-row"' in client.get("/console/volunteers/team/").content
    assert client.get(f"/console/volunteers/{record.pk}/").status_code == 200
    client.force_login(world.lina)
    assert client.get("/console/volunteers/team/").status_code == 404
