"""Helpers for the Open311 conformance suite: a client app's key, posting as an app, and reading either
format back into the same shape, so every rule is checked in XML and in JSON alike.

The world is tests/conftest.py's: IN_ZHIGE is a point in 智格一 (下沙街道), OUTSIDE is outside every
community; SJ0104 (沿街晾晒) is the grid worker's category.
"""

from defusedxml import ElementTree

from jusha.open311 import services
from tests.cases_helpers import DRYING, IN_ZHIGE, OUTSIDE, category  # noqa: F401

BASE = "/open311/v2"
FORMATS = ["xml", "json"]
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def key(world, name="城市通 app") -> tuple:
    category()  # the seeded categories, even after a flush
    return services.client_create(actor=world.liuyang, name=name)


def _element(node):
    """An XML element as JSON would have it, text everywhere: children by name, repeated ones in a list."""
    children = list(node)
    if not children:
        return node.text or ""
    names = [c.tag for c in children]
    if len(set(names)) == 1 and len(names) > 1 or node.tag in {"services", "service_requests", "errors",
                                                                "attributes", "values", "endpoints", "formats"}:
        return [_element(c) for c in children]
    return {c.tag: _element(c) for c in children}


def parse(response, fmt):
    """(root tag or None, body) — XML read with defusedxml into lists and dicts of text, JSON as it is."""
    assert response["Content-Type"] == CONTENT_TYPES[fmt], response["Content-Type"]
    if fmt == "json":
        return None, response.json()
    raw = response.content
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(raw)
    return root.tag, _element(root)


def text(value) -> str:
    """A scalar as XML writes it, so both formats compare the same."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def error(response, fmt, status: int) -> str:
    """The spec's error form with the status; returns the description."""
    assert response.status_code == status, response.content
    root, body = parse(response, fmt)
    if fmt == "xml":
        assert root == "errors"
    assert isinstance(body, list) and len(body) == 1
    assert text(body[0]["code"]) == str(status)
    if fmt == "json":
        assert body[0]["code"] == status
    assert body[0]["description"]
    return body[0]["description"]


def post(client, fmt, api_key, **data):
    data.setdefault("service_code", DRYING)
    if api_key is not None:
        data.setdefault("api_key", api_key)
    return client.post(f"{BASE}/requests.{fmt}", data)


def created(client, fmt, api_key, *, at=IN_ZHIGE, **data) -> dict:
    data.setdefault("lat", str(at[1]))
    data.setdefault("long", str(at[0]))
    response = post(client, fmt, api_key, **data)
    assert response.status_code == 200, response.content
    root, body = parse(response, fmt)
    assert root in (None, "service_requests") and len(body) == 1
    return body[0]
