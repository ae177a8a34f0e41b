"""Importing lists: member units, residents, staff and grid workers from Excel and CSV. Every row is
checked before anything is saved; a file with one bad row saves nothing; the same file imported twice
creates nothing twice; an export edited in Excel imports back changing exactly what was edited."""

import datetime
import io

import openpyxl
import pytest

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.onboarding import reports, services
from jusha.onboarding.models import IdNumber
from jusha.onboarding.sheets import SHEETS, id_digest, valid_id_number
from jusha.orgs.models import GridWorker, MemberUnit
from tests.onboarding_helpers import read_workbook, run, workbook_bytes

UNITS_HEADER = ["单位名称", "单位类别", "所属社区编码", "联系人", "联系电话", "地址", "服务社区编码", "加入日期",
                "是否在册"]
RESIDENTS_HEADER = ["姓名", "手机号", "社区编码", "身份证号"]
ID_OK = "11010519491231002X"  # the GB 11643 standard's own example


def _units(world):
    return {u.name: (u.category, u.contact_name, u.contact_mobile, u.address, u.joined_on, u.is_active,
                     u.sub_alliance.community.code if u.sub_alliance_id else "",
                     sorted(c.code for c in u.service_area.all()))
            for u in MemberUnit.objects.filter(alliance=world.alliance)}


def test_id_number_check_digit():
    assert valid_id_number(ID_OK)
    assert not valid_id_number("110105194912310021")  # wrong check character
    assert not valid_id_number("11010519491332002X")  # no 32nd of December... nor 13th month
    assert not valid_id_number("1101051949123100")


def test_units_workbook_with_excel_dates_numeric_phones_and_merged_cells(world):
    content = workbook_bytes([
        UNITS_HEADER,
        ["下沙街道社区卫生服务中心", "医院", "330114001001", "张医生", 13812345678, "下沙路1号",
         "330114001001、330114001002", datetime.datetime(2025, 1, 15), "是"],
        ["杭州电子科技大学", "高校", "330114001002", "王老师", "'13912345678", "学源街1号", "330114001002",
         45667, "是"],
        ["钱塘环保科技有限公司", "企业", "330114001002", "李经理", "139 1234 5679", None, None, "2025年3月1日", None],
    ], merged=["C3:C4"], number_formats={"H3": "yyyy-mm-dd"})
    job = run(world.liuyang, world.subdistrict, "units", "units.xlsx", content)
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["updated"]) == (3, 0)
    units = _units(world)
    assert units["下沙街道社区卫生服务中心"] == ("hospital", "张医生", "13812345678", "下沙路1号",
                                       datetime.date(2025, 1, 15), True, "330114001001",
                                       ["330114001001", "330114001002"])
    assert units["杭州电子科技大学"][2] == "13912345678"
    assert units["杭州电子科技大学"][4] == datetime.date(2025, 1, 10)  # serial 45667
    # The merged community cell covers both rows, as it reads on paper.
    assert units["钱塘环保科技有限公司"][6] == "330114001002"
    assert units["钱塘环保科技有限公司"][2] == "13912345679"
    assert units["钱塘环保科技有限公司"][4] == datetime.date(2025, 3, 1)


def test_a_workbook_with_bad_and_duplicate_rows_saves_nothing_and_reports_every_row(world):
    content = workbook_bytes([
        UNITS_HEADER,
        ["好单位", "企业", "", "", "", "", "", "", ""],
        ["", "企业", "", "", "", "", "", "", ""],
        ["坏电话", "企业", "", "", "1234", "", "", "", ""],
        ["坏类别", "外星机构", "", "", "", "", "", "", ""],
        ["坏社区", "企业", "330114001099", "", "", "", "330114001001,999", "明天", "也许"],
        ["好单位", "企业", "", "", "", "", "", "", ""],
    ])
    before = _units(world)
    job = run(world.liuyang, world.subdistrict, "units", "units.xlsx", content)
    assert job.status == "checked"
    assert {(e["row"], e["field"], e["code"]) for e in job.report["errors"]} == {
        (3, "name", "required"), (4, "contact_mobile", "invalid_mobile"), (5, "category", "invalid_choice"),
        (6, "community", "unknown_code"), (6, "service_area", "unknown_code"), (6, "joined_on", "invalid_date"),
        (6, "is_active", "invalid_choice"), (7, "name", "duplicate_in_file")}
    assert job.report["bad_rows"] == 5
    assert _units(world) == before
    from jusha.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.job_confirm(actor=world.liuyang, job=job)
    assert refused.value.code == "has_errors"

    name, data, _type = reports.error_report(job)
    assert name == "units-errors.xlsx"
    rows = read_workbook(data)
    assert rows[0][-1] == reports.ERRORS_HEADER
    assert rows[1][-1] is None and rows[2][-1] and rows[6][-1]
    assert rows[3][:5] == ["坏电话", "企业", None, None, "1234"]  # the person's own cells, untouched


