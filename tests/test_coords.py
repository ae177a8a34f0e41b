"""GCJ-02 / BD-09 → WGS-84 against published reference points (eviltransform's and coordtransform's)."""

import pytest

from jusha.places.coords import (
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    out_of_china,
    to_wgs84,
    wgs84_to_gcj02,
)

# (wgs lng, wgs lat, gcj lng, gcj lat) from googollee/eviltransform's test suite.
EVILTRANSFORM = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
]


@pytest.mark.parametrize(("wlng", "wlat", "glng", "glat"), EVILTRANSFORM)
def test_wgs84_to_gcj02_matches_reference(wlng, wlat, glng, glat):
    assert wgs84_to_gcj02(wlng, wlat) == pytest.approx((glng, glat), abs=1e-9)


@pytest.mark.parametrize(("wlng", "wlat", "glng", "glat"), EVILTRANSFORM)
def test_gcj02_to_wgs84_recovers_the_gps_point_within_a_centimetre(wlng, wlat, glng, glat):
    lng, lat = gcj02_to_wgs84(glng, glat)
    assert lng == pytest.approx(wlng, abs=1e-7)  # 1e-7° ≈ 1 cm
    assert lat == pytest.approx(wlat, abs=1e-7)


def test_bd09_reference_points_from_coordtransform():
    # wandergis/coordtransform README: Tiananmen area.
    assert bd09_to_gcj02(116.404, 39.915) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-9)
    assert gcj02_to_bd09(116.404, 39.915) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)


def test_bd09_to_wgs84_round_trip_near_xiasha():
    wgs = (120.35, 30.30)
    bd = gcj02_to_bd09(*wgs84_to_gcj02(*wgs))
    assert to_wgs84(*bd, "bd09") == pytest.approx(wgs, abs=1e-6)


def test_points_outside_china_are_not_shifted():
    assert out_of_china(2.35, 48.85)
    assert to_wgs84(2.35, 48.85, "gcj02") == (2.35, 48.85)


def test_unknown_coordinate_system_is_refused():
    with pytest.raises(ValueError):
        to_wgs84(120.0, 30.0, "mercator")
