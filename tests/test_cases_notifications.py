"""Who hears what about a case: the assignee on dispatch, the center on return and extension requests,
supervisors when handled, reporters on accept and close; texts carry no description or reason."""

import datetime

import pytest

from jusha.cases import services
from jusha.notifications.models import Message
from tests.cases_helpers import S, bring_to, photo

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def kinds_for(person):
    return list(Message.objects.filter(recipient=person).order_by("pk").values_list("kind", flat=True))


def test_each_step_tells_the_right_people(world, committed, clock):
    with committed():
        case = bring_to(world, S.FILED)
    assert kinds_for(world.wangfang) == ["cases.progress"]  # accepted
    assert kinds_for(world.zhaolei) == ["cases.queue"]  # the new report
    with committed():
        services.case_dispatch(actor=world.zhaolei, case=case, assignee=world.zhouqiang)
    assert kinds_for(world.zhouqiang) == ["cases.task"]
    with committed():
        services.case_take(actor=world.zhouqiang, case=case)
        services.case_extension_request(actor=world.zhouqiang, case=case,
                                        until=clock().date() + datetime.timedelta(days=3), reason="等待物业配合")
    assert kinds_for(world.zhaolei) == ["cases.queue"] * 2
    with committed():
        services.case_handle(actor=world.zhouqiang, case=case, note="已处理", photo_files=[photo()])
    assert kinds_for(world.sunmin) == ["cases.verify"]
    with committed():
        services.case_rework(actor=world.sunmin, case=case, reason="衣物仍在")
    assert kinds_for(world.zhouqiang) == ["cases.task", "cases.task"]
    assert kinds_for(world.wangfang) == ["cases.progress", "cases.progress"]
    with committed():
        services.case_return(actor=world.zhouqiang, case=case, reason="属于物业")
    assert kinds_for(world.zhaolei) == ["cases.queue"] * 3
    from jusha.notifications import kinds

    for message in Message.objects.all():
        short = kinds.get(message.kind).render_short(message.context, "zh-hans")
        assert "等待物业配合" not in short and "属于物业" not in short and "晾晒衣物" not in short