def test_wrong_headers_are_mapped_by_hand_and_remembered(world):
    content = workbook_bytes([["单位全称", "性质", "备注"], ["下沙小学", "学校", "x"]])
    job = services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="units", filename="u.xlsx",
                              content=content)
    assert job.options["mapping"] == {}
    from jusha.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.job_check(actor=world.liuyang, job=job, mapping={})
    assert refused.value.code == "unmapped_column"
    with pytest.raises(DomainError) as refused:
        services.job_check(actor=world.liuyang, job=job, mapping={"name": "单位全称", "category": "单位全称"})
    assert refused.value.code == "column_used_twice"
    job = run(world.liuyang, world.subdistrict, "units", "u.xlsx", content,
              mapping={"name": "单位全称", "category": "性质"})
    assert job.status == "done"
    assert MemberUnit.objects.get(name="下沙小学").category == "school"
    again = services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="units", filename="u.xlsx",
                                content=content)
    assert again.options["mapping"] == {"name": "单位全称", "category": "性质"}


def test_units_round_trip_changes_exactly_what_was_edited(world):
    run(world.liuyang, world.subdistrict, "units", "u.xlsx", workbook_bytes([
        UNITS_HEADER, ["杭州电子科技大学", "高校", "330114001002", "王老师", "13912345678", "学源街1号", "330114001002",
                       "2025-01-09", "是"]]))
    exported = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="units")
    before = _units(world)
    book = openpyxl.load_workbook(io.BytesIO(exported))
    ws = book.active
    rows = [r for r in ws.iter_rows(min_row=2) if r[0].value == "滟澜小学"]
    rows[0][3].value = "陈校长"  # the contact person is the only edit
    out = io.BytesIO()
    book.save(out)
    job = run(world.liuyang, world.subdistrict, "units", "export.xlsx", out.getvalue())
    assert job.status == "done", job.report["errors"]
    assert (job.report["created"], job.report["updated"], job.report["unchanged"]) == (0, 1, 2)
    after = _units(world)
    assert after.pop("滟澜小学")[1] == "陈校长"
    expected = dict(before)
    del expected["滟澜小学"]
    assert after == expected


def _residents(world):
    return {u.mobile: (u.name, u.role_assignments.get(role=Role.RESIDENT).community.code,
                       getattr(getattr(u, "id_number", None), "tail", None))
            for u in User.objects.filter(role_assignments__role=Role.RESIDENT,
                                         role_assignments__community__subdistrict=world.subdistrict)}


def test_residents_from_a_gbk_csv_with_bom_less_numbers_and_id_numbers(world):
    text = ("姓名,手机号,社区编码,身份证号\r\n赵一,13700000001,330114001001,11010519491231002X\r\n"
            "钱二,+86 137-0000-0002,330114001002,\r\n王芳,13800000001,330114001002,\r\n")
    job = run(world.liuyang, world.subdistrict, "residents", "r.csv", text.encode("gbk"))
    assert job.status == "done", job.report
    assert (job.report["created"], job.report["updated"]) == (2, 1)
    people = _residents(world)
    assert people["13700000001"] == ("赵一", "330114001001", "002X")
    assert people["13700000002"] == ("钱二", "330114001002", None)
    assert people["13800000001"] == ("王芳", "330114001002", None)  # moved to 滟澜
    assert RoleAssignment.objects.filter(user=world.wangfang, role=Role.RESIDENT).count() == 1
    assert not IdNumber.objects.filter(tail="002X").exclude(user__mobile="13700000001").exists()


