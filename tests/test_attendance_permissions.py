"""The attendance rows of the permission matrix: for each person of the test world and each action,
exactly which sessions (sign-ups, service records, corrections, certificates) they may act on.

In one sentence per person: 李娜 organises 智格's activity (its community's staff) and 陈静 滟澜's,
which includes the one 赵磊 created (the unit's activity has no host community here); 刘洋
(subdistrict staff) organises all of them; 郑丽 organises her unit's activity (its liaison); 赵磊
organises only the activity he created; 王芳 volunteers at all of them and sees, asks about and
certifies only her own records; the administrator manages everything but never checks in, asks for
corrections or downloads certificates for someone else; nobody else sees anything.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from jusha import permissions
from jusha.activities.models import Session, SignUp
from jusha.attendance import services
from jusha.attendance.models import Certificate, CorrectionRequest, ServiceRecord
from jusha.permissions import Action
from tests.attendance_helpers import at, make_activity, make_session, make_volunteer, sign_up

PEOPLE = ["anonymous", "wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang",
          "zhengli", "zhouqiang", "admin"]
NOBODY = dict.fromkeys(PEOPLE, set())
ALL = {"zhige", "yanlan", "unit", "subdistrict", "by_zhaolei"}
MANAGE = {**NOBODY, "lina": {"zhige"}, "chenjing": {"yanlan", "by_zhaolei"}, "liuyang": ALL, "zhengli": {"unit"},
          "zhaolei": {"by_zhaolei"}, "admin": ALL}


def who(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


@pytest.fixture
def sessions(world, clock):
    clock.current = at(2026, 5, 1, 8, 0)
    activities = {
        "zhige": make_activity(world, by=world.lina),
        "yanlan": make_activity(world, by=world.chenjing, community=world.yanlan),
        "unit": make_activity(world, by=world.zhengli, organiser="unit", unit=world.hospital, community=None),
        "subdistrict": make_activity(world, by=world.liuyang, organiser="subdistrict"),
        "by_zhaolei": make_activity(world, by=world.zhaolei, community=world.yanlan),
    }
    made = {name: make_session(a, starts_at=at(2026, 5, 1, 9, 0)) for name, a in activities.items()}
    make_volunteer(world, world.wangfang)
    clock.current = at(2026, 5, 1, 12, 0)
    for session in made.values():
        signup = sign_up(session, world.wangfang, role=SignUp.Role.VOLUNTEER)
        services.attendance_mark(actor=world.admin, signup=signup, present=True)
    sign_up(made["zhige"], world.zhangwei)
    zhige_record = ServiceRecord.objects.get(session=made["zhige"])
    services.service_record_verify(actor=world.lina, record=zhige_record)
    services.correction_request(actor=world.wangfang, record=zhige_record, hours="1", reason="早退")
    services.certificate_issue(actor=world.wangfang)
    return made


def seen(world, sessions, person, action, model=Session, field="pk"):
    by_pk = {s.pk: name for name, s in sessions.items()}
    return {by_pk[getattr(row, field)] for row in permissions.visible(who(world, person), action, model.objects.all())}


@pytest.mark.parametrize("person", PEOPLE)
def test_who_manages_a_sessions_attendance(world, sessions, person):
    assert seen(world, sessions, person, Action.ATTENDANCE_MANAGE) == MANAGE[person]


@pytest.mark.parametrize("person", PEOPLE)
def test_sign_ups_and_records_are_managed_by_the_same_organisers(world, sessions, person):
    assert seen(world, sessions, person, Action.ATTENDANCE_MANAGE, SignUp, "session_id") == MANAGE[person]
    assert seen(world, sessions, person, Action.ATTENDANCE_MANAGE, ServiceRecord, "session_id") == MANAGE[person]
    expected = MANAGE[person] & {"zhige"}
    corrections = {sessions["zhige"].pk: "zhige"}
    got = {corrections[c.record.session_id] for c in permissions.visible(
        who(world, person), Action.ATTENDANCE_MANAGE, CorrectionRequest.objects.all())}
    assert got == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_a_volunteer_sees_their_own_records_and_organisers_theirs(world, sessions, person):
    expected = ALL if person == "wangfang" else MANAGE[person]
    assert seen(world, sessions, person, Action.SERVICE_RECORD_VIEW, ServiceRecord, "session_id") == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_volunteer_asks_for_corrections_and_downloads_certificates(world, sessions, person):
    expected = ALL if person == "wangfang" else set()
    assert seen(world, sessions, person, Action.CORRECTION_REQUEST, ServiceRecord, "session_id") == expected
    certificates = permissions.visible(who(world, person), Action.CERTIFICATE_VIEW, Certificate.objects.all())
    assert certificates.count() == (1 if person == "wangfang" else 0)


@pytest.mark.parametrize("person", PEOPLE)
def test_everyone_checks_in_only_with_their_own_confirmed_sign_ups(world, sessions, person):
    expected = {"wangfang": ALL, "zhangwei": {"zhige"}}.get(person, set())
    assert seen(world, sessions, person, Action.ATTENDANCE_CHECK_IN, SignUp, "session_id") == expected


@pytest.mark.parametrize(("person", "expected"), [("anonymous", False), ("wangfang", False), ("zhaolei", False),
                                                  ("lina", True), ("liuyang", True), ("zhengli", True),
                                                  ("admin", True)])
def test_who_may_use_the_attendance_console(world, person, expected):
    assert permissions.can(who(world, person), Action.ATTENDANCE_MANAGE) is expected
