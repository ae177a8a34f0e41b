"""One small, named world for the tests.

Xiasha-like subdistrict 下沙街道 (330114001) with two communities:
- 智格社区 (330114001001): grids 智格一 (west) and 智格二 (east), each 0.01° wide;
- 滟澜社区 (330114001002): grids 滟澜一 and 滟澜二, north of 智格.

People, and what each may see:
- 王芳 (resident of 智格, 13800000001) sees only herself;
- 张伟 (resident of 滟澜, 13800000002) sees only himself;
- 李娜 (community staff of 智格) sees 智格's people and must not see 滟澜's;
- 陈静 (community staff of 滟澜) sees 滟澜's people only;
- 刘洋 (subdistrict staff of 下沙) sees everyone in the subdistrict;
- 赵磊 (command operator) sees units and places of 下沙, not people;
- 孙敏 (supervisor) sees audit entries of 下沙;
- 周强 (grid worker of 智格一), 吴刚 (team member of the 综合管理大队), 郑丽 (liaison of 下沙医院);
- 管理员 admin is an administrator and sees everything.
"""

import pytest

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.orgs.models import Alliance, GridWorker, MemberUnit, SubAlliance, Team
from jusha.places.models import Community, District, Grid, Subdistrict

PASSWORD = "correct-horse-battery"


def square(lng0: float, lat0: float, size: float = 0.01) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng0, lat0], [lng0 + size, lat0], [lng0 + size, lat0 + size],
                                                [lng0, lat0 + size], [lng0, lat0]]]}


def rect(lng0, lat0, lng1, lat1) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng0, lat0], [lng1, lat0], [lng1, lat1], [lng0, lat1], [lng0, lat0]]]}


class World:
    pass


@pytest.fixture
def world(db):
    w = World()
    w.district = District.objects.create(code="330114", name="钱塘区")
    w.subdistrict = Subdistrict.objects.create(district=w.district, code="330114001", name="下沙街道",
                                               boundary=rect(120.30, 30.30, 120.32, 30.32))
    w.zhige = Community.objects.create(subdistrict=w.subdistrict, code="330114001001", name="智格社区",
                                       boundary=rect(120.30, 30.30, 120.32, 30.31))
    w.yanlan = Community.objects.create(subdistrict=w.subdistrict, code="330114001002", name="滟澜社区",
                                        boundary=rect(120.30, 30.31, 120.32, 30.32))
    w.zhige1 = Grid.objects.create(community=w.zhige, code="330114001001001", name="智格一",
                                   boundary=square(120.30, 30.30))
    w.zhige2 = Grid.objects.create(community=w.zhige, code="330114001001002", name="智格二",
                                   boundary=square(120.31, 30.30))
    w.yanlan1 = Grid.objects.create(community=w.yanlan, code="330114001002001", name="滟澜一",
                                    boundary=square(120.30, 30.31))
    w.yanlan2 = Grid.objects.create(community=w.yanlan, code="330114001002002", name="滟澜二",
                                    boundary=square(120.31, 30.31))
    w.alliance = Alliance.objects.create(subdistrict=w.subdistrict, name="聚沙党建联盟")
    w.zhige_sub = SubAlliance.objects.create(alliance=w.alliance, community=w.zhige, name="智格社区党建子联盟")
    w.yanlan_sub = SubAlliance.objects.create(alliance=w.alliance, community=w.yanlan, name="滟澜社区党建子联盟")
    w.hospital = MemberUnit.objects.create(alliance=w.alliance, sub_alliance=w.zhige_sub, name="下沙医院",
                                           category=MemberUnit.Category.HOSPITAL, contact_name="郑丽")
    w.hospital.service_area.add(w.zhige)
    w.school = MemberUnit.objects.create(alliance=w.alliance, sub_alliance=w.yanlan_sub, name="滟澜小学",
                                         category=MemberUnit.Category.SCHOOL)
    w.school.service_area.add(w.yanlan)
    w.brigade = Team.objects.create(subdistrict=w.subdistrict, name="综合管理大队",
                                    kind=Team.Kind.INTEGRATED_BRIGADE)

    def person(name, *, mobile=None, username=None, role=None, **scope):
        user = User.objects.create_user(username=username, password=PASSWORD if username else None, name=name,
                                        mobile=mobile)
        if role:
            RoleAssignment.objects.create(user=user, role=role, **scope)
        return user

    w.wangfang = person("王芳", mobile="13800000001", role=Role.RESIDENT, community=w.zhige)
    w.zhangwei = person("张伟", mobile="13800000002", role=Role.RESIDENT, community=w.yanlan)
    w.lina = person("李娜", username="lina", mobile="13900000001", role=Role.COMMUNITY_STAFF, community=w.zhige)
    w.chenjing = person("陈静", username="chenjing", role=Role.COMMUNITY_STAFF, community=w.yanlan)
    w.liuyang = person("刘洋", username="liuyang", role=Role.SUBDISTRICT_STAFF, subdistrict=w.subdistrict)
    w.zhaolei = person("赵磊", username="zhaolei", role=Role.COMMAND_OPERATOR, subdistrict=w.subdistrict)
    w.sunmin = person("孙敏", username="sunmin", role=Role.SUPERVISOR, subdistrict=w.subdistrict)
    w.wugang = person("吴刚", username="wugang", role=Role.TEAM_MEMBER, team=w.brigade)
    w.zhengli = person("郑丽", username="zhengli", mobile="13900000003", role=Role.UNIT_LIAISON,
                       member_unit=w.hospital)
    w.zhouqiang = person("周强", username="zhouqiang", mobile="13900000002")
    gw = GridWorker.objects.create(user=w.zhouqiang)
    gw.grids.add(w.zhige1)
    w.admin = person("管理员", username="admin", role=Role.ADMINISTRATOR)
    w.admin.is_staff = w.admin.is_superuser = True
    w.admin.save()
    return w


@pytest.fixture
def clock(monkeypatch):
    from jusha.core import clock as clock_module
    from tests.clock import MovableClock

    moving = MovableClock()
    monkeypatch.setattr(clock_module, "now", moving)
    return moving


@pytest.fixture
def sent_texts(monkeypatch):
    """Every text message the console sender would have sent, in order."""
    from jusha.core import messaging

    outbox: list[messaging.TextMessage] = []
    monkeypatch.setattr(messaging.ConsoleSender, "send", lambda self, message: outbox.append(message))
    return outbox
