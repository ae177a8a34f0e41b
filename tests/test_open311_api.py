"""Open311 GeoReport v2 conformance (docs/open311.md), every rule in XML and in JSON.

An app holding a key from 刘洋 (下沙's staff) posts residents' reports; they become cases of source
`open311` through cases' intake (routing by place, duplicates joining the open case nearby); anyone reads
the requests back (no key), with the spec's filters, our paging extension and the spec's error form.
"""

from datetime import timedelta

import pytest
from django.test import Client

from jusha.audit.models import AuditEntry
from jusha.cases import services as cases
from jusha.cases.models import Case, Report, Source
from jusha.open311 import services
from jusha.open311.models import ServiceAttribute, ServiceRequest
from tests.cases_helpers import MANHOLE, ZHIGE_B, photo
from tests.needs_helpers import png_bytes, upload
from tests.open311_helpers import (
    BASE,
    DRYING,
    FORMATS,
    IN_ZHIGE,
    OUTSIDE,
    category,
    created,
    error,
    key,
    parse,
    post,
    text,
)

S = Case.Status
pytestmark = pytest.mark.parametrize("fmt", FORMATS)


@pytest.fixture
def app(world, clock, django_capture_on_commit_callbacks):
    _client, api_key = key(world)
    return api_key


def attributes(code=DRYING):
    leaf = category(code)
    ServiceAttribute.objects.create(category=leaf, code="floor", datatype="number", required=True, order=1,
                                    description="Which floor?")
    ServiceAttribute.objects.create(category=leaf, code="kind", datatype="singlevaluelist", order=2,
                                    description="What is hung out?",
                                    values=[{"key": "1", "name": "衣物"}, {"key": "2", "name": "被褥"}])
    ServiceAttribute.objects.create(category=leaf, code="sides", datatype="multivaluelist", order=3,
                                    description="Which sides?",
                                    values=[{"key": "n", "name": "北"}, {"key": "s", "name": "南"}])
    ServiceAttribute.objects.create(category=leaf, code="seen", datatype="datetime", order=4, description="When?")
    ServiceAttribute.objects.create(category=leaf, code="note", datatype="string", order=5, description="Note")
    ServiceAttribute.objects.create(category=leaf, code="info", variable=False, order=6,
                                    description="Bedding may be aired on weekends.")
    return leaf


# --- discovery, services, service definitions ---------------------------------------------------------

