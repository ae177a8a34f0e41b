"""Importing volunteers: the template's rows become approved (numbered) or waiting records, accounts are
made by mobile, every row is checked before anything is saved, the same file twice changes nothing, and
an export edited in Excel imports back changing exactly what was edited — without the identity number
ever leaving in full."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.audit.models import AuditEntry
from jusha.core.errors import DomainError, NotAllowed
from jusha.onboarding import reports, services
from jusha.onboarding.reports import ERRORS_HEADER
from jusha.onboarding.sheets import SHEETS
from jusha.volunteers import idnumbers
from jusha.volunteers.models import NumberSequence, Volunteer
from tests.onboarding_helpers import read_workbook, run, workbook_bytes
from tests.volunteers_helpers import WANGFANG_ID, apply, id_number

HEADER = ["姓名", "手机号", "性别", "出生年月", "证件类型", "证件号码", "服务技能", "社区编码", "服务社区编码",
          "所属单位", "志愿者编号", "状态"]
NEW_ID = id_number("19900704", "013")  # a man born July 1990
THIRD_ID = id_number("19770101", "046")  # a woman born January 1977
S = Volunteer.Status


def _file(world, *rows) -> bytes:
    return workbook_bytes([HEADER, *rows])


def _rows(world):
    return [
        # 王芳 already has an account (a resident of 智格): her record is made on it.
        ["王芳", "13800000001", "女", "1985-03", "居民身份证", WANGFANG_ID, "助老陪伴、电脑手机", "330114001001",
         "330114001001、330114001002", "", "", "已通过"],
        # A new person: the account is created by mobile; the number comes from elsewhere and is kept.
        ["赵磊", 13700000009, "男", 199007, "身份证", NEW_ID, "driving,medical", "330114001002", "", "",
         "ZJ-2019-0042", "已通过"],
        ["孙丽", "137 0000 0010", "女", "1977年1月", "", THIRD_ID, "法律咨询", "330114001001", "", "", "", "待审核"],
    ]


def _records():
    return {v.name: (v.status, v.number, v.gender, v.birth_month.isoformat(), v.id_number_last4, v.mobile,
                     v.skills, v.community.code, sorted(c.code for c in v.service_area.all()))
            for v in Volunteer.objects.select_related("community").prefetch_related("service_area")}


def test_template_has_chinese_headers_and_an_example_that_imports(world):
    content = reports.template(SHEETS["volunteers"])
    rows = read_workbook(content)
    assert [h.rstrip("*") for h in rows[0]] == HEADER
    job = run(world.liuyang, world.subdistrict, "volunteers", "template.xlsx", content)
    assert job.status == "done", job.report
    volunteer = Volunteer.objects.get()
    assert volunteer.status == S.APPROVED and volunteer.number.startswith(world.subdistrict.code)
    assert volunteer.skills == ["elderly_care", "medical"]


def test_import_creates_records_accounts_and_numbers_through_the_services(world):
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", _file(world, *_rows(world)))
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (3, 0, 0)
    records = _records()
    wangfang = records["王芳"]
    assert wangfang[0] == S.APPROVED and wangfang[1].startswith(world.subdistrict.code)
    assert wangfang[2:] == ("female", "1985-03-01", WANGFANG_ID[-4:], "13800000001", ["elderly_care", "it"],
                            "330114001001", ["330114001001", "330114001002"])
    assert records["赵磊"][:2] == (S.APPROVED, "ZJ-2019-0042")
    assert records["赵磊"][6:] == (["medical", "driving"], "330114001002", ["330114001002"])
    assert records["孙丽"][:2] == (S.APPLIED, None) and records["孙丽"][3] == "1977-01-01"
    assert Volunteer.objects.get(name="王芳").user == world.wangfang
    zhao = User.objects.get(mobile="13700000009")
    assert RoleAssignment.objects.filter(user=zhao, role=Role.RESIDENT, community=world.yanlan).exists()
    sealed = Volunteer.objects.get(name="赵磊")
    assert idnumbers.unseal(sealed.id_number_encrypted) == NEW_ID
    assert sealed.id_number_digest == idnumbers.digest("resident_id", NEW_ID)
    assert AuditEntry.objects.filter(action="volunteers.import").count() == 3
    assert NumberSequence.objects.get().last == 1  # only 王芳 took a number from the sequence


def test_the_same_file_twice_changes_nothing(world):
    content = _file(world, *_rows(world))
    run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    before = _records()
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (0, 0, 3)
    assert _records() == before and Volunteer.objects.count() == 3
    assert AuditEntry.objects.filter(action="volunteers.import").count() == 3
    assert NumberSequence.objects.get().last == 1


def test_round_trip_changes_exactly_what_was_edited_and_never_exports_the_number(world):
    run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", _file(world, *_rows(world)))
    before = _records()
    content = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="volunteers")
    rows = read_workbook(content)
    assert rows[0] == HEADER
    cells = {str(c) for row in rows for c in row if c}
    assert not {WANGFANG_ID, NEW_ID, THIRD_ID} & cells
    assert "**************" + NEW_ID[-4:] in cells
    book = openpyxl.load_workbook(io.BytesIO(content))
    ws = book.active
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "孙丽":
            row[6].value = "法律咨询、翻译手语"  # one edit: a skill added
            row[11].value = "已通过"  # and approved
    out = io.BytesIO()
    book.save(out)
    job = run(world.liuyang, world.subdistrict, "volunteers", "edited.xlsx", out.getvalue())
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (0, 1, 2)
    after = _records()
    assert {k: v for k, v in after.items() if k != "孙丽"} == {k: v for k, v in before.items() if k != "孙丽"}
    assert after["孙丽"][0] == S.APPROVED and after["孙丽"][1].startswith(world.subdistrict.code)
    assert after["孙丽"][6] == ["legal", "translation"]
    sun = Volunteer.objects.get(name="孙丽")
    assert idnumbers.unseal(sun.id_number_encrypted) == THIRD_ID  # the masked cell meant "unchanged"
    # The exported file imported as is: nothing changes.
    again = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="volunteers")
    job = run(world.liuyang, world.subdistrict, "volunteers", "again.xlsx", again)
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (0, 0, 3)


def test_bad_rows_are_all_reported_and_nothing_is_saved(world):
    taken = apply(world)  # 王芳's own application holds WANGFANG_ID
    users = User.objects.count()
    content = _file(
        world,
        ["甲", "12345", "男", "1990-07", "", NEW_ID, "驾驶配送", "330114001001", "", "", "", ""],
        ["乙", "13700000011", "男", "1990-07", "", NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "驾驶配送",
         "330114001001", "", "", "", ""],
        ["丙", "13700000012", "女", "1977-01", "", THIRD_ID, "飞行", "999999999999", "330114009009", "无此单位", "",
         "已通过"],
        ["丁", "13700000012", "女", "1977-01", "", THIRD_ID, "法律咨询", "330114001001", "", "", "", "审核中"],
        ["戊", "13700000013", "女", "1985-03", "", WANGFANG_ID, "法律咨询", "330114001001", "", "", "", ""],
        ["己", "13700000014", "女", "1990-07", "", NEW_ID, "法律咨询", "330114001001", "", "", "", ""],
        ["庚", "13700000015", "男", "1990-07", "", "**************1234", "法律咨询", "330114001001", "", "", "",
         ""],
    )
    job = run(world.liuyang, world.subdistrict, "volunteers", "bad.xlsx", content)
    assert job.status == "checked"
    codes = {(e["row"], e["field"], e["code"]) for e in job.report["errors"]}
    assert codes >= {
        (2, "mobile", "invalid_mobile"),
        (3, "id_number", "invalid_id_number"),
        (4, "skills", "invalid_choice"), (4, "community", "unknown_code"), (4, "service_area", "unknown_code"),
        (4, "member_unit", "unknown_code"),
        (5, "mobile", "duplicate_in_file"), (5, "id_number", "duplicate_in_file"), (5, "status", "invalid_choice"),
        (7, "gender", "id_mismatch"),  # NEW_ID is a man's number
        (8, "id_number", "required"),  # a masked number for a new record
    }
    # 王芳's number with another mobile: her record is found by the document, and the mobile is not hers
    # to change silently — but it is no one else's either, so this row would update her record's contact.
    assert not any(e["row"] == 6 for e in job.report["errors"])
    with pytest.raises(DomainError) as caught:
        services.job_confirm(actor=world.liuyang, job=job)
    assert caught.value.code == "has_errors"
    assert Volunteer.objects.count() == 1 and User.objects.count() == users
    taken.refresh_from_db()
    assert taken.mobile == "13800000001"
    name, data, _type = reports.error_report(job)
    sheet = read_workbook(data)
    assert sheet[0][-1] == ERRORS_HEADER and sheet[1][-1] and not sheet[5][-1]


def test_a_number_or_document_of_another_record_is_refused(world):
    wangfang = apply(world)
    Volunteer.objects.filter(pk=wangfang.pk).update(number="X1")
    content = _file(world, ["赵磊", "13700000009", "男", "1990-07", "", NEW_ID, "驾驶配送", "330114001002", "", "",
                            "X1", "已通过"],
                    ["王芳", "13800000002", "女", "1985-03", "", WANGFANG_ID, "驾驶配送", "330114001002", "", "",
                     "", "待审核"])
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    codes = {(e["row"], e["field"], e["code"]) for e in job.report["errors"]}
    # Row 3: the document is 王芳's record, but 13800000002 is 张伟's account (no record): allowed as her
    # new contact mobile; row 2's number belongs to her record.
    assert (2, "number", "duplicate_in_database") in codes
    assert not any(row == 3 for row, _f, _c in codes)


def test_not_keeping_numbers_matches_on_the_mobile(world, settings):
    settings.JUSHA_VOLUNTEER_ID_STORAGE = "none"
    content = _file(world, *_rows(world))
    run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    assert set(Volunteer.objects.values_list("id_number_encrypted", "id_number_digest")) == {("", "")}
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    assert (job.report["created"], job.report["unchanged"]) == (0, 3)


def test_only_importers_may_import_volunteers(world):
    with pytest.raises(NotAllowed):
        services.job_upload(actor=world.lina, subdistrict=world.subdistrict, kind="volunteers", filename="v.xlsx",
                            content=_file(world, *_rows(world)))


def test_the_command_imports_volunteers(world, tmp_path):
    path = tmp_path / "v.xlsx"
    path.write_bytes(_file(world, *_rows(world)))
    call_command("import", "volunteers", str(path), subdistrict=world.subdistrict.code, user="liuyang")
    assert Volunteer.objects.count() == 3


def test_an_import_only_approves_other_status_changes_stay_in_the_console(world):
    from jusha.volunteers.services import volunteer_suspend
    from tests.volunteers_helpers import approved

    volunteer = approved(world)
    volunteer_suspend(actor=world.lina, volunteer=volunteer, reason="长期未参加")
    content = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="volunteers")
    rows = read_workbook(content)
    assert rows[1][11] == "已暂停"
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", content)
    assert (job.status, job.report["unchanged"]) == ("done", 1)
    rows[1][11] = ""  # an empty status keeps the record's
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", workbook_bytes(rows))
    assert (job.status, job.report["unchanged"]) == ("done", 1)
    rows[1][11] = "已通过"
    rows[1][10] = "OTHER-1"
    job = run(world.liuyang, world.subdistrict, "volunteers", "v.xlsx", workbook_bytes(rows))
    assert {(e["field"], e["code"]) for e in job.report["errors"]} == {("status", "status_change"),
                                                                       ("number", "number_fixed")}
    volunteer.refresh_from_db()
    assert volunteer.status == S.SUSPENDED
