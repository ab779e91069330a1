"""JSON and XML bodies of Open311 GeoReport v2, and its error shape.

Every endpoint answers in the format named by its extension (``services.json``,
``services.xml``). Lists are JSON arrays; in XML they are a root element holding one element per
item (``<services><service>…``), with the spec's element names: nested lists use
:data:`ITEM_TAGS` (``<attributes><attribute>``, ``<values><value>``, ``<endpoints><endpoint>``,
``<formats><format>``). XML is built with :mod:`xml.etree.ElementTree` (escaping included) and
sent as UTF-8 with its declaration; ``None`` is an empty element, booleans are ``true``/``false``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = ("json", "xml")
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# Element name of one item of a list, per list element name (GeoReport v2).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
    "service_request_updates": "request_update",
}


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset of the platform's time zone (Vietnam: +07:00), to the second."""
    if moment is None:
        return None
    if isinstance(moment, datetime):
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return timezone.localtime(moment).isoformat(timespec="seconds")
    return moment.isoformat() if isinstance(moment, date) else str(moment)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value) or ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _clean_text(text: str) -> str:
    # XML 1.0 cannot carry most control characters, even escaped: drop them.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            sub = ET.SubElement(element, key)
            if isinstance(child, (list, tuple)):
                item_tag = ITEM_TAGS.get(key, "item")
                for item in child:
                    _fill(ET.SubElement(sub, item_tag), item)
            else:
                _fill(sub, child)
    else:
        element.text = _clean_text(_scalar(value))


def to_xml(root: str, data: Any) -> bytes:
    """``data`` (a list → one ``ITEM_TAGS[root]`` per item, or a dict) under ``<root>``."""
    element = ET.Element(root)
    if isinstance(data, (list, tuple)):
        item_tag = ITEM_TAGS.get(root, "item")
        for item in data:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def to_json(data: Any) -> bytes:
    return json.dumps(_jsonable(data), ensure_ascii=False, separators=(",", ":")).encode()


def render(data: Any, fmt: str, *, root: str, status: int = 200, headers: dict | None = None) -> HttpResponse:
    """The response body in ``fmt``. ``root`` is the XML root element (JSON has no root: a list
    is an array, a dict an object)."""
    if fmt == "xml":
        body = to_xml(root, data)
    else:
        fmt = "json"
        body = to_json(data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["X-Content-Type-Options"] = "nosniff"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def errors(items: Iterable[tuple[int, str]], fmt: str, *, status: int | None = None) -> HttpResponse:
    """The spec's error body: ``[{"code": 400, "description": "…"}]`` or
    ``<errors><error><code>400</code><description>…</description></error></errors>``."""
    items = [(int(code), str(description)) for code, description in items]
    data = [{"code": code, "description": description} for code, description in items]
    return render(data, fmt if fmt in FORMATS else "json", root="errors", status=status or items[0][0])


def error(code: int, description: str, fmt: str) -> HttpResponse:
    return errors([(code, description)], fmt)