def test_discovery_names_the_spec_the_url_and_both_formats(world, client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    root, body = parse(response, fmt)
    assert root in (None, "discovery")
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "+" in body["changeset"] or body["changeset"].endswith("Z")


def test_services_are_the_active_leaf_categories(world, client, fmt):
    attributes()
    response = client.get(f"{BASE}/services.{fmt}")
    assert response.status_code == 200
    root, body = parse(response, fmt)
    assert root in (None, "services")
    by_code = {s["service_code"]: s for s in body}
    assert DRYING in by_code and MANHOLE in by_code and "SJ01" not in by_code  # leaves only
    drying = by_code[DRYING]
    assert isinstance(drying["service_code"], str)
    assert text(drying["metadata"]) == "true" and text(by_code[MANHOLE]["metadata"]) == "false"
    assert drying["type"] == "realtime" and drying["service_name"] and drying["group"] and drying["description"]
    assert DRYING in drying["keywords"]
    if fmt == "json":
        assert drying["metadata"] is True


def test_an_inactive_category_is_no_service(world, client, fmt):
    category(DRYING).__class__.objects.filter(code=DRYING).update(is_active=False)
    _root, body = parse(client.get(f"{BASE}/services.{fmt}"), fmt)
    assert DRYING not in {s["service_code"] for s in body}
    error(client.get(f"{BASE}/services/{DRYING}.{fmt}"), fmt, 404)


def test_a_service_definition_lists_its_attributes_in_order(world, client, fmt):
    attributes()
    response = client.get(f"{BASE}/services/{DRYING}.{fmt}")
    assert response.status_code == 200
    root, body = parse(response, fmt)
    assert root in (None, "service_definition")
    assert body["service_code"] == DRYING
    listed = body["attributes"]
    assert [a["code"] for a in listed] == ["floor", "kind", "sides", "seen", "note", "info"]
    assert [text(a["order"]) for a in listed] == ["1", "2", "3", "4", "5", "6"]
    floor, kind, sides = listed[0], listed[1], listed[2]
    assert floor["datatype"] == "number" and text(floor["required"]) == "true" and text(floor["variable"]) == "true"
    assert "values" not in floor
    assert kind["datatype"] == "singlevaluelist" and text(kind["required"]) == "false"
    assert kind["values"] == [{"key": "1", "name": "衣物"}, {"key": "2", "name": "被褥"}]
    assert sides["datatype"] == "multivaluelist" and [v["key"] for v in sides["values"]] == ["n", "s"]
    assert text(listed[5]["variable"]) == "false"
    if fmt == "json":
        assert floor["order"] == 1 and floor["required"] is True and floor["datatype_description"] is None


def test_a_service_without_attributes_has_an_empty_definition(world, client, fmt):
    category()
    _root, body = parse(client.get(f"{BASE}/services/{MANHOLE}.{fmt}"), fmt)
    assert body["service_code"] == MANHOLE
    assert body["attributes"] in ([], "")  # XML: an empty <attributes/>


@pytest.mark.parametrize("code", ["NOPE", "SJ01", "SJ0104.x"])
def test_an_unknown_service_code_is_a_404(world, client, fmt, code):
    category()
    error(client.get(f"{BASE}/services/{code}.{fmt}"), fmt, 404)


# --- jurisdiction, formats, methods ---------------------------------------------------------------

def test_jurisdiction_id_is_optional_and_checked(world, client, app, fmt, settings):
    settings.JUSHA_OPEN311_JURISDICTION = "xiasha.gov.cn"
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": "xiasha.gov.cn"}).status_code == 200
    assert client.get(f"{BASE}/services.{fmt}", {"jurisdiction_id": ""}).status_code == 200
    for url in ("services", f"services/{DRYING}", "requests", "requests/1", "tokens/abc", "discovery"):
        error(client.get(f"{BASE}/{url}.{fmt}", {"jurisdiction_id": "elsewhere.gov"}), fmt, 404)
    error(post(client, fmt, app, jurisdiction_id="elsewhere.gov", lat="30.305", long="120.305"), fmt, 404)
    assert created(client, fmt, app, jurisdiction_id="xiasha.gov.cn")["service_request_id"]


def test_an_unknown_format_or_path_is_answered_in_xml(world, client, fmt):
    for url in ("services.yaml", "services.", "requests.html", f"services/{DRYING}.csv"):
        error(client.get(f"{BASE}/{url}"), "xml", 400)
    error(client.get(f"{BASE}/services"), "xml", 404)
    error(client.get(f"{BASE}/nothing/here.{fmt}"), "xml", 404)


def test_other_methods_are_refused_in_the_error_form(world, client, fmt):
    response = client.post(f"{BASE}/services.{fmt}")
    error(response, fmt, 405)
    assert response["Allow"] == "GET"
    error(client.delete(f"{BASE}/requests.{fmt}"), fmt, 405)
    assert client.head(f"{BASE}/services.{fmt}").status_code == 200


# --- POST requests: keys ---------------------------------------------------------------------------

def test_posting_needs_a_valid_unrevoked_key(world, client, app, fmt):
    error(post(client, fmt, None, lat="30.305", long="120.305"), fmt, 403)
    error(post(client, fmt, "", lat="30.305", long="120.305"), fmt, 403)
    error(post(client, fmt, "o311_not-a-key", lat="30.305", long="120.305"), fmt, 403)
    api_client = services.authenticate(app)
    services.client_revoke(actor=world.liuyang, client=api_client)
    error(post(client, fmt, app, lat="30.305", long="120.305"), fmt, 403)
    assert not ServiceRequest.objects.exists() and not Case.objects.exists()


def test_posting_is_not_subject_to_csrf(world, app, fmt):
    strict = Client(enforce_csrf_checks=True)
    assert created(strict, fmt, app)["service_request_id"]
    error(strict.post(f"{BASE}/services.{fmt}"), fmt, 405)


# --- POST requests: into cases --------------------------------------------------------------------

def test_a_request_with_a_point_becomes_an_open311_case(world, client, app, fmt):
    answer = created(client, fmt, app, description="阳台晾晒被褥\n影响市容", email="li@example.com",
                     first_name="Lei", last_name="Li", phone="13800009999", device_id="d-1", account_id="acc-7",
                     address_string="下沙路 1 号")
    request_id = answer["service_request_id"]
    assert isinstance(request_id, str) and request_id.isdigit()
    assert "token" not in answer
    assert text(answer["account_id"]) == "acc-7" and answer["service_notice"]
    row = ServiceRequest.objects.get(report_id=int(request_id))
    report = Report.objects.get(pk=int(request_id))
    assert report.source == Source.OPEN311 and report.reporter is None
    case = report.case
    assert case.source == Source.OPEN311 and case.status == S.REPORTED
    assert case.community == world.zhige and case.grid == world.zhige1
    assert case.description == "阳台晾晒被褥\n影响市容" and case.address == "下沙路 1 号"
    assert (row.email, row.first_name, row.last_name, row.phone) == ("li@example.com", "Lei", "Li", "13800009999")
    assert AuditEntry.objects.filter(action="open311.request").count() == 1
    assert AuditEntry.objects.filter(action="cases.report", target_id=str(case.pk)).exists()
    assert services.authenticate(app).last_used_at is not None


def test_a_request_without_description_gets_the_service_name_as_case_text(world, client, app, fmt):
    answer = created(client, fmt, app)
    case = Report.objects.get(pk=int(answer["service_request_id"])).case
    assert case.description == category(DRYING).label


def test_a_request_near_an_open_case_of_the_same_service_joins_it(world, client, app, fmt):
    first = created(client, fmt, app)
    second = created(client, fmt, app, at=(IN_ZHIGE[0] + 0.0001, IN_ZHIGE[1]))
    far = created(client, fmt, app, at=ZHIGE_B)
    case = Report.objects.get(pk=int(first["service_request_id"])).case
    assert Report.objects.get(pk=int(second["service_request_id"])).case == case
    assert Report.objects.get(pk=int(far["service_request_id"])).case != case
    assert first["service_request_id"] != second["service_request_id"]
    assert second["service_notice"] != first["service_notice"]
    assert Case.objects.count() == 2


@pytest.mark.parametrize("data", [
    {"lat": "30.305"},                                   # lat without long
    {"long": "120.305"},                                 # long without lat
    {"lat": "north", "long": "120.305"},                 # not a number
    {"lat": "nan", "long": "120.305"},
    {"lat": "91", "long": "120.305"},                    # not a latitude
    {"lat": "30.305", "long": "inf"},
    {"lat": str(OUTSIDE[1]), "long": str(OUTSIDE[0])},   # outside every community
    {},                                                  # no location at all
    {"lat": "30.305", "long": "120.305", "email": "not-an-address"},
    {"lat": "30.305", "long": "120.305", "media_url": "javascript:alert(1)"},
    {"lat": "30.305", "long": "120.305", "description": "x" * 4001},
    {"lat": "30.305", "long": "120.305", "phone": "1" * 41},
    {"address_string": "路" * 251},
    {"lat": "30.305", "long": "120.305", "attribute": "x"},
    {"lat": "30.305", "long": "120.305", "attribute[a][b]": "x"},
    {"service_code": ""},
])
def test_bad_input_is_a_400_and_changes_nothing(world, client, app, fmt, data):
    error(post(client, fmt, app, **data), fmt, 400)
    assert not ServiceRequest.objects.exists() and not Case.objects.exists()


def test_an_unknown_service_code_in_a_post_is_a_404(world, client, app, fmt):
    error(post(client, fmt, app, service_code="NOPE", lat="30.305", long="120.305"), fmt, 404)
    error(post(client, fmt, app, service_code="SJ01", lat="30.305", long="120.305"), fmt, 404)
    assert not ServiceRequest.objects.exists()


# --- attributes ------------------------------------------------------------------------------------

def test_attributes_are_checked_against_the_definition_and_kept(world, client, app, fmt):
    attributes()
    answer = created(client, fmt, app, **{
        "attribute[floor]": "3", "attribute[kind]": "2", "attribute[sides][]": ["n", "s"],
        "attribute[seen]": "2026-11-27T08:00:00+08:00", "attribute[note]": "靠近路口", "attribute[info]": "ignored"})
    row = ServiceRequest.objects.get(report_id=int(answer["service_request_id"]))
    assert row.attributes == {"floor": "3", "kind": "2", "sides": ["n", "s"], "seen": "2026-11-27T08:00:00+08:00",
                              "note": "靠近路口"}


@pytest.mark.parametrize("given", [
    {},                                                        # floor is required
    {"attribute[floor]": "  "},
    {"attribute[floor]": "three"},
    {"attribute[floor]": "nan"},
    {"attribute[floor]": ["1", "2"]},                          # one value only
    {"attribute[floor]": "1", "attribute[kind]": "9"},         # not a key of the list
    {"attribute[floor]": "1", "attribute[sides][]": ["n", "w"]},
    {"attribute[floor]": "1", "attribute[seen]": "yesterday"},
    {"attribute[floor]": "1", "attribute[note]": "two\nlines"},
    {"attribute[floor]": "1", "attribute[colour]": "red"},     # not in the definition
    {"attribute[floor]": "1", "attribute[note]": "x" * 501},
])
def test_attributes_that_do_not_fit_the_definition_are_a_400(world, client, app, fmt, given):
    attributes()
    error(post(client, fmt, app, lat="30.305", long="120.305", **given), fmt, 400)
    assert not ServiceRequest.objects.exists()


# --- media -----------------------------------------------------------------------------------------

def test_an_uploaded_photo_is_cleaned_stored_and_published_as_media_url(world, client, app, fmt):
    answer = created(client, fmt, app, media=photo())
    row = ServiceRequest.objects.get(report_id=int(answer["service_request_id"]))
    assert row.media
    _root, body = parse(client.get(f"{BASE}/requests/{row.service_request_id}.{fmt}"), fmt)
    media_url = body[0]["media_url"]
    assert media_url == f"http://testserver/open311/v2/media/{row.service_request_id}"
    picture = client.get(media_url)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"


def test_a_media_url_is_kept_as_sent(world, client, app, fmt):
    answer = created(client, fmt, app, media_url="https://img.example.com/1.jpg")
    _root, body = parse(client.get(f"{BASE}/requests/{answer['service_request_id']}.{fmt}"), fmt)
    assert body[0]["media_url"] == "https://img.example.com/1.jpg"


def test_an_upload_that_is_not_a_photo_is_a_400(world, client, app, fmt, settings):
    error(post(client, fmt, app, lat="30.305", long="120.305", media=upload(b"not an image", "x.png")), fmt, 400)
    settings.JUSHA_PHOTO_MAX_BYTES = 100
    error(post(client, fmt, app, lat="30.305", long="120.305", media=upload(png_bytes((300, 300)))), fmt, 400)
    assert not ServiceRequest.objects.exists() and not Case.objects.exists()


# --- tokens: address-only requests ---------------------------------------------------------------------

def test_an_address_only_request_gets_a_token_until_it_is_placed(world, client, app, fmt):
    response = post(client, fmt, app, address_string="下沙路 88 号", description="门口晾晒")
    assert response.status_code == 200
    _root, body = parse(response, fmt)
    token = body[0]["token"]
    assert token and "service_request_id" not in body[0]
    assert not Case.objects.exists()
    _root, looked_up = parse(client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt)
    assert looked_up[0]["token"] == token and text(looked_up[0]["service_request_id"]) == ""
    row = ServiceRequest.objects.get(token=token)
    services.request_place(actor=world.zhaolei, request=row, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1])
    _root, looked_up = parse(client.get(f"{BASE}/tokens/{token}.{fmt}"), fmt)
    request_id = looked_up[0]["service_request_id"]
    assert request_id == ServiceRequest.objects.get(token=token).service_request_id
    case = Report.objects.get(pk=int(request_id)).case
    assert case.source == Source.OPEN311 and case.address == "下沙路 88 号"
    _root, detail = parse(client.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt)
    assert detail[0]["address"] == "下沙路 88 号"


