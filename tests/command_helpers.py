"""Helpers for the command screen tests: a second subdistrict (白杨街道) with its own operator and a case,
so that scoping can be seen; the test world (tests/conftest.py) has 下沙街道 and its staff."""

from datetime import datetime

from django.utils import timezone

from jusha.accounts.models import Role, RoleAssignment, User
from jusha.places.models import Community, Grid, Subdistrict
from tests.conftest import PASSWORD, rect, square

IN_BAIYANG = (120.405, 30.405)
# A Friday morning in Hangzhou time: "today" for the tiles starts at local midnight.
NOW = timezone.make_aware(datetime(2026, 11, 27, 10, 0))


def baiyang(world):
    """白杨街道 with one community and grid, and 钱军, its command operator."""
    sub = Subdistrict.objects.create(district=world.district, code="330114002", name="白杨街道",
                                     boundary=rect(120.40, 30.40, 120.42, 30.42))
    community = Community.objects.create(subdistrict=sub, code="330114002001", name="白杨社区",
                                         boundary=rect(120.40, 30.40, 120.42, 30.42))
    Grid.objects.create(community=community, code="330114002001001", name="白杨一", boundary=square(120.40, 30.40))
    operator = User.objects.create_user(username="qianjun", password=PASSWORD, name="钱军")
    RoleAssignment.objects.create(user=operator, role=Role.COMMAND_OPERATOR, subdistrict=sub)
    world.baiyang, world.baiyang_community, world.qianjun = sub, community, operator
    return sub