def test_residents_csv_in_utf8_with_bom(world):
    text = "\ufeff姓名,手机号,社区编码\n孙三,13700000003,330114001001\n"
    job = run(world.liuyang, world.subdistrict, "residents", "r.csv", text.encode("utf-8"))
    assert job.status == "done"
    assert _residents(world)["13700000003"] == ("孙三", "330114001001", None)


def test_resident_rows_checked_against_the_file_and_the_database(world):
    IdNumber.objects.create(user=world.zhangwei, digest=id_digest(ID_OK), tail="002X")
    content = workbook_bytes([
        RESIDENTS_HEADER,
        ["甲", "13700000011", "330114001001", "110105194912310021"],  # bad check digit
        ["乙", "13700000012", "330114001001", ID_OK],  # 张伟's number
        ["丙", "13700000013", "330114009999", ""],  # no such community
        ["丁", "13700000013", "330114001001", ""],  # same mobile again
        ["戊", "1370000001", "330114001001", ""],
        ["", "13700000015", "", ""],
    ])
    count = User.objects.count()
    job = run(world.liuyang, world.subdistrict, "residents", "r.xlsx", content)
    assert job.status == "checked"
    assert {(e["row"], e["field"], e["code"]) for e in job.report["errors"]} == {
        (2, "id_number", "invalid_id_number"), (3, "id_number", "duplicate_in_database"),
        (4, "community", "unknown_code"), (5, "mobile", "duplicate_in_file"), (6, "mobile", "invalid_mobile"),
        (7, "name", "required"), (7, "community", "required")}
    assert User.objects.count() == count


def test_reimporting_residents_is_idempotent_and_the_export_round_trips(world):
    content = workbook_bytes([RESIDENTS_HEADER] + [[f"居民{i}", f"137000001{i:02d}", "330114001001",
                                                    ID_OK if i == 0 else ""] for i in range(20)])
    first = run(world.liuyang, world.subdistrict, "residents", "r.xlsx", content)
    assert first.report["created"] == 20
    users, assignments = User.objects.count(), RoleAssignment.objects.count()
    second = run(world.liuyang, world.subdistrict, "residents", "r.xlsx", content)
    assert (second.status, second.report["created"], second.report["updated"], second.report["unchanged"]) == (
        "done", 0, 0, 20)
    assert (User.objects.count(), RoleAssignment.objects.count()) == (users, assignments)

    before = _residents(world)
    exported = services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict, kind="residents")
    rows = read_workbook(exported)
    assert rows[0] == RESIDENTS_HEADER
    assert ["居民0", "13700000100", "330114001001", "**************002X"] in rows
    book = openpyxl.load_workbook(io.BytesIO(exported))
    ws = book.active
    for row in ws.iter_rows(min_row=2):
        if row[1].value == "13700000105":
            row[2].value = "330114001002"
    out = io.BytesIO()
    book.save(out)
    job = run(world.liuyang, world.subdistrict, "residents", "r.xlsx", out.getvalue())
    assert job.status == "done", job.report["errors"]
    assert job.report["updated"] == 1
    after = _residents(world)
    assert after.pop("13700000105")[1] == "330114001002"
    before.pop("13700000105")
    assert after == before


def test_a_resident_of_another_subdistrict_cannot_be_taken_over(world):
    from jusha.places.models import Community, Subdistrict

    other = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道")
    far = Community.objects.create(subdistrict=other, code="330114002001", name="远方社区")
    RoleAssignment.objects.filter(user=world.zhangwei).update(community=far)
    job = run(world.liuyang, world.subdistrict, "residents", "r.xlsx",
              workbook_bytes([RESIDENTS_HEADER, ["张伟", "13800000002", "330114001001", ""]]))
    assert [e["code"] for e in job.report["errors"]] == ["resident_elsewhere"]


