"""The micro-wish pages and API through the test client: the public walls (anonymous too), claiming,
the claimer's page, the console — and that no public page or JSON ever carries the beneficiary's
name, phone or address."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from jusha.wishes import services
from jusha.wishes.models import MicroWish, WishClaim, WishPhoto
from tests.needs_helpers import png_bytes, upload
from tests.wishes_helpers import PRIVATE, S, collect, live_claim, published

PEOPLE = ["wangfang", "zhangwei", "lina", "chenjing", "liuyang", "zhaolei", "sunmin", "wugang", "zhengli",
          "zhouqiang", "admin"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def as_user(client, user):
    client.force_login(user)
    return client


def assert_private(text: str) -> None:
    for secret in PRIVATE:
        assert secret not in text, f"{secret!r} leaked"


@pytest.fixture
def story(world, clock):
    """One wish in each public state, with the beneficiary's private details on every one."""
    wall = published(world, text="一台助听器")
    claimed = published(world, text="一个新书包")
    services.wish_claim(actor=world.zhengli, wish=claimed, unit=world.hospital, show_name=True)
    done = published(world, text="冬天的棉被")
    claim = services.wish_claim(actor=world.zhengli, wish=done, unit=world.hospital, show_name=True)
    services.wish_contact(actor=world.zhengli, claim=claim, note="已联系李娜")
    services.wish_deliver(actor=world.zhengli, claim=claim, note="棉被已送到", photo_files=[upload(png_bytes())])
    services.wish_confirm(actor=world.lina, wish=done)
    anonymous_done = published(world, text="一套绘本")
    claim = services.wish_claim(actor=world.wangfang, wish=anonymous_done)
    services.wish_contact(actor=world.wangfang, claim=claim, note="已联系")
    services.wish_deliver(actor=world.wangfang, claim=claim, note="已送达", photo_files=[upload(png_bytes())])
    services.wish_confirm(actor=world.lina, wish=anonymous_done)
    draft = collect(world, text="一把轮椅")
    return {"wall": wall, "claimed": claimed, "done": done, "anonymous_done": anonymous_done, "draft": draft}


# --- the public walls -----------------------------------------------------------------------------

def test_anonymous_visitors_see_the_walls_without_private_details(client, story):
    wall = client.get(reverse("wishes:wall"))
    assert wall.status_code == 200
    page = wall.content.decode()
    assert "一台助听器" in page and "欧**" in page
    assert "一个新书包" not in page and "一把轮椅" not in page  # claimed and collected wishes are not on it
    assert_private(page)
    thanks = client.get(reverse("wishes:thanks")).content.decode()
    assert "冬天的棉被" in thanks and "下沙医院" in thanks
    assert "一套绘本" in thanks and "王芳" not in thanks  # she did not agree to be named
    assert_private(thanks)
    for wish in ("wall", "claimed", "done"):
        detail = client.get(reverse("wishes:detail", args=[story[wish].pk]))
        assert detail.status_code == 200
        assert_private(detail.content.decode())
    assert client.get(reverse("wishes:detail", args=[story["draft"].pk])).status_code == 404


def test_the_wall_filters_by_community_and_category_and_swaps_only_the_list(client, world, story):
    published(world, community=world.yanlan, text="一双棉鞋", category=MicroWish.Category.CLOTHING)
    page = client.get(reverse("wishes:wall"), {"community": world.yanlan.pk}).content.decode()
    assert "一双棉鞋" in page and "一台助听器" not in page
    page = client.get(reverse("wishes:wall"), {"category": "clothing"}).content.decode()
    assert "一双棉鞋" in page and "一台助听器" not in page
    partial = client.get(reverse("wishes:wall"), {"category": "study"}, headers={"HX-Request": "true",
                                                                                 "HX-Target": "results"})
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "一台助听器" in body
    assert client.get(reverse("wishes:wall"), {"community": "x' or 1", "category": "<b>"}).status_code == 200


def test_the_wall_runs_a_fixed_number_of_queries(client, world, story, django_assert_max_num_queries):
    for i in range(10):
        published(world, text=f"心愿{i}")
    with django_assert_max_num_queries(8):
        client.get(reverse("wishes:wall"))
    with django_assert_max_num_queries(8):
        client.get(reverse("wishes:thanks"))


def test_the_services_tab_links_to_both_walls(client, world):
    page = as_user(client, world.wangfang).get(reverse("web:services")).content.decode()
    assert reverse("wishes:wall") in page and reverse("wishes:thanks") in page


def test_text_is_escaped(client, world):
    published(world, text='<script>alert("x")</script>书包')
    page = client.get(reverse("wishes:wall")).content.decode()
    assert '<script>alert("x")' not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("person", PEOPLE)