def test_an_unknown_token_is_a_404(world, client, fmt):
    error(client.get(f"{BASE}/tokens/nope.{fmt}"), fmt, 404)
    error(client.get(f"{BASE}/tokens/{'x' * 300}.{fmt}"), fmt, 404)


# --- GET requests -------------------------------------------------------------------------------------

def test_one_request_has_every_field_of_the_spec(world, client, app, fmt):
    answer = created(client, fmt, app, description="晾晒", address_string="下沙路 1 号", address_id="A-1")
    response = client.get(f"{BASE}/requests/{answer['service_request_id']}.{fmt}")
    assert response.status_code == 200
    root, body = parse(response, fmt)
    assert root in (None, "service_requests") and len(body) == 1
    row = body[0]
    assert list(row) == ["service_request_id", "status", "status_notes", "service_name", "service_code",
                         "description", "agency_responsible", "service_notice", "requested_datetime",
                         "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
                         "media_url"]
    assert row["service_request_id"] == answer["service_request_id"] and row["status"] == "open"
    assert row["service_code"] == DRYING and row["description"] == "晾晒"
    assert row["address"] == "下沙路 1 号" and row["address_id"] == "A-1"
    assert float(row["lat"]) == pytest.approx(IN_ZHIGE[1]) and float(row["long"]) == pytest.approx(IN_ZHIGE[0])
    assert row["agency_responsible"] == "智格社区 智格一"
    for name in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert row[name][19:] in ("+08:00", "Z") or row[name][19] in "+-", row[name]
    if fmt == "json":
        assert isinstance(row["lat"], float) and row["zipcode"] is None


