"""Who hears about a micro-wish: after commit only, once per event, and never the beneficiary's name,
phone or address in any message."""

import pytest

from jusha.notifications import kinds
from jusha.notifications.models import Message
from jusha.wishes import services
from tests.needs_helpers import png_bytes, upload
from tests.wishes_helpers import PRIVATE, collect, published


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def inbox(user) -> list[str]:
    return [m.kind for m in Message.objects.filter(recipient=user).order_by("id")]


def test_the_whole_story_tells_each_person_once(world, committed, clock):
    wish = collect(world, beneficiary=world.wangfang, beneficiary_name="")
    services.wish_verify(actor=world.lina, wish=wish)
    services.wish_publish(actor=world.lina, wish=wish)
    with committed():
        claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    assert inbox(world.lina) == ["wishes.claimed"] and inbox(world.chenjing) == []
    with committed():
        services.wish_contact(actor=world.zhengli, claim=claim, note="已联系")
        services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达", photo_files=[upload(png_bytes())])
    assert inbox(world.lina)[-1] == "wishes.delivered" and inbox(world.wangfang) == ["wishes.delivered"]
    with committed():
        services.wish_confirm(actor=world.wangfang, wish=wish)
    assert inbox(world.zhengli) == ["wishes.fulfilled"]


def test_a_reminder_a_day_before_the_deadline_then_the_lapse(world, committed, clock):
    wish = published(world)
    with committed():
        services.wish_claim(actor=world.wangfang, wish=wish)
    clock.advance(days=6, hours=1)
    services.wishes_lapse_sweep()
    services.wishes_lapse_sweep()
    assert inbox(world.wangfang) == ["wishes.contact_due"]
    clock.advance(days=1)
    with committed():
        services.wishes_lapse_sweep()
    assert inbox(world.wangfang) == ["wishes.contact_due", "wishes.lapsed"]
    assert inbox(world.lina) == ["wishes.claimed", "wishes.returned"]


def test_a_claimer_is_told_when_a_claimed_wish_is_cancelled(world, committed):
    wish = published(world)
    services.wish_claim(actor=world.zhangwei, wish=wish)
    with committed():
        services.wish_cancel(actor=world.lina, wish=wish, reason="家庭已搬走")
    assert inbox(world.zhangwei) == ["wishes.cancelled"]


def test_nothing_is_told_before_commit(world, django_capture_on_commit_callbacks):
    wish = published(world)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.wish_claim(actor=world.zhangwei, wish=wish)
    assert Message.objects.count() == 0 and len(pending) == 1


def test_no_message_or_text_carries_the_beneficiarys_details(world, committed, clock):
    wish = published(world)
    with committed():
        claim = services.wish_claim(actor=world.zhangwei, wish=wish)
        services.wish_contact(actor=world.zhangwei, claim=claim, note="已联系")
        services.wish_deliver(actor=world.zhangwei, claim=claim, note="已送达", photo_files=[upload(png_bytes())])
        services.wish_confirm(actor=world.lina, wish=wish)
    texts = []
    for message in Message.objects.all():
        spec = kinds.get(message.kind)
        for language in ("zh-hans", "en"):
            texts.extend(spec.render(message.context, language))
            texts.append(spec.render_short(message.context, language))
        texts.append(str(message.context))
    assert texts
    for text in texts:
        for secret in PRIVATE:
            assert secret not in text