def test_the_pages_render_for_every_role(client, world, story, person):
    client = as_user(client, getattr(world, person))
    for name, args in [("wishes:wall", []), ("wishes:thanks", []), ("wishes:claims", []),
                       ("wishes:detail", [story["wall"].pk])]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        if person not in ("lina", "liuyang", "admin"):
            assert_private(response.content.decode())
    console = client.get(reverse("wishes_console:list"))
    detail = client.get(reverse("wishes_console:detail", args=[story["draft"].pk]))
    assert console.status_code == (200 if person in {"lina", "chenjing", "liuyang", "admin"} else 404)
    assert detail.status_code == (200 if person in {"lina", "liuyang", "admin"} else 404)


# --- claiming and the claimer's page ---------------------------------------------------------------

def test_anonymous_claim_goes_to_log_in(client, story):
    response = client.post(reverse("wishes:claim", args=[story["wall"].pk]), {"claim_as": "self"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_liaison_claims_for_the_unit_and_sees_the_communitys_contact_not_the_family(client, world, story):
    client = as_user(client, world.zhengli)
    response = client.post(reverse("wishes:claim", args=[story["wall"].pk]),
                           {"claim_as": str(world.hospital.pk), "show_name": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("wishes:claims")
    claim = live_claim(story["wall"])
    assert (claim.member_unit, claim.show_name) == (world.hospital, True)
    page = client.get(reverse("wishes:claims")).content.decode()
    assert "李娜" in page and "13900000001" in page  # the staff member who published it
    assert_private(page)


def test_a_second_claim_is_told_the_wish_is_taken(client, world, story):
    response = as_user(client, world.zhangwei).post(reverse("wishes:claim", args=[story["claimed"].pk]),
                                                    {"claim_as": "self"})
    assert response.status_code == 409
    assert b'data-testid="wish-error"' in response.content


def test_claiming_for_a_unit_one_does_not_liaise_is_refused(client, world, story):
    response = as_user(client, world.wangfang).post(reverse("wishes:claim", args=[story["wall"].pk]),
                                                    {"claim_as": str(world.hospital.pk)})
    assert response.status_code == 400 and live_claim(story["wall"]) is None
    response = client.post(reverse("wishes:claim", args=[story["wall"].pk]), {"claim_as": "nonsense"})
    assert response.status_code == 400


def test_contact_then_delivery_with_a_photo_from_the_claimers_page(client, world, story):
    client = as_user(client, world.zhengli)
    claim = live_claim(story["claimed"])
    assert client.post(reverse("wishes:claim_act", args=[claim.pk, "contact"]), {"note": ""}).status_code == 400
    response = client.post(reverse("wishes:claim_act", args=[claim.pk, "contact"]), {"note": "已与李娜约好周六"})
    assert response.status_code == 302
    bad = client.post(reverse("wishes:claim_act", args=[claim.pk, "deliver"]),
                      {"note": "已送达", "photos": upload(b"GIF89a broken", name="bag.gif")})
    assert bad.status_code == 400 and b'data-testid="claim-error"' in bad.content
    response = client.post(reverse("wishes:claim_act", args=[claim.pk, "deliver"]),
                           {"note": "书包已送到", "photos": upload(png_bytes())})
    assert response.status_code == 302
    assert MicroWish.objects.get(pk=story["claimed"].pk).status == S.DELIVERED
    photo = WishPhoto.objects.get(wish=story["claimed"], stage="delivery")
    assert client.get(photo.get_absolute_url()).status_code == 200
    client.force_login(world.zhangwei)
    assert client.get(photo.get_absolute_url()).status_code == 404


def test_someone_elses_claim_is_not_found(client, world, story):
    claim = live_claim(story["claimed"])
    response = as_user(client, world.wangfang).post(reverse("wishes:claim_act", args=[claim.pk, "contact"]),
                                                    {"note": "x"})
    assert response.status_code == 404
    assert as_user(client, world.zhengli).post(reverse("wishes:claim_act", args=[claim.pk, "fly"])).status_code \
        == 404


def test_the_claimer_changes_the_name_consent_and_gives_a_wish_back(client, world, story):
    client = as_user(client, world.zhengli)
    claim = live_claim(story["claimed"])
    client.post(reverse("wishes:claim_act", args=[claim.pk, "show_name"]), {})
    assert WishClaim.objects.get(pk=claim.pk).show_name is False
    client.post(reverse("wishes:claim_act", args=[claim.pk, "release"]), {"reason": "单位活动取消"})
    assert MicroWish.objects.get(pk=story["claimed"].pk).status == S.PUBLISHED


def test_the_beneficiary_confirms_on_the_wish_page(client, world, clock):
    wish = collect(world, beneficiary=world.wangfang, beneficiary_name="")
    services.wish_verify(actor=world.lina, wish=wish)
    services.wish_publish(actor=world.lina, wish=wish)
    claim = services.wish_claim(actor=world.zhengli, wish=wish, unit=world.hospital)
    services.wish_contact(actor=world.zhengli, claim=claim, note="已联系")
    services.wish_deliver(actor=world.zhengli, claim=claim, note="已送达", photo_files=[upload(png_bytes())])
    page = as_user(client, world.wangfang).get(reverse("wishes:detail", args=[wish.pk])).content.decode()
    assert 'data-testid="confirm"' in page
    assert client.post(reverse("wishes:confirm", args=[wish.pk])).status_code == 302
    assert MicroWish.objects.get(pk=wish.pk).status == S.FULFILLED
    assert as_user(client, world.zhangwei).post(reverse("wishes:confirm", args=[wish.pk])).status_code == 404


# --- the console -------------------------------------------------------------------------------------

def test_staff_collect_verify_and_publish_from_the_console(client, world, clock):
    client = as_user(client, world.lina)
    data = {"community": world.zhige.pk, "beneficiary_name": "欧阳小明", "beneficiary_phone": "13712345678",
            "beneficiary_address": "智格社区7幢2单元501室", "category": "study", "text": "一个新书包",
            "estimated_value": 120, "target_date": (clock().date() + timedelta(days=20)).isoformat()}
    bad = client.post(reverse("wishes_console:new"), {**data, "estimated_value": 0})
    assert bad.status_code == 400 and MicroWish.objects.count() == 0
    not_image = client.post(reverse("wishes_console:new"), {**data, "photos": upload(b"nope", name="a.png")})
    assert not_image.status_code == 400 and MicroWish.objects.count() == 0
    response = client.post(reverse("wishes_console:new"), {**data, "photos": upload(png_bytes())})
    wish = MicroWish.objects.get()
    assert response.status_code == 302 and wish.photos.count() == 1 and wish.public_name == "欧**"
    assert client.post(reverse("wishes_console:act", args=[wish.pk, "publish"])).status_code == 400
    client.post(reverse("wishes_console:act", args=[wish.pk, "verify"]))
    client.post(reverse("wishes_console:act", args=[wish.pk, "publish"]), {"target_date": "not-a-date"})
    assert MicroWish.objects.get(pk=wish.pk).status == S.VERIFIED
    client.post(reverse("wishes_console:act", args=[wish.pk, "publish"]))
    assert MicroWish.objects.get(pk=wish.pk).status == S.PUBLISHED
    page = client.get(reverse("wishes_console:detail", args=[wish.pk])).content.decode()
    assert "欧阳小明" in page and "13712345678" in page  # staff see the private details
    assert client.post(reverse("wishes_console:act", args=[wish.pk, "lapse"])).status_code == 404


def test_staff_confirm_delivery_for_the_family_and_cancel_with_a_reason(client, world, story):
    client = as_user(client, world.lina)
    claimed = story["claimed"]
    assert client.post(reverse("wishes_console:act", args=[claimed.pk, "cancel"]), {"reason": ""}).status_code == 400
    client.post(reverse("wishes_console:act", args=[claimed.pk, "cancel"]), {"reason": "家庭已搬走"})
    assert MicroWish.objects.get(pk=claimed.pk).status == S.CANCELLED
    assert as_user(client, world.chenjing).get(
        reverse("wishes_console:detail", args=[story["wall"].pk])).status_code == 404


def test_the_console_list_filters_by_status_with_htmx(client, world, story):
    client = as_user(client, world.lina)
    response = client.get(reverse("wishes_console:list"), {"status": "draft"},
                          headers={"HX-Request": "true", "HX-Target": "results"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "一把轮椅" in body and "一台助听器" not in body


# --- the API -------------------------------------------------------------------------------------------

def test_the_api_walls_and_detail_are_public_and_carry_no_private_details(client, story):
    wall = client.get("/api/wishes")
    assert wall.status_code == 200
    items = wall.json()
    assert [i["text"] for i in items] == ["一台助听器"] and items[0]["public_name"] == "欧**"
    thanks = client.get("/api/wishes/thanks").json()
    assert {i["text"]: i["thanked"] for i in thanks} == {"冬天的棉被": "下沙医院", "一套绘本": ""}
    one = client.get(f"/api/wishes/{story['done'].pk}")
    assert one.status_code == 200 and one.json()["status"] == "fulfilled"
    assert client.get(f"/api/wishes/{story['draft'].pk}").status_code == 404
    for body in (wall.content, json.dumps(thanks, ensure_ascii=False).encode(), one.content):
        assert_private(body.decode())
    assert client.get("/api/wishes", {"category": "toys"}).status_code == 422


def test_the_api_claims_and_lists_my_claims(client, world, story):
    assert client.post(f"/api/wishes/{story['wall'].pk}/claim", {}, content_type="application/json"
                       ).status_code == 401
    client = as_user(client, world.zhengli)
    response = client.post(f"/api/wishes/{story['wall'].pk}/claim", {"unit": world.hospital.pk, "show_name": True},
                           content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["unit"], body["show_name"]) == ("active", "下沙医院", True)
    assert "13900000001" in body["community_contact"]
    again = client.post(f"/api/wishes/{story['wall'].pk}/claim", {}, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (400, "already_claimed")
    mine = client.get("/api/wishes/claims")
    assert mine.status_code == 200 and len(mine.json()) == 3
    assert_private(mine.content.decode())
    assert client.post("/api/wishes/999999/claim", {}, content_type="application/json").status_code == 404
