"""What the database itself guarantees about needs, whatever code writes to it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from jusha.needs.models import Claim, Need, NeedCategory, NeedEvent, Rating

TOP = ["errands", "elderly_disabled", "health", "legal", "tutoring", "counselling", "repairs", "sanitation",
       "culture_sports", "other"]


def test_the_ten_top_categories_are_seeded_in_chinese_with_english_codes(db):
    top = NeedCategory.objects.filter(parent=None).order_by("sort_order")
    assert [c.code for c in top] == TOP
    assert [c.name for c in top] == ["生活帮扶/跑腿代办", "助老助残", "医疗健康", "法律咨询", "教育辅导", "心理疏导",
                                     "维修服务", "环境卫生", "文体活动", "其他"]
    health = NeedCategory.objects.get(code="health")
    with translation.override("en"):
        assert health.label == "Medical and health"
    with translation.override("zh-hans"):
        assert str(health) == "医疗健康"


def test_a_category_cannot_be_its_own_ancestor(db):
    parent = NeedCategory.objects.get(code="health")
    child = NeedCategory.objects.create(parent=parent, code="medicine_errand", name="代购药品", name_en="Medicine")
    parent.parent = child
    with pytest.raises(ValidationError):
        parent.clean()


def _need(world, **fields) -> Need:
    return Need.objects.create(resident=world.wangfang, community=world.zhige,
                               category=NeedCategory.objects.get(code="errands"), text="买眼药水",
                               submitted_at=timezone.now(), **fields)


def test_at_most_one_live_claim_per_need_is_a_database_fact(world):
    need = _need(world)
    now = timezone.now()
    Claim.objects.create(need=need, member_unit=world.hospital, via="board", status="active", created_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(need=need, member_unit=world.school, via="match", status="offered", created_at=now)
    Claim.objects.create(need=need, member_unit=world.school, via="match", status="declined", created_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(need=need, via="board", status="released", created_at=now)


def test_ratings_are_one_to_five_and_locations_are_points(world):
    need = _need(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(need=need, by=world.wangfang, stars=6, created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        _need(world, lng=120.3, lat=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        _need(world, lng=200, lat=30)


def test_timeline_events_are_append_only(world):
    need = _need(world)
    event = NeedEvent.objects.create(need=need, at=timezone.now(), step="submit", to_status="submitted")
    event.note = "changed"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert NeedEvent.objects.get(pk=event.pk).note == ""
