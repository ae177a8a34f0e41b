"""Reporting: routing to grid and community, the nearby open case a resident may follow, photos,
anonymity, handle-on-the-spot by a grid worker, and bad input changing nothing."""

import math

import pytest

from jusha.cases import services
from jusha.cases.models import Case, CasePhoto, Report
from jusha.core.errors import DomainError, NotAllowed
from jusha.places.coords import CRS, wgs84_to_gcj02
from tests.cases_helpers import DRYING, IN_ZHIGE, MANHOLE, OUTSIDE, VENDING, S, category, photo, report

pytestmark = pytest.mark.django_db


def offset(point, *, north_m: float = 0, east_m: float = 0):
    lng, lat = point
    return (lng + east_m / (111_320 * math.cos(math.radians(lat))), lat + north_m / 111_320)


def submit(person, at, **kwargs):
    kwargs.setdefault("category", category(DRYING).pk)
    kwargs.setdefault("description", "晾晒衣物")
    return services.report_submit(actor=person, lng=at[0], lat=at[1], **kwargs)


def test_a_report_is_routed_to_its_grid_and_community(world):
    case = report(world.wangfang)
    assert case.grid == world.zhige1 and case.community == world.zhige and case.status == S.REPORTED
    assert case.source == "resident" and case.urgency == case.category.urgency
    assert case.reports.get().reporter == world.wangfang


def test_gcj02_points_are_stored_as_wgs84(world):
    gcj = wgs84_to_gcj02(*IN_ZHIGE)
    case, _r, _c = submit(world.wangfang, gcj, crs=CRS.GCJ02)
    assert case.lng == pytest.approx(IN_ZHIGE[0], abs=1e-6) and case.lat == pytest.approx(IN_ZHIGE[1], abs=1e-6)


def test_outside_the_area_is_refused_and_nothing_is_written(world):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, OUTSIDE)
    assert refused.value.code == "outside_area"
    assert not Case.objects.exists()


@pytest.mark.parametrize("meters, hours, offered", [(49, 23.9, True), (51, 1, False), (10, 24.1, False)])
def test_a_nearby_open_case_is_offered_within_distance_and_time(world, clock, settings, meters, hours, offered):
    settings.JUSHA_CASE_DUPLICATE_METERS = 50
    settings.JUSHA_CASE_DUPLICATE_HOURS = 24
    first = report(world.wangfang)
    clock.advance(hours=hours)
    at = offset(IN_ZHIGE, north_m=meters)
    if offered:
        with pytest.raises(services.NearbyOpenCase) as nearby:
            submit(world.zhangwei, at)
        assert [c.pk for c in nearby.value.cases] == [first.pk] and nearby.value.code == "nearby_open_case"
        assert Case.objects.count() == 1
    else:
        case, _r, created = submit(world.zhangwei, at)
        assert created and case.pk != first.pk


def test_another_category_or_a_closed_case_is_not_offered(world):
    report(world.wangfang, code=VENDING)
    case, _r, created = submit(world.zhangwei, IN_ZHIGE)
    assert created
    services.case_cancel(actor=world.zhaolei, case=case, reason="误报")
    _case, _r, created = submit(world.zhangwei, IN_ZHIGE)
    assert created


def test_following_attaches_the_report_and_both_reporters_hear_the_close(world, django_capture_on_commit_callbacks):
    from jusha.notifications.models import Message
    from tests.cases_helpers import bring_to

    first = bring_to(world, S.DISPATCHED)
    case, rep, created = submit(world.zhangwei, offset(IN_ZHIGE, east_m=20), follow=first.pk, anonymous=True,
                                photo_files=[photo()])
    assert not created and case.pk == first.pk and rep.followed and rep.anonymous
    assert CasePhoto.objects.filter(report=rep, stage="reported").count() == 1
    assert case.events.filter(step="follow").exists()
    services.case_take(actor=world.zhouqiang, case=case)
    services.case_handle(actor=world.zhouqiang, case=case, note="已处理", photo_files=[photo()])
    services.case_verify(actor=world.sunmin, case=case)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_close(actor=world.zhaolei, case=case)
    closed = Message.objects.filter(kind="cases.closed")
    assert set(closed.values_list("recipient", flat=True)) == {world.wangfang.pk, world.zhangwei.pk}


