"""Open311 attribute definitions of a category, and the values a report gives for them.

A definition: ``code`` (slug), ``datatype`` (string | number | datetime | text |
singlevaluelist | multivaluelist), ``required``, ``order``, ``description`` (the question shown),
``variable`` (true: the reporter answers it; Open311 default true), ``values``
(``[{"key", "name"}]``, lists only). Values are keyed by code (``attribute[CODE]`` in Open311).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from tinhso.core.errors import ValidationFailed

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LISTS = ("singlevaluelist", "multivaluelist")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,60}$")
MAX_STRING = 255
MAX_TEXT = 4000


def clean_definitions(raw) -> list[dict]:
    """Normalised definitions sorted by ``order``, or ValidationFailed listing the problems."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise ValidationFailed(_("Danh sách thông tin bổ sung phải là một mảng JSON."), code="invalid_attributes")
    out, problems, seen = [], [], set()
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            problems.append(_("Mục %(n)d không phải là đối tượng.") % {"n": i + 1})
            continue
        code = str(item.get("code") or "")
        datatype = item.get("datatype")
        if not CODE_RE.match(code) or code in seen:
            problems.append(_("Mục %(n)d: mã không hợp lệ hoặc bị trùng.") % {"n": i + 1})
            continue
        seen.add(code)
        if datatype not in DATATYPES:
            problems.append(_("«%(code)s»: kiểu dữ liệu không hợp lệ.") % {"code": code})
            continue
        values = item.get("values") or []
        if datatype in LISTS:
            if not isinstance(values, list) or not values or not all(
                isinstance(v, dict) and str(v.get("key") or "") and str(v.get("name") or "") for v in values
            ):
                problems.append(_("«%(code)s»: cần danh sách lựa chọn (key, name).") % {"code": code})
                continue
            values = [{"key": str(v["key"]), "name": str(v["name"])} for v in values]
        else:
            values = []
        try:
            order = int(item.get("order") or (i + 1))
        except (TypeError, ValueError):
            order = i + 1
        out.append({
            "code": code, "datatype": datatype, "required": bool(item.get("required", False)),
            "variable": bool(item.get("variable", True)), "order": order,
            "description": str(item.get("description") or code), "values": values,
        })
    if problems:
        raise ValidationFailed(_("Thông tin bổ sung chưa hợp lệ: %(problems)s") % {"problems": " ".join(problems)},
                               code="invalid_attributes", details={"problems": problems})
    return sorted(out, key=lambda d: (d["order"], d["code"]))


def _missing(value) -> bool:
    return value is None or value == "" or value == []


def _one(defn: dict, value) -> Any:
    datatype = defn["datatype"]
    if datatype in ("string", "text"):
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ValueError
        text = str(value).strip()
        if len(text) > (MAX_STRING if datatype == "string" else MAX_TEXT):
            raise ValueError
        return text
    if datatype == "number":
        if isinstance(value, bool):
            raise ValueError
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError from exc
        if not number.is_finite():
            raise ValueError
        return int(number) if number == number.to_integral_value() else float(number)
    if datatype == "datetime":
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError
        return moment.isoformat()
    keys = [v["key"] for v in defn["values"]]
    if datatype == "singlevaluelist":
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if str(value) not in keys:
            raise ValueError
        return str(value)
    items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
    items = [str(v).strip() for v in items]
    if not items or any(v not in keys for v in items):
        raise ValueError
    return list(dict.fromkeys(items))


def clean_values(definitions, values) -> dict:
    """The values a report gives, checked against its category's definitions: unknown codes,
    missing required answers and wrong types are refused (ValidationFailed, per-field details)."""
    definitions = clean_definitions(definitions)
    if values in (None, ""):
        values = {}
    if not isinstance(values, dict):
        raise ValidationFailed(_("Thông tin bổ sung phải là một đối tượng JSON."), code="invalid_attributes")
    by_code = {d["code"]: d for d in definitions if d["variable"]}
    errors: dict[str, str] = {}
    for code in values:
        if code not in by_code:
            errors[str(code)[:60]] = _("Thông tin không thuộc lĩnh vực này.")
    cleaned: dict = {}
    for code, defn in by_code.items():
        value = values.get(code)
        if _missing(value):
            if defn["required"]:
                errors[code] = _("Cần cung cấp «%(name)s».") % {"name": defn["description"]}
            continue
        try:
            cleaned[code] = _one(defn, value)
        except (ValueError, TypeError):
            errors[code] = _("Giá trị của «%(name)s» không hợp lệ.") % {"name": defn["description"]}
    if errors:
        raise ValidationFailed(_("Thông tin bổ sung chưa hợp lệ, vui lòng kiểm tra lại."), code="invalid_attributes",
                               details={"fields": errors})
    return cleaned
