"""The needs pages through the test client: the resident's H5 pages, the public board, the console."""

import pytest
from django.urls import reverse

from jusha.needs import services
from jusha.needs.models import Claim, Need
from tests.needs_helpers import EYE_DROPS, IN_YANLAN, IN_ZHIGE, OUTSIDE, category, png_bytes, submit, upload

S = Need.Status


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def form_data(**overrides):
    data = {"category": category().pk, "text": EYE_DROPS, "lng": IN_ZHIGE[0], "lat": IN_ZHIGE[1], "crs": "wgs84",
            "urgency": 2, "contact": "call", "address": "5幢1单元302"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def as_user(client, user):
    client.force_login(user)
    return client


# --- the resident's pages -----------------------------------------------------------------------

def test_the_services_tab_links_to_asking_for_help(client, world):
    page = as_user(client, world.wangfang).get(reverse("web:services")).content.decode()
    assert reverse("needs:new") in page and reverse("needs:mine") in page and reverse("needs:board") in page


def test_asking_for_help_needs_a_log_in(client, db):
    response = client.get(reverse("needs:new"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_form_offers_the_residents_community_first(client, world):
    page = as_user(client, world.wangfang).get(reverse("needs:new")).content.decode()
    assert f'<option value="{world.zhige.pk}" selected>' in page
    assert "生活帮扶/跑腿代办" in page


def test_a_resident_submits_and_lands_on_the_tracking_page(client, world):
    client = as_user(client, world.wangfang)
    response = client.post(reverse("needs:new"), form_data(photos=upload(png_bytes())))
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == need.get_absolute_url()
    assert (need.community, need.urgency, need.address, need.photos.count()) == (world.zhige, 2, "5幢1单元302", 1)
    page = client.get(response["Location"]).content.decode()
    assert EYE_DROPS in page and 'data-step="submit"' in page


def test_text_is_escaped_everywhere(client, world):
    client = as_user(client, world.wangfang)
    client.post(reverse("needs:new"), form_data(text='<script>alert("x")</script>眼药水'))
    need = Need.objects.get()
    services.need_accept(actor=world.lina, need=need)
    pages = [client.get(need.get_absolute_url()), client.get(reverse("needs:mine")), client.get(reverse("needs:board")),
             as_user(client, world.lina).get(reverse("needs_console:detail", args=[need.pk])),
             client.get(reverse("needs_console:queue") + "?status=accepted")]
    for response in pages:
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert" in html


def test_a_place_outside_the_subdistrict_is_refused_on_the_page(client, world):
    response = as_user(client, world.wangfang).post(reverse("needs:new"),
                                                    form_data(lng=OUTSIDE[0], lat=OUTSIDE[1]))
    assert response.status_code == 400
    assert "不在聚沙服务范围内" in response.content.decode()  # zh-Hans is the default language
    assert not Need.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused_on_the_page(client, world):
    response = as_user(client, world.wangfang).post(
        reverse("needs:new"), form_data(photos=upload(b"GIF89a but not really", "cat.gif", "image/gif")))
    assert response.status_code == 400
    assert "cat.gif" in response.content.decode()


def test_sending_twice_shows_the_need_already_sent(client, world):
    client = as_user(client, world.wangfang)
    first = client.post(reverse("needs:new"), form_data())
    second = client.post(reverse("needs:new"), form_data(), follow=True)
    assert Need.objects.count() == 1
    assert second.redirect_chain[-1][0] == first["Location"]
    assert "您刚刚已提交过" in second.content.decode()


def test_my_needs_lists_only_mine(client, world):
    mine = submit(world.wangfang)
    submit(world.zhangwei, at=IN_YANLAN, text="别人的需求")
    page = as_user(client, world.wangfang).get(reverse("needs:mine")).content.decode()
    assert mine.text in page and "别人的需求" not in page


def test_another_persons_need_and_a_missing_one_look_the_same(client, world):
    other = submit(world.zhangwei, at=IN_YANLAN)
    client = as_user(client, world.wangfang)
    hidden, missing = client.get(other.get_absolute_url()), client.get(reverse("needs:detail", args=[999999]))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_the_resident_confirms_and_rates_then_reopens(client, world):
    need = submit(world.wangfang)
    services.need_resolve(actor=world.lina, need=need, resolution="已电话联系药店送货上门")
    client = as_user(client, world.wangfang)
    page = client.get(need.get_absolute_url()).content.decode()
    assert 'data-testid="confirm-form"' in page and "已电话联系药店送货上门" in page
    assert client.post(reverse("needs:confirm", args=[need.pk]), {"stars": "9"}).status_code == 400
    response = client.post(reverse("needs:confirm", args=[need.pk]), {"stars": "5", "comment": "谢谢社区"})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.status == S.CLOSED and need.ratings.get().stars == 5
    assert client.post(reverse("needs:reopen", args=[need.pk]), {"reason": ""}).status_code == 400
    client.post(reverse("needs:reopen", args=[need.pk]), {"reason": "药买错了"})
    assert Need.objects.get(pk=need.pk).status == S.SUBMITTED


def test_someone_else_cannot_confirm(client, world):
    need = submit(world.wangfang)
    services.need_resolve(actor=world.lina, need=need, resolution="已办")
    response = as_user(client, world.zhangwei).post(reverse("needs:confirm", args=[need.pk]), {"stars": "1"})
    assert response.status_code == 404
    assert Need.objects.get(pk=need.pk).status == S.COMPLETED


def test_photos_are_served_only_to_those_who_see_the_need(client, world):
    need = submit(world.wangfang, photo_files=[upload(png_bytes())])
    url = need.photos.get().get_absolute_url()
    ok = as_user(client, world.wangfang).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] in {"image/jpeg", "image/png"}
    assert "private" in ok["Cache-Control"]
    assert as_user(client, world.zhangwei).get(url).status_code == 404
    assert as_user(client, world.lina).get(url).status_code == 200


# --- the public board ------------------------------------------------------------------------------

def test_the_board_shows_open_needs_without_name_phone_or_place(client, world):
    need = submit(world.wangfang, address="5幢1单元302")
    services.need_accept(actor=world.lina, need=need)
    submit(world.wangfang, text="还没受理的需求")
    page = as_user(client, world.zhangwei).get(reverse("needs:board")).content.decode()
    assert need.text in page and "智格社区" in page and "生活帮扶" in page
    for private in ("王芳", "13800000001", "0001", "5幢1单元302", "120.305", "还没受理的需求"):
        assert private not in page
    assert 'data-testid="claim"' not in page


def test_a_liaison_claims_from_the_board_and_a_second_claim_is_told_it_is_taken(client, world):
    from jusha.accounts.models import Role, RoleAssignment, User

    need = submit(world.wangfang)
    services.need_accept(actor=world.lina, need=need)
    other = User.objects.create_user(username="school", name="滟澜小学联络员")
    RoleAssignment.objects.create(user=other, role=Role.UNIT_LIAISON, member_unit=world.school)
    response = as_user(client, world.zhengli).post(reverse("needs:claim", args=[need.pk]))
    assert response.status_code == 302
    late = as_user(client, other).post(reverse("needs:claim", args=[need.pk]))
    assert late.status_code == 409
    assert "刚刚已被其他单位认领" in late.content.decode()
    board = as_user(client, world.zhengli).get(reverse("needs:board")).content.decode()
    assert 'data-testid="my-claim"' in board
    claim = Claim.objects.get(need=need, status=Claim.Status.ACTIVE)
    assert client.post(reverse("needs:release", args=[claim.pk]), {"reason": ""}).status_code == 400
    client.post(reverse("needs:release", args=[claim.pk]), {"reason": "今天人手不够"})
    assert Need.objects.get(pk=need.pk).status == S.ACCEPTED
    assert as_user(client, other).post(reverse("needs:release", args=[claim.pk]), {"reason": "x"}).status_code == 404


# --- the console -----------------------------------------------------------------------------------

def test_the_triage_queue_is_the_communitys_most_urgent_first_then_oldest(client, world, clock):
    old_normal = submit(world.wangfang, text="旧的一般需求", urgency=1)
    clock.advance(minutes=5)
    new_urgent = submit(world.wangfang, text="新的紧急需求", urgency=3)
    clock.advance(minutes=5)
    new_normal = submit(world.wangfang, text="新的一般需求", urgency=1)
    submit(world.zhangwei, at=IN_YANLAN, text="滟澜的需求")
    page = as_user(client, world.lina).get(reverse("needs_console:queue")).content.decode()
    positions = [page.index(n.text) for n in (new_urgent, old_normal, new_normal)]
    assert positions == sorted(positions)
    assert "滟澜的需求" not in page


def test_the_queue_swaps_only_its_results_for_htmx_and_runs_a_fixed_number_of_queries(
        client, world, clock, django_assert_max_num_queries):
    for i in range(12):
        submit(world.wangfang, text=f"需求 {i}", urgency=1 + i % 3)
        clock.advance(minutes=11)  # past the duplicate guard
    client = as_user(client, world.lina)
    with django_assert_max_num_queries(20):
        partial = client.get(reverse("needs_console:queue"), headers={"HX-Request": "true", "HX-Target": "results"})
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="results">') and "<nav" not in html
    assert html.count('data-testid="queue-row"') == 12


def test_a_resident_cannot_open_the_console_queue(client, world):
    assert as_user(client, world.wangfang).get(reverse("needs_console:queue")).status_code == 404
    assert as_user(client, world.zhengli).get(reverse("needs_console:queue")).status_code == 404


def test_staff_decide_from_the_need_page(client, world):
    need = submit(world.wangfang)
    client = as_user(client, world.lina)
    page = client.get(reverse("needs_console:detail", args=[need.pk])).content.decode()
    for step in ("accept", "reject", "resolve", "match", "escalate"):
        assert f'data-testid="action-{step}"' in page
    assert 'data-testid="action-send_back"' not in page
    refused = client.post(reverse("needs_console:act", args=[need.pk, "reject"]), {"reason": " "})
    assert refused.status_code == 400 and 'data-testid="action-error"' in refused.content.decode()
    assert client.post(reverse("needs_console:act", args=[need.pk, "match"]),
                       {"unit": world.school.pk}).status_code == 400
    done = client.post(reverse("needs_console:act", args=[need.pk, "match"]), {"unit": world.hospital.pk})
    assert done.status_code == 302
    assert Need.objects.get(pk=need.pk).status == S.MATCHED


def test_other_communities_staff_get_a_404_for_the_need_and_its_decisions(client, world):
    need = submit(world.wangfang)
    client = as_user(client, world.chenjing)
    assert client.get(reverse("needs_console:detail", args=[need.pk])).status_code == 404
    assert client.post(reverse("needs_console:act", args=[need.pk, "accept"])).status_code == 404
    assert client.post(reverse("needs_console:act", args=[need.pk, "fly"])).status_code == 404
    assert Need.objects.get(pk=need.pk).status == S.SUBMITTED


def test_the_unit_accepts_the_match_sees_the_phone_and_completes_with_a_photo(client, world):
    need = submit(world.wangfang, address="5幢1单元302")
    services.need_match(actor=world.lina, need=need, unit=world.hospital)
    client = as_user(client, world.zhengli)
    assert need.text in client.get(reverse("needs_console:unit")).content.decode()
    offered = client.get(reverse("needs_console:detail", args=[need.pk])).content.decode()
    assert "王芳" not in offered and "5幢1单元302" not in offered
    client.post(reverse("needs_console:act", args=[need.pk, "match_accept"]))
    handling = client.get(reverse("needs_console:detail", args=[need.pk])).content.decode()
    assert "13800000001" in handling and "5幢1单元302" in handling
    client.post(reverse("needs_console:act", args=[need.pk, "complete"]),
                {"resolution": "眼药水已送到", "photos": upload(png_bytes(), "done.png")})
    need.refresh_from_db()
    assert need.status == S.COMPLETED and need.photos.filter(stage="completed").count() == 1


def test_the_subdistrict_queue_matches_across_communities_and_sends_back(client, world):
    need = submit(world.zhangwei, at=IN_YANLAN)
    services.need_escalate(actor=world.chenjing, need=need, reason="需要医院资源")
    client = as_user(client, world.liuyang)
    assert need.text in client.get(reverse("needs_console:escalated")).content.decode()
    assert as_user(client, world.lina).get(reverse("needs_console:escalated")).status_code == 404
    client = as_user(client, world.liuyang)
    page = client.get(reverse("needs_console:detail", args=[need.pk])).content.decode()
    assert 'data-testid="action-send_back"' in page and "下沙医院" in page
    client.post(reverse("needs_console:act", args=[need.pk, "send_back"]), {"reason": "社区先联系"})
    assert Need.objects.get(pk=need.pk).status == S.SUBMITTED


def test_staff_enter_a_need_on_behalf_from_the_console(client, world):
    client = as_user(client, world.lina)
    assert client.get(reverse("needs_console:new")).status_code == 200
    response = client.post(reverse("needs_console:new"), {
        "community": world.zhige.pk, "resident_name": "李奶奶", "resident_mobile": "", "category": category().pk,
        "text": "李奶奶想请人帮忙买菜", "urgency": 1, "contact": "visit"})
    need = Need.objects.get()
    assert response.status_code == 302 and need.on_behalf_by == world.lina
    assert as_user(client, world.chenjing).post(reverse("needs_console:new"), {
        "community": world.zhige.pk, "resident_name": "x", "category": category().pk, "text": "x", "urgency": 1,
        "contact": "visit"}).status_code == 400