def test_following_a_case_that_is_not_nearby_is_refused(world):
    far = report(world.wangfang, at=offset(IN_ZHIGE, north_m=300))
    with pytest.raises(DomainError) as refused:
        submit(world.zhangwei, IN_ZHIGE, follow=far.pk)
    assert refused.value.code == "invalid_follow"
    assert Report.objects.count() == 1


def test_photo_required_by_the_category(world):
    with pytest.raises(DomainError) as refused:
        submit(world.wangfang, IN_ZHIGE, category=category(MANHOLE).pk, description="井盖缺失")
    assert refused.value.code == "photo_required"
    case, _r, _c = submit(world.wangfang, IN_ZHIGE, category=category(MANHOLE).pk, description="井盖缺失",
                          photo_files=[photo()])
    assert case.number.startswith("BJ")


@pytest.mark.parametrize("changes, code", [
    ({"description": ""}, "required"),
    ({"description": "x" * 501}, "too_long"),
    ({"category": 10**9}, "invalid_category"),
    ({"category": "SJ0104"}, "invalid_category"),
    ({"address": "x" * 121}, "too_long"),
    ({"crs": "utm"}, "invalid_location"),
    ({"lng": float("nan")}, "invalid_location"),
    ({"lng": None}, "invalid_location"),
    ({"lat": 91.0}, "invalid_location"),
])
def test_bad_input_is_refused_with_a_code(world, changes, code):
    values = {"category": category(DRYING).pk, "description": "晾晒", "lng": IN_ZHIGE[0], "lat": IN_ZHIGE[1],
              **changes}
    with pytest.raises(DomainError) as refused:
        services.report_submit(actor=world.wangfang, **values)
    assert refused.value.code == code
    assert not Case.objects.exists()


def test_a_top_category_cannot_be_reported(world):
    top = category(DRYING).parent
    with pytest.raises(DomainError):
        services.report_submit(actor=world.wangfang, category=top.pk, description="x", lng=IN_ZHIGE[0],
                               lat=IN_ZHIGE[1])


def test_anonymous_visitors_cannot_report(world):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(NotAllowed):
        submit(AnonymousUser(), IN_ZHIGE)


def test_handle_on_the_spot_creates_a_handled_case_for_verification(world, django_capture_on_commit_callbacks):
    from jusha.notifications.models import Message

    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_self_handle(actor=world.zhouqiang, category=category(DRYING).pk, description="晾晒衣物",
                                         lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], note="已劝导收回",
                                         before_photos=[photo()], after_photos=[photo()])
    assert case.status == S.HANDLED and case.self_handled and case.assignee == world.zhouqiang
    assert case.source == "patrol"
    assert [e.step for e in case.events.all()] == ["report", "self_handle"]
    assert set(CasePhoto.objects.filter(case=case).values_list("stage", flat=True)) == {"before", "after"}
    assert Message.objects.filter(kind="cases.verify", recipient=world.sunmin).exists()
    services.case_verify(actor=world.sunmin, case=case)
    services.case_close(actor=world.zhaolei, case=case)
    assert Case.objects.get(pk=case.pk).status == S.CLOSED


def test_handle_on_the_spot_needs_both_photos_and_own_grid(world):
    args = {"category": category(DRYING).pk, "description": "晾晒", "note": "已处理"}
    with pytest.raises(DomainError) as no_after:
        services.case_self_handle(actor=world.zhouqiang, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1],
                                  before_photos=[photo()], **args)
    assert no_after.value.code == "photo_required"
    with pytest.raises(DomainError) as elsewhere:
        services.case_self_handle(actor=world.zhouqiang, lng=120.315, lat=30.305, before_photos=[photo()],
                                  after_photos=[photo()], **args)
    assert elsewhere.value.code == "not_your_grid"
    with pytest.raises(NotAllowed):
        services.case_self_handle(actor=world.wangfang, lng=IN_ZHIGE[0], lat=IN_ZHIGE[1], before_photos=[photo()],
                                  after_photos=[photo()], **args)
    assert not Case.objects.exists()
