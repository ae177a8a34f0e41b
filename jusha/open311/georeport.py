"""GeoReport v2's two formats from one description of a response.

A response is built from dicts (an element with children, in order), `Many` (a wrapper element whose
children repeat: `<services><service>…`) and plain values. XML writes each value as text (booleans
`true`/`false`, nothing for None); JSON follows the spec's Spark convention: the root element is dropped,
a `Many` becomes an array, a dict an object, None null. Codes and ids are passed in as strings, so
they stay strings in JSON ("001" keeps its zeros).
"""

import json
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from django.http import HttpResponse

XML = "xml"
JSON = "json"
FORMATS = (XML, JSON)
CONTENT_TYPES = {XML: "text/xml; charset=utf-8", JSON: "application/json; charset=utf-8"}
MEDIA_TYPES = {XML: "text/xml", JSON: "application/json"}
# Characters XML 1.0 cannot carry at all (stored text may hold them; the document must stay well-formed).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True)
class Many:
    item: str  # the name of each repeated element
    items: list


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: Element, value) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(SubElement(element, name), child)
    elif isinstance(value, Many):
        for child in value.items:
            _fill(SubElement(element, value.item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(element, encoding="utf-8", xml_declaration=False)


def _plain(value):
    if isinstance(value, dict):
        return {name: _plain(child) for name, child in value.items()}
    if isinstance(value, Many):
        return [_plain(child) for child in value.items]
    return value


def to_json(value) -> bytes:
    return json.dumps(_plain(value), ensure_ascii=False).encode()


def respond(fmt: str, root: str, value, *, status: int = 200) -> HttpResponse:
    body = to_json(value) if fmt == JSON else to_xml(root, value)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error form; the code in the body is the HTTP status."""
    return respond(fmt, "errors", Many("error", [{"code": status, "description": str(d)} for d in descriptions]),
                   status=status)
