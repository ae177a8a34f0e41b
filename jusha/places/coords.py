"""Coordinate systems used by phones and maps in China, converted to the WGS-84 we store.

GCJ-02 is the obfuscated datum every map and WeChat's location API in mainland China returns;
BD-09 is Baidu's further offset of GCJ-02. The forward formulas are public; the inverse of GCJ-02
has no closed form, so it is found by fixed-point iteration to well under a centimetre.
"""

import math
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as the GCJ-02 algorithm uses it
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


class CRS(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"


CRS_LABELS = {
    CRS.WGS84: _("WGS-84 (GPS)"),
    CRS.GCJ02: _("GCJ-02 (WeChat, AMap, Tencent)"),
    CRS.BD09: _("BD-09 (Baidu)"),
}


def out_of_china(lng: float, lat: float) -> bool:
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _offset(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _offset(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    if out_of_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _step in range(30):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        if abs(d_lng) < 1e-10 and abs(d_lat) < 1e-10:
            break
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
    return w_lng, w_lat


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def to_wgs84(lng: float, lat: float, crs: str | CRS = CRS.WGS84) -> tuple[float, float]:
    """Convert a phone's (lng, lat) in `crs` to WGS-84. Raises ValueError for an unknown crs."""
    crs = CRS(crs)
    if crs is CRS.GCJ02:
        return gcj02_to_wgs84(lng, lat)
    if crs is CRS.BD09:
        return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))
    return lng, lat
