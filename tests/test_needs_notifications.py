"""Who hears about each step of a need: after commit only, once per event, and never the resident's
words by text message."""

import pytest

from jusha.needs import services
from jusha.notifications.models import Delivery, Message
from tests.needs_helpers import EYE_DROPS, IN_YANLAN, submit


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block and then what it scheduled for after commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def inbox(user) -> list[str]:
    return [m.kind for m in Message.objects.filter(recipient=user).order_by("id")]


def test_a_new_need_tells_the_communitys_staff_not_the_resident_who_sent_it(world, committed):
    with committed():
        need = submit(world.wangfang)
    assert inbox(world.lina) == ["needs.queue"]
    assert inbox(world.chenjing) == [] and inbox(world.wangfang) == []
    message = Message.objects.get(recipient=world.lina)
    assert message.link == f"/console/needs/{need.pk}/"


def test_nothing_is_told_before_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as pending:
        submit(world.wangfang)
    assert Message.objects.count() == 0 and len(pending) == 1


def test_the_resident_hears_every_step_taken_by_someone_else(world, committed):
    need = submit(world.wangfang)
    with committed():
        services.need_accept(actor=world.lina, need=need)
    with committed():
        claim = services.need_match(actor=world.lina, need=need, unit=world.hospital)
    with committed():
        services.need_match_accept(actor=world.zhengli, claim=claim)
    with committed():
        services.need_complete(actor=world.zhengli, need=need, resolution="已送到")
    assert inbox(world.wangfang) == ["needs.progress", "needs.progress", "needs.progress", "needs.completed"]
    assert inbox(world.zhengli) == ["needs.offered"]
    done = Message.objects.filter(recipient=world.wangfang, kind="needs.completed").get()
    assert done.link == need.get_absolute_url()
    with committed():
        services.need_confirm(actor=world.wangfang, need=need, stars=5, comment="谢谢")
    assert inbox(world.wangfang)[-1] == "needs.completed", "she is not told what she did herself"
    assert "needs.rated" in inbox(world.lina) and "needs.rated" in inbox(world.zhengli)


def test_a_rejection_reaches_the_resident_by_sms_without_her_words(world, committed, sent_texts):
    need = submit(world.wangfang)
    with committed():
        services.need_reject(actor=world.lina, need=need, reason="请拨打12345咨询")
    message = Message.objects.get(recipient=world.wangfang)
    assert message.kind == "needs.rejected"
    assert message.context["reason"] == "请拨打12345咨询"
    assert Delivery.objects.filter(message=message, channel="sms").exists()
    texts = [t.body for t in sent_texts if t.to == world.wangfang.mobile]
    assert texts and all(EYE_DROPS not in t and "12345" not in t for t in texts)


def test_escalation_goes_to_the_subdistrict_and_its_reason_stays_with_staff(world, committed):
    need = submit(world.zhangwei, at=IN_YANLAN)
    with committed():
        services.need_escalate(actor=world.chenjing, need=need, reason="内部：需要协调医院")
    assert inbox(world.liuyang) == ["needs.queue"]
    told = Message.objects.get(recipient=world.zhangwei)
    assert told.kind == "needs.progress" and "内部" not in str(told.context)


def test_a_reassigned_unit_hears_it_was_handed_on(world, committed):
    need = submit(world.wangfang)
    services.need_match(actor=world.lina, need=need, unit=world.hospital)
    with committed():
        services.need_reassign(actor=world.liuyang, need=need, unit=world.school, reason="医院人手不足")
    assert inbox(world.zhengli)[-1] == "needs.withdrawn"
