"""Point → grid → community, including borders and the outside."""

import pytest
from django.utils.timezone import now as now_utc

from jusha.places import lookup
from jusha.places.coords import wgs84_to_gcj02
from jusha.places.models import Grid
from tests.conftest import square


def test_point_inside_a_grid_finds_grid_and_community(world):
    loc = lookup.locate(120.305, 30.305)
    assert loc.inside
    assert (loc.grid_id, loc.community_id, loc.subdistrict_id) == (world.zhige1.pk, world.zhige.pk,
                                                                   world.subdistrict.pk)


def test_point_on_a_shared_border_belongs_to_the_grid_with_the_lowest_code(world):
    # 120.31 is the border between 智格一 (…001) and 智格二 (…002).
    assert lookup.locate(120.31, 30.305).grid_id == world.zhige1.pk
    # The corner shared by all four grids.
    assert lookup.locate(120.31, 30.31).grid_id == world.zhige1.pk


def test_point_on_the_outer_boundary_is_inside(world):
    assert lookup.locate(120.30, 30.30).grid_id == world.zhige1.pk


def test_point_outside_the_district_is_answered_clearly(world):
    loc = lookup.locate(121.47, 31.23)  # Shanghai
    assert not loc.inside
    assert loc.grid_id is None and loc.community_id is None


def test_point_in_a_community_but_in_no_grid_still_finds_the_community(world):
    world.yanlan2.boundary = None
    world.yanlan2.save()
    loc = lookup.locate(120.315, 30.315)
    assert loc.grid_id is None
    assert loc.community_id == world.yanlan.pk


def test_index_is_rebuilt_when_a_boundary_changes(world):
    assert lookup.locate(120.325, 30.305).grid_id is None
    world.zhige2.boundary = {"type": "Polygon", "coordinates": [[[120.31, 30.30], [120.33, 30.30], [120.33, 30.31],
                                                                 [120.31, 30.31], [120.31, 30.30]]]}
    world.zhige2.save()
    assert lookup.locate(120.325, 30.305).grid_id == world.zhige2.pk


def test_index_is_rebuilt_when_a_grid_is_added(world):
    new = Grid.objects.create(community=world.zhige, code="330114001001003", name="智格三",
                              boundary=square(120.32, 30.30))
    assert lookup.locate(120.325, 30.305).grid_id == new.pk


def test_index_is_built_once_for_many_lookups(world, django_assert_max_num_queries):
    lookup.locate(120.305, 30.305)
    with django_assert_max_num_queries(2 * 10):  # only the version check per lookup
        for i in range(10):
            lookup.locate(120.301 + i * 0.001, 30.305)


@pytest.mark.django_db
def test_lookup_api_converts_wechat_gcj02(client, world):
    glng, glat = wgs84_to_gcj02(120.315, 30.315)
    response = client.get("/api/places/locate", {"lng": glng, "lat": glat, "crs": "gcj02"})
    assert response.status_code == 200
    body = response.json()
    assert body["inside"] is True
    assert body["grid"]["name"] == "滟澜二"
    assert body["community"]["name"] == "滟澜社区"
    assert body["lng"] == pytest.approx(120.315, abs=1e-7)


def test_lookup_api_says_outside(client, world):
    body = client.get("/api/places/locate", {"lng": 121.47, "lat": 31.23}).json()
    assert body["inside"] is False
    assert body["grid"] is None
    assert body["message"]


def test_lookup_api_refuses_bad_input_without_500(client, world):
    for params in ({"lng": "abc", "lat": 30}, {"lng": 500, "lat": 30}, {"lng": 120, "lat": 30, "crs": "x"}, {}):
        assert client.get("/api/places/locate", params).status_code == 422


def test_invalid_boundary_is_refused_by_validation(world):
    from django.core.exceptions import ValidationError

    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    grid = Grid(community=world.zhige, code="330114001001009", name="坏", boundary=bowtie)
    with pytest.raises(ValidationError):
        grid.full_clean()


def test_other_processes_changes_are_seen_after_the_recheck_interval(world, settings, monkeypatch):
    from jusha.places import lookup as lookup_module

    settings.JUSHA_PLACES_RECHECK_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(lookup_module.time, "monotonic", lambda: now[0])
    assert lookup.locate(120.325, 30.305).grid_id is None
    # Another process (simulated by a queryset update, which bypasses this process's save()) widens 智格二.
    Grid.objects.filter(pk=world.zhige2.pk).update(boundary=square(120.31, 30.30, size=0.02), updated_at=now_utc())
    assert lookup.locate(120.325, 30.305).grid_id is None  # not yet re-checked
    now[0] += 6
    assert lookup.locate(120.325, 30.305).grid_id == world.zhige2.pk


def test_a_save_in_this_process_is_seen_at_once_even_between_rechecks(world, settings):
    settings.JUSHA_PLACES_RECHECK_SECONDS = 3600
    assert lookup.locate(120.325, 30.305).grid_id is None
    world.zhige2.boundary = square(120.31, 30.30, size=0.02)
    world.zhige2.save()
    assert lookup.locate(120.325, 30.305).grid_id == world.zhige2.pk


def test_lookups_between_rechecks_run_no_query(world, settings, django_assert_num_queries):
    settings.JUSHA_PLACES_RECHECK_SECONDS = 3600
    lookup.locate(120.305, 30.305)
    with django_assert_num_queries(0):
        for i in range(10):
            lookup.locate(120.301 + i * 0.001, 30.305)
