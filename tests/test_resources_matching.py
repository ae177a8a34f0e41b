"""Ranked matching suggestions on a hand-built set, every score part computed by hand below.

王芳 (智格) needs a blood-pressure check (category 测血压, a child of 医疗健康) on Tuesday 10:00–11:00,
at IN_ZHIGE. The candidates (weights: category 35, distance 20, availability 15, load 15, rating 15):

- 下沙医院: "测血压" lists 测血压 (1 → 35); its place is 0.009° north of the need, 1.0008 km
  (1 − 1.0008/5 = 0.8 → 16); Tuesday 09:00–12:00 (1 → 15); one need offered to it (1/2 → 7.5);
  never rated (the prior, 3 stars: (3−1)/4 = 0.5 → 7.5). Total 81.0.
- 社工站: "助老服务" lists 医疗健康, the parent (0.5 → 17.5); no place, but serves 智格 (0.6 → 12);
  no slots, by arrangement (0.5 → 7.5); nothing in hand (1 → 15); two five-star ratings
  ((3·3 + 5·2)/5 = 3.8 stars, (3.8−1)/4 = 0.7 → 10.5). Total 62.5.
- 滟澜小学: "健康讲座" lists 测血压 (35); serves only 滟澜 (0); Saturdays only (0); nothing in hand (15);
  never rated (7.5). Total 57.5.
Not candidates: a retired unit's approved resource, and a unit whose resource is only submitted.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jusha.needs import services as need_services
from jusha.needs.models import Claim, Need, NeedCategory, Rating
from jusha.orgs.models import MemberUnit
from jusha.resources.matching import available_in, suggest_for_need
from jusha.resources.models import Resource
from tests.needs_helpers import IN_ZHIGE, category, submit
from tests.resources_helpers import make

S = Resource.Status
TZ = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = datetime(2026, 12, 7, 8, 0, tzinfo=TZ)
TUESDAY_10, TUESDAY_11 = datetime(2026, 12, 8, 10, 0, tzinfo=TZ), datetime(2026, 12, 8, 11, 0, tzinfo=TZ)


def unit(world, name, *, serves, active=True):
    u = MemberUnit.objects.create(alliance=world.alliance, name=name, category=MemberUnit.Category.OTHER,
                                  is_active=active)
    u.service_area.set(serves)
    return u


@pytest.fixture
def scene(world, clock):
    clock.current = MONDAY_MORNING
    health = category("health")
    checks = NeedCategory.objects.create(parent=health, code="bp_checks", name="测血压", name_en="Blood pressure")
    s = type("Scene", (), {})()
    s.need = submit(world.wangfang, category=checks, preferred_from=TUESDAY_10, preferred_until=TUESDAY_11)
    s.station = unit(world, "社工站", serves=[world.zhige])
    make(world, S.APPROVED, title="测血压", categories=[checks], lng=IN_ZHIGE[0], lat=IN_ZHIGE[1] + 0.009,
         availability=[{"weekday": 1, "start": "09:00", "end": "12:00"}])
    make(world, S.APPROVED, unit=s.station, by=world.admin, title="助老服务", categories=[health], availability=[])
    make(world, S.APPROVED, unit=world.school, by=world.admin, title="健康讲座", categories=[checks],
         availability=[{"weekday": 5, "start": "09:00", "end": "12:00"}])
    make(world, S.APPROVED, unit=world.school, by=world.admin, title="作业辅导", categories=[category("tutoring")])
    retired = unit(world, "已退出单位", serves=[world.zhige])
    make(world, S.APPROVED, unit=retired, by=world.admin, title="旧资源", categories=[checks])
    retired.is_active = False
    retired.save()
    pending = unit(world, "待审单位", serves=[world.zhige])
    make(world, S.SUBMITTED, unit=pending, by=world.admin, title="待审资源", categories=[checks])
    # 下沙医院 has one need offered to it already; 社工站 was rated five stars twice.
    other = submit(world.wangfang, text="帮忙量一下血压，谢谢")
    need_services.need_match(actor=world.lina, need=other, unit=world.hospital)
    for n in range(2):
        done = submit(world.zhangwei, text=f"已完成的需求 {n}", at=None, community=world.yanlan)
        Rating.objects.create(need=done, by=world.zhangwei, stars=5, member_unit=s.station, created_at=clock())
    s.need = Need.objects.select_related("community", "category").get(pk=s.need.pk)
    return s


def table(suggestions):
    return [(s.candidate.name, s.total, {p.code: p.points for p in s.parts}) for s in suggestions]


def test_subdistrict_staff_see_every_unit_of_the_alliance_ranked_with_the_parts(world, scene):
    assert table(suggest_for_need(actor=world.liuyang, need=scene.need)) == [
        ("下沙医院", 81.0, {"category": 35.0, "distance": 16.0, "availability": 15.0, "load": 7.5, "rating": 7.5}),
        ("社工站", 62.5, {"category": 17.5, "distance": 12.0, "availability": 7.5, "load": 15.0, "rating": 10.5}),
        ("滟澜小学", 57.5, {"category": 35.0, "distance": 0.0, "availability": 0.0, "load": 15.0, "rating": 7.5}),
    ]


def test_each_suggestion_names_the_resources_that_fit_and_explains_every_part(world, scene):
    best, station, school = suggest_for_need(actor=world.liuyang, need=scene.need)
    assert [r.title for r in best.resources] == ["测血压"]
    assert [r.title for r in school.resources] == ["健康讲座"]  # not the tutoring it also offers
    assert best.candidate_kind == "member_unit"
    assert all(p.explanation for s in (best, station, school) for p in s.parts)
    assert "1.0" in next(p.explanation for p in best.parts if p.code == "distance")
    assert "5.0" in next(p.explanation for p in station.parts if p.code == "rating")


def test_community_staff_get_only_the_units_serving_the_community(world, scene):
    assert [s.candidate.name for s in suggest_for_need(actor=world.lina, need=scene.need)] == ["下沙医院", "社工站"]


def test_people_who_may_not_match_get_no_suggestions(world, scene):
    for person in (world.chenjing, world.zhengli, world.wangfang):
        assert suggest_for_need(actor=person, need=scene.need) == []


def test_the_limit_cuts_the_list(world, scene):
    assert [s.candidate.name for s in suggest_for_need(actor=world.liuyang, need=scene.need, limit=1)] == ["下沙医院"]


def test_the_query_count_does_not_grow_with_the_candidates(world, scene):
    world.liuyang.refresh_from_db()
    suggest_for_need(actor=world.liuyang, need=scene.need)  # the actor's scopes are cached from here on
    with CaptureQueriesContext(connection) as few:
        suggest_for_need(actor=world.liuyang, need=scene.need)
    for n in range(6):
        extra = unit(world, f"新单位{n}", serves=[world.zhige, world.yanlan])
        make(world, S.APPROVED, unit=extra, by=world.admin, title=f"资源{n}", categories=[category("health")],
             lng=120.31, lat=30.31)
    with CaptureQueriesContext(connection) as many:
        assert len(suggest_for_need(actor=world.liuyang, need=scene.need)) == 9
    assert len(many.captured_queries) == len(few.captured_queries) <= 6


def test_a_need_without_a_window_or_point_scores_the_neutral_values(world, clock):
    clock.current = MONDAY_MORNING
    need = submit(world.wangfang, at=None, community=world.zhige, category=category("health"))
    make(world, S.APPROVED, categories=[category("health")])
    [only] = suggest_for_need(actor=world.lina, need=need)
    assert {p.code: p.points for p in only.parts} == {"category": 35.0, "distance": 12.0, "availability": 7.5,
                                                      "load": 15.0, "rating": 7.5}


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((2026, 12, 8, 10), (2026, 12, 8, 11), True),  # Tuesday inside 09–12
    ((2026, 12, 8, 12), (2026, 12, 8, 13), False),  # starts as the slot ends
    ((2026, 12, 8, 7), (2026, 12, 8, 9), False),  # ends as the slot starts
    ((2026, 12, 6, 20), (2026, 12, 8, 9, 30), True),  # Sunday evening to Tuesday 09:30
    ((2026, 12, 9, 0), (2026, 12, 14, 0), False),  # Wednesday to Sunday: no Tuesday
    ((2026, 12, 9, 0), (2026, 12, 25, 0), True),  # more than a week always holds a Tuesday
])
def test_weekly_slots_against_a_window(start, end, expected):
    slots = [{"weekday": 1, "start": "09:00", "end": "12:00"}]
    assert available_in(slots, datetime(*start), datetime(*end)) is expected


# --- the console: suggestions on the need's page, matched with one click ---------------------------

def test_the_need_page_ranks_the_suggestions_and_matches_one_with_one_click(client, world, scene):
    client.force_login(world.lina)
    page = client.get(reverse("needs_console:detail", args=[scene.need.pk])).content.decode()
    assert page.count('data-testid="suggestion"') == 2
    assert page.index(f'data-unit="{world.hospital.pk}"') < page.index(f'data-unit="{scene.station.pk}"')
    assert 'data-part="distance" data-points="16.0"' in page
    response = client.post(reverse("needs_console:act", args=[scene.need.pk, "match"]), {"unit": scene.station.pk})
    assert response.status_code == 302
    claim = Claim.objects.get(need=scene.need)
    assert (claim.member_unit, claim.status) == (scene.station, Claim.Status.OFFERED)
    assert Need.objects.get(pk=scene.need.pk).status == Need.Status.MATCHED
    # Matched: the page offers no more suggestions.
    assert 'data-testid="suggestion"' not in client.get(reverse("needs_console:detail", args=[scene.need.pk])
                                                        ).content.decode()


def test_matching_a_unit_the_person_may_not_match_is_refused_not_a_500(client, world, scene):
    client.force_login(world.lina)
    for unit_value in (world.school.pk, "abc", "", "99999999999999999999"):
        response = client.post(reverse("needs_console:act", args=[scene.need.pk, "match"]), {"unit": unit_value})
        assert response.status_code == 400
    assert not Claim.objects.filter(need=scene.need).exists()


def test_the_liaison_sees_no_suggestions_on_an_offered_need(client, world, scene):
    claim = need_services.need_match(actor=world.lina, need=scene.need, unit=world.hospital)
    client.force_login(world.zhengli)
    page = client.get(reverse("needs_console:detail", args=[claim.need_id])).content.decode()
    assert 'data-testid="suggestions"' not in page


def test_the_api_gives_the_same_ranking_with_the_parts(client, world, scene):
    client.force_login(world.liuyang)
    rows = client.get("/api/resources/suggestions", {"need": scene.need.pk}).json()
    assert [(r["candidate"], r["total"]) for r in rows] == [("下沙医院", 81.0), ("社工站", 62.5), ("滟澜小学", 57.5)]
    assert [p["code"] for p in rows[0]["parts"]] == ["category", "distance", "availability", "load", "rating"]
    assert rows[0]["parts"][1]["points"] == 16.0 and rows[0]["candidate_kind"] == "member_unit"
    client.force_login(world.chenjing)  # 滟澜's staff may not decide on 智格's need
    assert client.get("/api/resources/suggestions", {"need": scene.need.pk}).status_code == 404
    assert client.get("/api/resources/suggestions", {"need": "x"}).status_code == 422
