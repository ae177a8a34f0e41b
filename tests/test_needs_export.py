"""The need list (需求清单) on the console: due times and the overdue badge and filter, and the Excel
export of exactly the filtered list the person may see — without anyone's name, mobile or address."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jusha.audit.models import AuditEntry
from jusha.needs import exports, services
from jusha.needs.models import Need
from tests.needs_helpers import IN_YANLAN, category, submit

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def needs(world, clock):
    """Three needs of 智格 (one overdue, one done and rated) and one of 滟澜."""
    clock.current = datetime(2026, 10, 12, 9, tzinfo=SH)
    late = submit(world.wangfang, text="帮忙换灯泡")
    done = submit(world.wangfang, text="帮忙买菜", category=category("repairs"))
    services.need_resolve(actor=world.lina, need=done, resolution="已办好")
    services.need_confirm(actor=world.wangfang, need=done, stars=4)
    fresh = submit(world.wangfang, text="帮忙取快递")
    other = submit(world.zhangwei, text="滟澜的需求", at=IN_YANLAN)
    clock.current = datetime(2026, 10, 12, 9, 30, tzinfo=SH)
    Need.objects.filter(pk=fresh.pk).update(first_response_due_at=clock.current + timedelta(hours=1))
    services.needs_overdue_sweep()
    return {"late": late, "done": done, "fresh": fresh, "other": other}


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == exports.CONTENT_TYPE
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_queue_shows_due_times_and_filters_the_overdue(client, world, needs):
    client.force_login(world.lina)
    page = client.get(reverse("needs_console:queue"), {"status": "open"}).content.decode()
    assert page.count('data-testid="overdue"') == 1
    assert "10-12 10:30" in page  # the fresh need's first response is due at 10:30
    only = client.get(reverse("needs_console:queue"), {"status": "open", "overdue": "1"}).content.decode()
    assert only.count('data-testid="queue-row"') == 1 and f"/console/needs/{needs['late'].pk}/" in only
    detail = client.get(reverse("needs_console:detail", args=[needs["late"].pk])).content.decode()
    assert 'data-testid="response-due"' in detail and "2026-10-12 09:10" in detail


def test_the_export_is_the_filtered_list_the_person_may_see(client, world, needs, django_assert_max_num_queries):
    client.force_login(world.lina)
    page = client.get(reverse("needs_console:queue"), {"status": "closed"}).content.decode()
    assert f'{reverse("needs_console:export")}?status=closed' in page
    with django_assert_max_num_queries(12):
        rows = workbook(client.get(reverse("needs_console:export"), {"status": "closed"}))
    assert len(rows) == 2 and rows[1][0] == needs["done"].pk
    header, row = rows
    assert len(header) == 15
    assert row[1] == datetime(2026, 10, 12, 9, 0) and row[2] == "智格社区" and row[3] == "智格一"
    assert row[14] == 4  # the rating
    rows = workbook(client.get(reverse("needs_console:export"), {"status": "open"}))
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [needs["late"].pk, needs["fresh"].pk], "李娜 must not export 滟澜's needs"
    assert rows[1][11] and not rows[2][11]  # overdue
    assert rows[1][9] == datetime(2026, 10, 12, 9, 10)  # first response due
    assert [r[0] for r in workbook(client.get(reverse("needs_console:export"),
                                              {"status": "open", "overdue": "1"}))[1:]] == [needs["late"].pk]
    entry = AuditEntry.objects.filter(action="needs.exported").latest("id")
    assert entry.actor == world.lina and entry.after["rows"] == 1


def test_the_export_carries_no_resident_name_mobile_address_or_words(client, world, needs):
    client.force_login(world.liuyang)
    rows = workbook(client.get(reverse("needs_console:export"), {"status": "open"}))
    text = " ".join(str(v) for row in rows for v in row if v is not None)
    assert len(rows) == 4
    for secret in ("王芳", "张伟", "13800000001", "帮忙换灯泡", "滟澜的需求"):
        assert secret not in text


@pytest.mark.parametrize("person", ["wangfang", "zhengli", "zhaolei"])
def test_only_staff_who_triage_may_export(client, world, needs, person):
    client.force_login(getattr(world, person))
    assert client.get(reverse("needs_console:export"), {"status": "open"}).status_code == 404


def test_the_export_stops_at_its_row_limit_and_says_so(client, world, needs, monkeypatch):
    monkeypatch.setattr(exports, "MAX_ROWS", 1)
    client.force_login(world.liuyang)
    rows = workbook(client.get(reverse("needs_console:export"), {"status": "open"}))
    assert len(rows) == 3 and rows[1][0] == needs["late"].pk and rows[2][1] is None
    assert AuditEntry.objects.filter(action="needs.exported").latest("id").after["cut"] is True


def test_a_name_that_looks_like_a_formula_stays_text(client, world, needs):
    world.zhige1.name = "=HYPERLINK(\"http://x\")"
    world.zhige1.save()
    client.force_login(world.lina)
    response = client.get(reverse("needs_console:export"), {"status": "open"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=4).data_type == "s"
    assert sheet.cell(row=2, column=4).value == world.zhige1.name