def test_a_missing_or_malformed_request_id_is_a_404(world, client, app, fmt):
    error(client.get(f"{BASE}/requests/999999.{fmt}"), fmt, 404)
    error(client.get(f"{BASE}/requests/abc.{fmt}"), fmt, 404)
    error(client.get(f"{BASE}/requests/{'9' * 40}.{fmt}"), fmt, 404)
    # A resident's own report from the H5 page is not published.
    case, report, _created = cases.report_submit(actor=world.wangfang, category=category().pk, description="晾晒",
                                                 lng=ZHIGE_B[0], lat=ZHIGE_B[1], new_anyway=True)
    error(client.get(f"{BASE}/requests/{report.pk}.{fmt}"), fmt, 404)


def _close(world, case):
    cases.case_accept(actor=world.zhaolei, case=case)
    cases.case_file(actor=world.zhaolei, case=case)
    cases.case_dispatch(actor=world.zhaolei, case=case, assignee=world.zhouqiang)
    cases.case_take(actor=world.zhouqiang, case=case)
    cases.case_handle(actor=world.zhouqiang, case=case, note="已劝导收回", photo_files=[photo()])
    cases.case_verify(actor=world.sunmin, case=case)
    return cases.case_close(actor=world.zhaolei, case=case)


def test_statuses_map_from_the_workflow(world, client, app, clock, fmt):
    open_one = created(client, fmt, app)
    closing = created(client, fmt, app, at=ZHIGE_B)
    cancelled = created(client, fmt, app, service_code=MANHOLE)
    case = Report.objects.get(pk=int(closing["service_request_id"])).case
    clock.advance(minutes=5)
    _close(world, case)
    cancel = Report.objects.get(pk=int(cancelled["service_request_id"])).case
    cases.case_cancel(actor=world.zhaolei, case=cancel, reason="已自行修复")
    _root, body = parse(client.get(f"{BASE}/requests.{fmt}"), fmt)
    by_id = {r["service_request_id"]: r for r in body}
    assert by_id[open_one["service_request_id"]]["status"] == "open"
    closed = by_id[closing["service_request_id"]]
    assert closed["status"] == "closed" and "已劝导收回" in closed["status_notes"]
    assert closed["updated_datetime"] != closed["requested_datetime"]
    assert by_id[cancelled["service_request_id"]]["status"] == "closed"
    assert "已自行修复" in by_id[cancelled["service_request_id"]]["status_notes"]
    assert text(closed["expected_datetime"]) == ""  # no stage clock runs on a closed case

    def ids(**query):
        _root, rows = parse(client.get(f"{BASE}/requests.{fmt}", query), fmt)
        return {r["service_request_id"] for r in rows}

    assert ids(status="open") == {open_one["service_request_id"]}
    assert ids(status="closed") == {closing["service_request_id"], cancelled["service_request_id"]}
    assert ids(status="open,closed") == set(by_id)