def test_staff_with_roles_and_grid_workers_with_grids(world):
    staff = workbook_bytes([
        ["姓名", "手机号", "角色", "所属"],
        ["许静", "13600000001", "社区工作人员", "330114001002"],
        ["许静", "13600000001", "单位联络员", "滟澜小学"],
        ["韩梅", "13600000002", "街道工作人员", "330114001"],
        ["错角色", "13600000003", "区长", "330114001"],
        ["错范围", "13600000004", "队伍成员", "不存在的队"],
    ])
    job = run(world.liuyang, world.subdistrict, "staff", "s.xlsx", staff)
    assert {(e["row"], e["code"]) for e in job.report["errors"]} == {(5, "invalid_choice"), (6, "unknown_code")}
    fixed = workbook_bytes([r for r in read_workbook(staff) if r[0] not in {"错角色", "错范围"}])
    job = run(world.liuyang, world.subdistrict, "staff", "s.xlsx", fixed)
    assert job.status == "done"
    xu = User.objects.get(mobile="13600000001")
    assert set(xu.role_assignments.values_list("role", flat=True)) == {Role.COMMUNITY_STAFF, Role.UNIT_LIAISON}
    again = run(world.liuyang, world.subdistrict, "staff", "s.xlsx", fixed)
    assert again.report["unchanged"] == 3 and RoleAssignment.objects.filter(user=xu).count() == 2
    exported = read_workbook(services.export_workbook(actor=world.liuyang, subdistrict=world.subdistrict,
                                                      kind="staff"))
    assert ["许静", "13600000001", "单位联络员", "滟澜小学"] in exported

    workers = workbook_bytes([["姓名", "手机号", "网格编码", "是否在岗"],
                              ["周强", 13900000002, "330114001001001,330114001001002", "是"],
                              ["新人", "13600000009", "330114001002001", "否"]])
    job = run(world.liuyang, world.subdistrict, "grid_workers", "w.xlsx", workers)
    assert job.status == "done", job.report
    assert set(world.zhouqiang.grid_worker.grids.values_list("code", flat=True)) == {
        "330114001001001", "330114001001002"}
    newcomer = GridWorker.objects.get(user__mobile="13600000009")
    assert not newcomer.on_duty
    assert run(world.liuyang, world.subdistrict, "grid_workers", "w.xlsx", workers).report["unchanged"] == 2


@pytest.mark.parametrize("kind", sorted(SHEETS))
def test_each_template_has_chinese_headers_and_an_example_row_that_checks(world, kind):
    rows = [r for r in read_workbook(reports.template(SHEETS[kind])) if any(r)]
    assert rows[0][0] == SHEETS[kind].columns[0].header + "*"
    assert len(rows) == 2
    job = services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind=kind, filename="t.xlsx",
                              content=reports.template(SHEETS[kind]))
    assert set(job.options["mapping"]) == {c.key for c in SHEETS[kind].columns}


@pytest.mark.parametrize(("filename", "content", "code"), [
    ("u.xlsx", b"not a workbook at all", "not_a_zip"),
    ("u.xls", b"\xd0\xcf\x11\xe0", "unsupported_format"),
    ("u.csv", b"", "empty_file"),
    ("u.csv", b"\n\n", "empty_file"),
])
def test_unreadable_lists_are_refused_with_a_code(world, filename, content, code):
    from jusha.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="units", filename=filename,
                            content=content)
    assert refused.value.code == code


def test_a_workbook_with_an_xml_entity_bomb_is_refused(world):
    import zipfile

    good = workbook_bytes([UNITS_HEADER, ["甲", "企业"]])
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>' + data
            target.writestr(item, data)
    from jusha.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        services.job_upload(actor=world.liuyang, subdistrict=world.subdistrict, kind="units", filename="u.xlsx",
                            content=out.getvalue())
    assert refused.value.code == "unsafe_xml"


def test_a_failure_while_saving_leaves_nothing_saved_and_the_job_failed(world, monkeypatch):
    def broken(self, plan, *, subdistrict, progress=None):
        User.objects.create_user(mobile="13799999999", name="半截")
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(SHEETS["residents"]), "write", broken)
    job = run(world.liuyang, world.subdistrict, "residents", "r.xlsx",
              workbook_bytes([RESIDENTS_HEADER, ["甲", "13700000021", "330114001001", ""]]))
    assert job.status == "failed" and job.report["failure"]["code"] == "import_failed"
    assert not User.objects.filter(mobile__in=["13799999999", "13700000021"]).exists()


def test_demo_seed_round_trips_the_units_unchanged(world):
    from jusha.onboarding.demo import seed_onboarding

    before = _units(world)
    job = seed_onboarding(subdistrict=world.subdistrict, actor=world.admin)
    assert (job.status, job.report["unchanged"], job.report["created"], job.report["updated"]) == ("done", 2, 0, 0)
    assert _units(world) == before
