"""Needs and micro-wishes pay points through `points_award_for` when they are fulfilled: the person who
took the need on (郑丽, for 下沙医院) when the resident confirms it or it is confirmed automatically, and
the person who claimed a wish when it is confirmed; never twice for the same need or wish."""

import pytest
from django.conf import settings as django_settings

from jusha.needs import services as needs
from jusha.needs.models import Need
from jusha.points.models import PointsTransaction, Trigger
from jusha.wishes import services as wishes
from tests.needs_helpers import png_bytes, submit, upload
from tests.points_helpers import balance, rule
from tests.wishes_helpers import published

pytestmark = pytest.mark.django_db


def _completed_need(world):
    need = submit(world.wangfang)
    needs.need_accept(actor=world.lina, need=need)
    needs.need_claim(actor=world.zhengli, need=need, unit=world.hospital)
    needs.need_complete(actor=world.zhengli, need=need, resolution="已送到")
    return need


def test_confirming_a_need_pays_the_person_who_took_it_on_once(world):
    rule(world, Trigger.NEED_FULFILLED, points=30)
    need = _completed_need(world)
    needs.need_confirm(actor=world.wangfang, need=need, stars=5)
    assert balance(world.zhengli) == 30 and balance(world.wangfang) == 0
    needs.need_reopen(actor=world.wangfang, need=need, reason="还是不行")
    needs.need_accept(actor=world.lina, need=need)
    needs.need_claim(actor=world.zhengli, need=need, unit=world.hospital)
    needs.need_complete(actor=world.zhengli, need=need, resolution="再次送到")
    needs.need_confirm(actor=world.wangfang, need=need, stars=4)
    assert balance(world.zhengli) == 30
    movement = PointsTransaction.objects.get(person=world.zhengli)
    assert (movement.trigger, movement.source_id) == ("need_fulfilled", str(need.pk))


def test_an_automatically_confirmed_need_pays_too(world, clock):
    rule(world, Trigger.NEED_FULFILLED, points=12)
    _completed_need(world)
    clock.advance(days=django_settings.JUSHA_NEED_AUTO_CONFIRM_DAYS + 1)
    assert needs.needs_auto_confirm() == 1
    assert balance(world.zhengli) == 12


def test_a_need_resolved_by_staff_pays_nobody(world):
    rule(world, Trigger.NEED_FULFILLED, points=12)
    need = submit(world.wangfang)
    needs.need_resolve(actor=world.lina, need=need, resolution="电话解答")
    needs.need_confirm(actor=world.wangfang, need=need, stars=5)
    assert not PointsTransaction.objects.exists()


def test_a_fulfilled_wish_pays_its_claimer(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rule(world, Trigger.WISH_FULFILLED, points=25)
    wish = published(world)
    claim = wishes.wish_claim(actor=world.zhangwei, wish=wish)
    wishes.wish_contact(actor=world.zhangwei, claim=claim, note="已联系社区")
    wishes.wish_deliver(actor=world.zhangwei, claim=claim, note="书包已送到", photo_files=[upload(png_bytes())])
    wishes.wish_confirm(actor=world.lina, wish=wish)
    assert balance(world.zhangwei) == 25
    assert PointsTransaction.objects.get(person=world.zhangwei).trigger == "wish_fulfilled"


def test_without_a_rule_fulfilment_pays_nothing_and_still_works(world):
    need = _completed_need(world)
    needs.need_confirm(actor=world.wangfang, need=need, stars=5)
    assert balance(world.zhengli) == 0
    assert Need.objects.get(pk=need.pk).status == Need.Status.CLOSED
