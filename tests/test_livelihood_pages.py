"""The livelihood pages and API through the test client: building a survey in the console, sharing it
(link and QR poster), answering it on the H5 page (logged in and anonymously, one per device), the
results with the year's needs beside them, the Excel exports, field visits — and that the pages refuse
bad input with a 400 and change nothing."""

import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from jusha.livelihood.models import FieldVisit, Question, Response, Survey
from jusha.livelihood.views import DEVICE_COOKIE
from tests.livelihood_helpers import Built, submit
from tests.needs_helpers import png_bytes, upload

pytestmark = pytest.mark.django_db
K = Question.Kind
STAFF_PAGES = ["detail", "results", "visits", "poster", "export_responses", "export_summary"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def as_user(client, user):
    client.force_login(user)
    return client


def local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- the console ------------------------------------------------------------------------------------

def test_staff_build_a_survey_in_the_console(client, world, clock):
    as_user(client, world.liuyang)
    assert client.get(reverse("livelihood_console:list")).status_code == 200
    assert client.get(reverse("livelihood_console:new")).status_code == 200
    now = clock()
    response = client.post(reverse("livelihood_console:new"), {
        "title": "2026年民生实事征集", "year": 2026, "opens_at": local(now - timedelta(hours=1)),
        "closes_at": local(now + timedelta(days=10)), "allow_residents": "on", "allow_anonymous": "on"})
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == reverse("livelihood_console:detail", args=[survey.pk])
    assert (survey.allow_anonymous, survey.allow_units) == (True, False)
    add = reverse("livelihood_console:question_add", args=[survey.pk])
    assert client.post(add, {"kind": "single", "text": "最关心", "options": "养老\n教育\n", "required": "on"}
                       ).status_code == 302
    assert client.post(add, {"kind": "rating", "text": "满意度"}).status_code == 302
    bad = client.post(add, {"kind": "single", "text": "只有一个选项", "options": "养老"})
    assert bad.status_code == 400 and survey.questions.count() == 2
    question = survey.questions.get(kind="single")
    edit = reverse("livelihood_console:question_edit", args=[survey.pk, question.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"kind": "multiple", "text": "最关心（多选）", "options": "养老\n教育\n环境",
                              "max_choices": 2, "required": "on"}).status_code == 302
    question.refresh_from_db()
    assert (question.kind, question.max_choices, question.options.count()) == ("multiple", 2, 3)
    assert client.post(reverse("livelihood_console:act", args=[survey.pk, "open"])).status_code == 302
    survey.refresh_from_db()
    assert survey.status == "open"
    page = client.get(reverse("livelihood_console:detail", args=[survey.pk]))
    assert page.status_code == 200
    assert page.context["share_url"].endswith(reverse("livelihood:respond", args=[survey.pk]))


def test_the_console_refuses_to_change_answered_questions(client, world, clock):
    built = Built(world)
    submit(built, world.wangfang)
    as_user(client, world.liuyang)
    page = client.get(reverse("livelihood_console:detail", args=[built.survey.pk]))
    assert page.context["locked"] is True
    response = client.post(reverse("livelihood_console:question_delete", args=[built.survey.pk, built.text.pk]))
    assert response.status_code == 400
    assert built.survey.questions.count() == 6
    edit = client.post(reverse("livelihood_console:question_edit", args=[built.survey.pk, built.text.pk]),
                       {"kind": "text", "text": "改"})
    assert edit.status_code == 400
    assert "text" not in edit.context["form"].errors and edit.context["form"].non_field_errors()


def test_the_poster_carries_a_qr_code_of_the_link(client, world, clock):
    built = Built(world)
    page = as_user(client, world.lina).get(reverse("livelihood_console:poster", args=[built.survey.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and page.context["url"].endswith(f"/surveys/{built.survey.pk}/")


def test_results_show_the_answers_and_the_years_needs(client, world, clock, django_assert_max_num_queries):
    from jusha.needs.models import Need
    from tests.needs_helpers import submit as submit_need

    built = Built(world)
    submit(built, world.wangfang)
    submit(built, world.zhangwei, answers=built.answers(single=[built.opt["教育"]]))
    submit_need(world.wangfang)
    as_user(client, world.liuyang)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("livelihood_console:results", args=[built.survey.pk]))
    assert page.status_code == 200
    assert page.context["total"] == 2
    single = page.context["results"][0]
    assert [(r.count, r.percent) for r in single.rows] == [(1, 50.0), (1, 50.0), (0, 0.0)]
    needs = page.context["needs"]
    assert needs.total == Need.objects.count() == 1
    assert needs.unmet_by_community == [{"community": "智格社区", "unmet": 1, "total": 1}]
    assert 'data-jusha-chart="bar"' in page.content.decode()


def test_the_exports_download_as_excel(client, world, clock):
    built = Built(world)
    submit(built, world.wangfang)
    as_user(client, world.lina)
    for name, rows in (("export_responses", 2), ("export_summary", None)):
        response = client.get(reverse(f"livelihood_console:{name}", args=[built.survey.pk]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(response.content))
        if rows:
            assert book.active.max_row == rows


def test_staff_record_a_field_visit_with_a_photo(client, world, clock):
    built = Built(world)
    as_user(client, world.lina)
    url = reverse("livelihood_console:visits", args=[built.survey.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"community": world.zhige.pk, "visitors": "李娜", "place": "3幢",
                                 "visited_at": local(clock() - timedelta(hours=1)), "notes": "老人反映上下楼难",
                                 "suggestions": "加装电梯", "lat": "30.305", "lng": "120.305",
                                 "photos": upload(png_bytes())})
    assert response.status_code == 302
    visit = FieldVisit.objects.get()
    assert (visit.lat, visit.photos.count()) == (30.305, 1)
    photo = visit.photos.get()
    assert client.get(reverse("livelihood_console:photo", args=[photo.pk])).status_code == 200
    refused = client.post(url, {"community": world.yanlan.pk, "visitors": "李娜",
                                "visited_at": local(clock()), "notes": "…"})
    assert refused.status_code == 400 and FieldVisit.objects.count() == 1
    # 陈静 serves 滟澜: she does not see 智格's visit or its photo.
    as_user(client, world.chenjing)
    assert list(client.get(url).context["page"]) == []
    assert client.get(reverse("livelihood_console:photo", args=[photo.pk])).status_code == 404


@pytest.mark.parametrize("person", ["wangfang", "zhengli", "zhaolei", "wugang"])
def test_people_without_the_surveys_do_not_reach_its_console_pages(client, world, clock, person):
    built = Built(world)
    as_user(client, getattr(world, person))
    for name in STAFF_PAGES:
        assert client.get(reverse(f"livelihood_console:{name}", args=[built.survey.pk])).status_code == 404


def test_community_staff_see_but_do_not_build(client, world, clock):
    built = Built(world, open_it=False)
    as_user(client, world.lina)
    for name in STAFF_PAGES:
        assert client.get(reverse(f"livelihood_console:{name}", args=[built.survey.pk])).status_code == 200
    assert client.get(reverse("livelihood_console:new")).status_code == 404
    assert client.post(reverse("livelihood_console:act", args=[built.survey.pk, "open"])).status_code == 404
    assert client.post(reverse("livelihood_console:question_delete", args=[built.survey.pk, built.text.pk])
                       ).status_code == 404
    assert Survey.objects.get().status == "draft" and built.survey.questions.count() == 6


# --- the H5 page ----------------------------------------------------------------------------------------

def form_answers(built, **overrides) -> dict:
    o = built.opt
    data = {f"q{built.single.pk}": o["养老"], f"q{built.multiple.pk}": [o["停车位"], o["长椅"]],
            f"q{built.rating.pk}": "5", f"q{built.number.pk}": "3", f"q{built.text.pk}": "多建停车位"}
    for place, name in enumerate(["口袋公园", "加装电梯", "老旧小区改造"], start=1):
        data[f"q{built.ranking.pk}_o{o[name]}"] = str(place)
    data.update(overrides)
    return data


def test_a_resident_answers_on_the_h5_page(client, world, clock):
    built = Built(world)
    as_user(client, world.wangfang)
    url = reverse("livelihood:respond", args=[built.survey.pk])
    page = client.get(url)
    assert page.status_code == 200 and [w for w, _ in page.context["ways"]] == ["resident"]
    response = client.post(url, {"respond_as": "resident", **form_answers(built)})
    assert response.status_code == 302 and response.url == reverse("livelihood:thanks", args=[built.survey.pk])
    saved = Response.objects.get()
    ranking = saved.answers.get(question=built.ranking)
    assert ranking.choices == [built.opt["口袋公园"], built.opt["加装电梯"], built.opt["老旧小区改造"]]
    assert client.get(url).context["ways"] == []  # answered: the form is gone
    again = client.post(url, {"respond_as": "resident", **form_answers(built)})
    assert again.status_code == 400 and Response.objects.count() == 1


def test_bad_answers_on_the_h5_page_show_every_error_and_save_nothing(client, world, clock):
    built = Built(world)
    as_user(client, world.wangfang)
    url = reverse("livelihood:respond", args=[built.survey.pk])
    o = built.opt
    tied = form_answers(built, **{f"q{built.ranking.pk}_o{o['加装电梯']}": "1"})  # two options in place 1
    tied.update({f"q{built.rating.pk}": "7", f"q{built.single.pk}": ""})
    page = client.post(url, {"respond_as": "resident", **tied})
    assert page.status_code == 400
    assert set(page.context["errors"]) == {built.single.pk, built.ranking.pk, built.rating.pk}
    assert Response.objects.count() == 0
    # What was entered is shown again.
    items = {i["q"].pk: i for i in page.context["items"]}
    assert items[built.text.pk]["value"] == "多建停车位"
    assert [o["checked"] for o in items[built.multiple.pk]["options"]] == [True, False, False, True]


def test_a_liaison_and_community_staff_choose_whom_they_answer_for(client, world, clock):
    built = Built(world)
    as_user(client, world.zhengli)
    url = reverse("livelihood:respond", args=[built.survey.pk])
    assert [w for w, _ in client.get(url).context["ways"]] == ["resident", f"unit:{world.hospital.pk}"]
    assert client.post(url, {"respond_as": f"unit:{world.hospital.pk}", **form_answers(built)}).status_code == 302
    assert [w for w, _ in client.get(url).context["ways"]] == ["resident"]
    as_user(client, world.lina)
    assert [w for w, _ in client.get(url).context["ways"]] == ["resident", f"community:{world.zhige.pk}"]
    forged = client.post(url, {"respond_as": f"community:{world.yanlan.pk}", **form_answers(built)})
    assert forged.status_code == 400 and Response.objects.count() == 1


def test_anonymous_visitors_answer_once_per_device(client, world, clock):
    built = Built(world, allow_anonymous=True)
    url = reverse("livelihood:respond", args=[built.survey.pk])
    first = client.get(url)
    assert first.status_code == 200 and DEVICE_COOKIE in first.cookies
    assert client.post(url, {"respond_as": "anonymous", **form_answers(built)}).status_code == 302
    assert client.get(url).context["ways"] == []
    assert client.post(url, {"respond_as": "anonymous", **form_answers(built)}).status_code == 400
    # A forged (unsigned) token counts as no token.
    client.cookies[DEVICE_COOKIE] = "a" * 32
    assert client.post(url, {"respond_as": "anonymous", **form_answers(built)}).status_code == 400
    assert Response.objects.filter(respondent_as="anonymous").count() == 1


def test_surveys_not_open_to_the_visitor_are_not_found(client, world, clock):
    members_only = Built(world)
    draft_only = Built(world, open_it=False)
    # Not logged in: the poster of an open survey leads to the log-in page; a draft is not found.
    to_login = client.get(reverse("livelihood:respond", args=[members_only.survey.pk]))
    assert to_login.status_code == 302 and to_login.url.startswith(reverse("accounts:login"))
    assert client.get(reverse("livelihood:respond", args=[draft_only.survey.pk])).status_code == 404
    as_user(client, world.wangfang)
    assert client.get(reverse("livelihood:respond", args=[draft_only.survey.pk])).status_code == 404
    assert client.get(reverse("livelihood:respond", args=[members_only.survey.pk])).status_code == 200


def test_the_h5_page_renders_in_elderly_mode(client, world, clock):
    built = Built(world)
    as_user(client, world.wangfang)
    client.post(reverse("web:elderly_mode"), {"next": "/"})
    page = client.get(reverse("livelihood:respond", args=[built.survey.pk]))
    assert page.status_code == 200 and 'class="elderly"' in page.content.decode()


# --- the API ------------------------------------------------------------------------------------------

def test_the_api_gives_the_definition_and_takes_a_response(client, world, clock):
    built = Built(world)
    url = f"/api/surveys/{built.survey.pk}"
    assert client.get(url).status_code == 404  # not open to anonymous visitors
    as_user(client, world.wangfang)
    definition = client.get(url).json()
    assert definition["accepting"] is True
    assert [q["kind"] for q in definition["questions"]] == ["single", "multiple", "ranking", "rating", "number", "text"]
    o = built.opt
    body = {"answers": [
        {"question": built.single.pk, "options": [o["环境"]]},
        {"question": built.multiple.pk, "options": [o["长椅"]]},
        {"question": built.ranking.pk, "options": [o["口袋公园"], o["加装电梯"], o["老旧小区改造"]]},
        {"question": built.rating.pk, "number": 3},
    ]}
    bad = client.post(f"{url}/responses", json.dumps({"answers": body["answers"][:1]}),
                      content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_answers"
    assert bad.json()["field"] == f"q{built.multiple.pk}"
    made = client.post(f"{url}/responses", json.dumps(body), content_type="application/json")
    assert made.status_code == 201 and made.json()["respond_as"] == "resident"
    again = client.post(f"{url}/responses", json.dumps(body), content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (400, "already_answered")
    assert Response.objects.count() == 1


def test_the_api_needs_a_log_in_to_answer(client, world, clock):
    built = Built(world, allow_anonymous=True)
    url = f"/api/surveys/{built.survey.pk}"
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/responses", json.dumps({"answers": []}), content_type="application/json"
                       ).status_code == 401