def test_filters_by_id_code_and_date(world, client, app, clock, fmt):
    old = created(client, fmt, app)
    clock.advance(days=100)
    recent = created(client, fmt, app, at=ZHIGE_B)
    manhole = created(client, fmt, app, service_code=MANHOLE)

    def ids(**query):
        response = client.get(f"{BASE}/requests.{fmt}", query)
        assert response.status_code == 200, response.content
        _root, rows = parse(response, fmt)
        return [r["service_request_id"] for r in rows]

    # No dates: the last 90 days, newest first.
    assert ids() == [manhole["service_request_id"], recent["service_request_id"]]
    assert ids(service_code=DRYING) == [recent["service_request_id"]]
    assert ids(service_code=f"{DRYING},{MANHOLE}") == [manhole["service_request_id"], recent["service_request_id"]]
    assert ids(service_code="NOPE") == []
    # service_request_id overrides every other argument.
    assert set(ids(service_request_id=f"{old['service_request_id']},{manhole['service_request_id']},x",
                   service_code=DRYING, status="closed")) == {old["service_request_id"], manhole["service_request_id"]}
    start = (clock.current - timedelta(days=101)).isoformat()
    assert ids(start_date=start) == [old["service_request_id"]]  # start alone: the 90 days from it
    end = (clock.current - timedelta(days=99)).isoformat()
    assert ids(end_date=end) == [old["service_request_id"]]  # end alone: the 90 days up to it
    assert ids(start_date=start, end_date=end) == [old["service_request_id"]]
    utc = (clock.current - timedelta(days=1)).astimezone(tz=None).strftime("%Y-%m-%dT%H:%M:%S") + "Z"
    assert isinstance(ids(start_date=utc), list)


