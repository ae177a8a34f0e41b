"""Hotline (12345) tickets imported from Excel or CSV through the onboarding wizard: each new ticket becomes
a report with source `hotline` through the cases intake (routing, duplicates attach); every row is checked
first and a file with a bad row saves nothing; the same file imported again creates nothing new.

In the test world 刘洋 is subdistrict staff of 下沙 and may import; 王芳 (13800000001) lives in 智格."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from jusha.accounts.models import User
from jusha.audit.models import AuditEntry
from jusha.cases.models import Case, CaseEvent, Report
from jusha.core.errors import NotAllowed
from jusha.notifications.models import Message
from jusha.onboarding import services
from jusha.onboarding.files import cell_datetime
from jusha.onboarding.sheets import SHEETS
from jusha.places.coords import wgs84_to_gcj02
from tests.cases_helpers import DRYING, IN_YANLAN, IN_ZHIGE, OUTSIDE, VENDING, category, report
from tests.onboarding_helpers import read_workbook, run, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "来电时间", "问题分类", "问题描述", "地址", "经度", "纬度", "坐标系", "来电人", "联系电话",
          "社区"]
GCJ = wgs84_to_gcj02(120.315, 30.305)  # 智格二, as AMap (高德) gives it


@pytest.fixture
def now(clock):
    clock.current = timezone.make_aware(datetime.datetime(2026, 11, 20, 16, 0))
    category()
    return clock.current


def rows() -> list[list]:
    return [
        HEADER,
        ["12345202611200001", "2026-11-20 09:15", DRYING, "沿街晾晒被褥", "智格路1号", IN_ZHIGE[0], IN_ZHIGE[1], "",
         "王芳", "13800000001", ""],
        ["12345202611200002", datetime.datetime(2026, 11, 20, 10, 40), "无照游商", "路口有人摆摊", "", GCJ[0], GCJ[1],
         "高德", "李先生", "139 0000 9999", ""],
        ["12345202611200003", "2026/11/19 20:05:00", "BJ0201", "人行道地砖松动", "滟澜小区东门", "", "", "", "", "",
         "滟澜社区"],
    ]


def csv_bytes(table: list[list], encoding: str) -> bytes:
    text = "\n".join(",".join(str(c) for c in row) for row in table) + "\n"
    return text.encode(encoding)


def test_each_ticket_becomes_a_hotline_report_routed_by_its_place(world, now):
    job = run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(rows()))
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["unchanged"], job.report["bad_rows"]) == (3, 0, 0)
    reports = {r.external_id: r for r in Report.objects.select_related("case", "reporter")}
    assert set(reports) == {"12345202611200001", "12345202611200002", "12345202611200003"}
    drying, vending, road = (reports[f"1234520261120000{i}"] for i in (1, 2, 3))
    assert {r.source for r in reports.values()} == {"hotline"}
    assert {r.case.source for r in reports.values()} == {"hotline"}
    assert (drying.case.grid, drying.case.community, drying.case.status) == (world.zhige1, world.zhige, "reported")
    assert drying.case.category.code == DRYING and drying.case.address == "智格路1号"
    assert drying.reporter == world.wangfang  # a known mobile: her account, her name kept
    assert (vending.case.grid, vending.case.category.code) == (world.zhige2, VENDING)  # GCJ-02 converted
    assert abs(vending.case.lng - 120.315) < 1e-5 and abs(vending.case.lat - 30.305) < 1e-5
    assert (vending.reporter.mobile, vending.reporter.name) == ("13900009999", "李先生")
    assert not vending.reporter.has_usable_password()
    assert (road.case.community, road.case.grid, road.reporter) == (world.yanlan, None, None)
    # The caller's time is when it was reported; the center's clock starts when the ticket arrives here.
    assert drying.created_at == drying.case.reported_at == timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 15))
    assert drying.case.deadline.stage == "accept" and drying.case.deadline.started_at == now
    event = CaseEvent.objects.get(case=drying.case)
    assert (event.step, event.actor, event.at) == ("report", world.liuyang, drying.case.reported_at)
    assert AuditEntry.objects.filter(action="cases.report", actor=world.liuyang).count() == 3
    assert AuditEntry.objects.filter(action="onboarding.import").count() == 1
    # One import is one batch: no "reported" notice per ticket for the operators.
    assert not Message.objects.filter(kind="cases.queue").exists()


def test_a_ticket_about_an_open_case_nearby_joins_it(world, now):
    case = report(world.zhangwei, at=IN_ZHIGE)
    job = run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(rows()[:2]))
    assert job.status == "done"
    attached = Report.objects.get(external_id="12345202611200001")
    assert attached.case == case and attached.followed
    assert Case.objects.count() == 1
    assert case.events.filter(step="follow", actor=world.liuyang).exists()


def test_importing_the_same_file_again_creates_nothing_new(world, now):
    content = workbook_bytes(rows())
    assert run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", content).status == "done"
    counts = (Case.objects.count(), Report.objects.count(), CaseEvent.objects.count(), User.objects.count())
    again = run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", content)
    assert again.status == "done"
    assert (again.report["created"], again.report["unchanged"]) == (0, 3)
    assert (Case.objects.count(), Report.objects.count(), CaseEvent.objects.count(), User.objects.count()) == counts
    # The next day's export repeats yesterday's tickets and adds one: only that one is new.
    more = [*rows(), ["12345202611200004", "2026-11-20 11:00", DRYING, "阳台外晾晒", "", IN_YANLAN[0], IN_YANLAN[1],
                      "WGS84", "", "", ""]]
    job = run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(more))
    assert (job.report["created"], job.report["unchanged"]) == (1, 3)
    assert Case.objects.count() == counts[0] + 1


def test_the_service_refuses_a_ticket_imported_before(world, now):
    from jusha.cases.services import Place, hotline_report
    from jusha.core.errors import DomainError

    place = Place(lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], community=world.zhige, grid=world.zhige1)
    args = {"actor": world.liuyang, "ticket": "T1", "category": category(), "description": "晾晒", "place": place,
            "received_at": now}
    hotline_report(**args)
    with pytest.raises(DomainError) as refused:
        hotline_report(**args)
    assert refused.value.code == "duplicate_ticket"
    with pytest.raises(NotAllowed):
        hotline_report(**{**args, "actor": world.lina, "ticket": "T2"})


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_saved(world, now):
    table = [
        HEADER,
        ["A1", "2026-11-20 09:00", DRYING, "好的一行", "", IN_ZHIGE[0], IN_ZHIGE[1], "", "", "", ""],
        ["", "昨天", "XX9999", "", "", "", "", "", "", "", ""],
        ["A3", "2026-11-21 09:00", "沿街晾晒", "明天的工单", "", OUTSIDE[0], OUTSIDE[1], "", "", "12345", ""],
        ["A1", "2026-11-20 09:00", DRYING, "重复工单号", "", "120.3", "abc", "", "", "", ""],
        ["A5", "2026-11-20 09:00", DRYING, "坐标系不认识", "", IN_ZHIGE[0], IN_ZHIGE[1], "北京54", "", "", ""],
        ["A6", "2026-11-20 09:00", DRYING, "没有地点", "", "", "", "", "", "", "白杨社区"],
        ["A7", "2026-11-20 09:00", DRYING, "x" * 501, "", "", "", "", "", "", ""],
    ]
    job = run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(table))
    assert job.status == "checked"
    assert {(e["row"], e["field"], e["code"]) for e in job.report["errors"]} == {
        (3, "ticket", "required"), (3, "received_at", "invalid_datetime"), (3, "category", "unknown_category"),
        (3, "description", "required"), (3, "community", "location_required"),
        (4, "received_at", "in_future"), (4, "lng", "outside_area"), (4, "reporter_mobile", "invalid_mobile"),
        (5, "ticket", "duplicate_in_file"), (5, "lng", "invalid_location"),
        (6, "crs", "invalid_choice"),
        (7, "community", "unknown_code"),
        (8, "description", "too_long"), (8, "community", "location_required"),
    }
    assert all(e["message"] for e in job.report["errors"])
    assert job.report["bad_rows"] == 6
    with pytest.raises(Exception) as refused:
        services.job_confirm(actor=world.liuyang, job=job)
    assert refused.value.code == "has_errors"
    assert not Case.objects.exists() and not Report.objects.exists()
    # The error report is the workbook itself with an error column, to fix and upload again.
    from jusha.onboarding.reports import error_report

    assert read_workbook(error_report(job)[1])[2][-1]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_exports_in_utf8_and_gbk_import_the_same(world, now, encoding):
    job = run(world.liuyang, world.subdistrict, "hotline", "12345.csv", csv_bytes(rows(), encoding))
    assert job.status == "done", job.report
    assert job.report["created"] == 3
    assert set(Report.objects.values_list("description", flat=True)) == {"沿街晾晒被褥", "路口有人摆摊",
                                                                         "人行道地砖松动"}
    assert Case.objects.get(reports__external_id="12345202611200003").community == world.yanlan


def test_an_export_imports_back_unchanged(world, now):
    run(world.liuyang, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(rows()))
    exported = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="hotline")
    table = read_workbook(exported)
    assert len(table) == 4 and table[0][0] == "工单编号"
    again = run(world.liuyang, world.subdistrict, "hotline", "export.xlsx", exported)
    assert (again.status, again.report["created"], again.report["unchanged"]) == ("done", 0, 3)


@pytest.mark.parametrize("person", ["zhaolei", "lina", "sunmin", "wugang", "wangfang", "zhouqiang"])
def test_only_subdistrict_staff_and_administrators_import_tickets(world, now, person):
    with pytest.raises(NotAllowed):
        services.job_upload(actor=getattr(world, person), subdistrict=world.subdistrict, kind="hotline",
                            filename="12345.xlsx", content=workbook_bytes(rows()))
    assert run(world.admin, world.subdistrict, "hotline", "12345.xlsx", workbook_bytes(rows())).status == "done"


def test_the_wizard_offers_the_hotline_template_and_the_command_imports(client, world, now, tmp_path):
    from tests.conftest import PASSWORD

    assert client.post("/login/staff/", {"username": "liuyang", "password": PASSWORD}).status_code == 302
    template = client.get("/console/onboarding/templates/hotline.xlsx")
    assert template.status_code == 200 and read_workbook(template.content)[0][:2] == ["工单编号*", "来电时间*"]
    assert b'value="hotline"' in client.get("/console/onboarding/").content
    path = tmp_path / "12345.csv"
    path.write_bytes(csv_bytes(rows(), "gbk"))
    call_command("import", "hotline", str(path), "--subdistrict", "330114001", "--user", "liuyang",
                 stdout=io.StringIO())
    assert Report.objects.filter(source="hotline").count() == 3


@pytest.mark.parametrize(("cell", "expected"), [
    ("2026-11-20 09:15", datetime.datetime(2026, 11, 20, 9, 15)),
    ("2026/11/20 9:15:30", datetime.datetime(2026, 11, 20, 9, 15, 30)),
    ("2026年11月20日 9时15分", datetime.datetime(2026, 11, 20, 9, 15)),
    ("2026年11月20日9时15分30秒", datetime.datetime(2026, 11, 20, 9, 15, 30)),
    ("2026-11-20T09:15:00", datetime.datetime(2026, 11, 20, 9, 15)),
    ("2026-11-20", datetime.datetime(2026, 11, 20)),
    (46346.385416666664, datetime.datetime(2026, 11, 20, 9, 15)),
    (datetime.datetime(2026, 11, 20, 9, 15), datetime.datetime(2026, 11, 20, 9, 15)),
])
def test_received_times_in_the_forms_hotline_exports_use(cell, expected):
    assert abs(cell_datetime(cell) - expected) < datetime.timedelta(seconds=1)


def test_the_hotline_sheet_is_registered_with_its_required_columns():
    assert [c.key for c in SHEETS["hotline"].columns if c.required] == ["ticket", "received_at", "category",
                                                                        "description"]