@pytest.mark.parametrize("query", [
    {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-04-02T00:00:00Z"},  # 91 days
    {"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},  # end before start
    {"start_date": "yesterday"},
    {"end_date": "2026-13-45T99:00:00Z"},
    {"start_date": "2026-02-30"},
    {"status": "pending"},
    {"status": "open,done"},
    {"page": "0"}, {"page": "-1"}, {"page": "two"}, {"page": "1e3"},
    {"page_size": "0"}, {"page_size": "1001"}, {"page_size": "99999999999999999999"}, {"page_size": "ten"},
    {"service_code": ",".join(["X"] * 201)},
])
def test_bad_queries_are_a_400(world, client, fmt, query):
    category()
    error(client.get(f"{BASE}/requests.{fmt}", query), fmt, 400)


def test_a_90_day_span_is_allowed(world, client, fmt):
    category()
    response = client.get(f"{BASE}/requests.{fmt}", {"start_date": "2026-01-01T00:00:00+08:00",
                                                     "end_date": "2026-04-01T00:00:00+08:00"})
    assert response.status_code == 200


def test_paging_extension(world, client, app, clock, fmt):
    made = []
    for i in range(5):
        made.append(created(client, fmt, app, at=(120.301 + i * 0.001, 30.301))["service_request_id"])
        clock.advance(minutes=1)
    newest_first = list(reversed(made))

    def page(**query):
        _root, rows = parse(client.get(f"{BASE}/requests.{fmt}", query), fmt)
        return [r["service_request_id"] for r in rows] if rows else []

    assert page(page_size="2") == newest_first[:2]
    assert page(page_size="2", page="2") == newest_first[2:4]
    assert page(page_size="2", page="3") == newest_first[4:]
    assert page(page_size="2", page="4") == []
    assert page(page="1") == newest_first


def test_the_list_runs_a_fixed_number_of_queries(world, client, app, clock, fmt, django_assert_max_num_queries):
    for i in range(3):
        created(client, fmt, app, at=(120.301 + i * 0.001, 30.301))
    with django_assert_max_num_queries(4):
        response = client.get(f"{BASE}/requests.{fmt}")
    assert response.status_code == 200


# --- no 500 for any input ----------------------------------------------------------------------------

@pytest.mark.parametrize("url,data", [
    ("requests", {"start_date": "\x00"}), ("requests", {"page_size": "１０"}), ("requests", {"status": ","}),
    ("requests", {"service_request_id": "1" * 100}), ("requests", {"start_date": "9999-12-31T23:59:59+14:00"}),
    ("requests", {"end_date": "0001-01-01T00:00:00-12:00"}), ("requests", {"start_date": "1000-01-01"}),
    ("requests/%00", {}), ("tokens/%00", {}),
    ("services/%00", {}), ("services", {"jurisdiction_id": "\x00"}),
])
def test_odd_queries_never_fail_the_server(world, client, fmt, url, data):
    category()
    response = client.get(f"{BASE}/{url}.{fmt}", data)
    assert response.status_code < 500


@pytest.mark.parametrize("data", [
    {"lat": "1e309", "long": "120.3"}, {"lat": "30.305", "long": "120.305", "attribute[]": "x"},
    {"lat": "３０.３", "long": "120.305"},
    {"lat": "30.305", "long": "120.305", "service_code": "\x00"},
])
def test_odd_posts_never_fail_the_server(world, client, app, fmt, data):
    response = post(client, fmt, app, **data)
    assert response.status_code < 500
    error(post(client, fmt, "\x00", lat="30.305", long="120.305"), fmt, 400)  # a NUL is refused first


def test_control_characters_stay_out_of_the_xml(world, client, app, fmt):
    answer = created(client, fmt, app, description="晾晒\x01\x0b衣物\n二楼")
    response = client.get(f"{BASE}/requests/{answer['service_request_id']}.{fmt}")
    _root, body = parse(response, fmt)  # XML: well-formed, or defusedxml would not read it
    assert body[0]["description"] in ("晾晒衣物\n二楼", "晾晒\x01\x0b衣物\n二楼")
    for data in ({"description": "a\x00b"}, {"attribute[x\x00]": "1"}, {"service_code": "SJ\x00"}):
        error(post(client, fmt, app, lat="30.305", long="120.305", **data), fmt, 400)
    error(client.get(f"{BASE}/requests.{fmt}", {"service_code": "SJ\x00"}), fmt, 400)


def test_a_malformed_multipart_body_is_a_400(world, client, app, fmt):
    response = client.generic("POST", f"{BASE}/requests.{fmt}", b"--x\r\nbroken",
                              content_type="multipart/form-data; boundary=x")
    assert response.status_code in (400, 403)
