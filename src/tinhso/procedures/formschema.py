"""Application forms as data: a small, documented subset of JSON Schema (draft 2020-12).

A procedure's ``form_schema`` is an object schema whose ``properties`` are the fields of the
application form (tờ khai). Three functions are the whole interface:

* :func:`validate_schema` — is this schema one we can render and validate? (admins, import)
* :func:`validate_data` — coerce what a citizen typed (HTML form strings or JSON) into the
  declared types and check it, with Vietnamese messages per field. Never raises on user input.
* :func:`render_fields` — an accessible HTML fragment (no inline JS or styles, everything escaped).

Supported keywords per property: ``type`` (string, integer, number, boolean), ``title``,
``description``, ``format`` (date, email), ``enum`` with ``enumNames`` (a list) or ``x-labels``
(a list or a value → label mapping), ``minLength``, ``maxLength``, ``pattern``, ``minimum``,
``maximum``, ``default``, ``x-order`` (an integer), ``x-widget`` (textarea, select, radio, date,
national_id, phone, commune) and ``x-autocomplete`` (an HTML autocomplete token). At the top:
``type: object``, ``properties``, ``required``, ``title``, ``description``, ``$schema``,
``additionalProperties: false`` and ``x-order`` (a list of property names). An empty schema
(``{}``) means "no application form".
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from tinhso.core.errors import ValidationFailed

MAX_SCHEMA_BYTES = 64 * 1024
MAX_PROPERTIES = 80
MAX_DATA_BYTES = 64 * 1024
MAX_PATTERN_CHARS = 200
DEFAULT_MAX_LENGTH = 500
DEFAULT_TEXTAREA_MAX_LENGTH = 4000
NON_FIELD = "__all__"
# Keys an HTML form posts besides the fields; ignored rather than reported as unknown.
IGNORED_KEYS = frozenset({"csrfmiddlewaretoken"})

TYPES = ("string", "integer", "number", "boolean")
FORMATS = ("date", "email")
WIDGETS = ("textarea", "select", "radio", "date", "national_id", "phone", "commune")
STRING_WIDGETS = frozenset({"textarea", "date", "national_id", "phone", "commune"})
AUTOCOMPLETE_TOKENS = frozenset({
    "off", "on", "name", "given-name", "family-name", "email", "tel", "street-address", "address-line1",
    "address-line2", "address-level1", "address-level2", "country-name", "postal-code", "bday",
    "sex", "organization", "organization-title",
})
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TOP_KEYS = frozenset({"$schema", "type", "title", "description", "properties", "required", "x-order",
                      "additionalProperties"})
PROPERTY_KEYS = frozenset({"type", "title", "description", "format", "enum", "enumNames", "x-labels",
                           "minLength", "maxLength", "pattern", "minimum", "maximum", "default", "x-order",
                           "x-widget", "x-autocomplete"})
STRING_ONLY = ("format", "minLength", "maxLength", "pattern")
NUMBER_ONLY = ("minimum", "maximum")

NATIONAL_ID_RE = re.compile(r"^\d{12}$")
INTEGER_RE = re.compile(r"^[+-]?\d{1,18}$")
NUMBER_RE = re.compile(r"^[+-]?(\d{1,18}([.,]\d{1,10})?|[.,]\d{1,10})$")
TRUE_WORDS = frozenset({"true", "on", "1", "yes", "co", "có"})
FALSE_WORDS = frozenset({"false", "off", "0", "no", "khong", "không"})


# --- schema ---------------------------------------------------------------------------------------


def _fail(message: str, problems: list[str]) -> None:
    raise ValidationFailed(message, code="invalid_form_schema", details={"schema": problems})


def validate_schema(schema: Any) -> None:
    """Raise ``ValidationFailed`` (details ``{"schema": [problems]}``) unless ``schema`` is a
    valid JSON Schema inside the subset this module renders and validates."""
    if schema in (None, {}):
        return
    if not isinstance(schema, Mapping):
        _fail(_("Biểu mẫu tờ khai phải là một đối tượng JSON Schema."), [_("Không phải đối tượng JSON.")])
    try:
        size = len(json.dumps(schema, ensure_ascii=False).encode())
    except (TypeError, ValueError):
        _fail(_("Biểu mẫu tờ khai không phải JSON hợp lệ."), [_("Không chuyển được sang JSON.")])
    if size > MAX_SCHEMA_BYTES:
        _fail(_("Biểu mẫu tờ khai quá lớn."), [_("Tối đa %(n)d byte.") % {"n": MAX_SCHEMA_BYTES}])
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        _fail(_("Biểu mẫu tờ khai không phải JSON Schema hợp lệ."), [str(exc.message)[:300]])
    problems = _subset_problems(schema)
    if problems:
        _fail(_("Biểu mẫu tờ khai dùng tính năng chưa được hỗ trợ."), problems)


def _subset_problems(schema: Mapping) -> list[str]:
    problems: list[str] = []
    unknown = sorted(set(schema) - TOP_KEYS)
    if unknown:
        problems.append(_("Khóa không được hỗ trợ ở cấp ngoài cùng: %(keys)s.") % {"keys": ", ".join(unknown)})
    if schema.get("type") != "object":
        problems.append(_("«type» ở cấp ngoài cùng phải là \"object\"."))
    if schema.get("additionalProperties", False) is not False:
        problems.append(_("«additionalProperties» chỉ được là false."))
    props = schema.get("properties", {})
    if not isinstance(props, Mapping):
        return [*problems, _("«properties» phải là một đối tượng.")]
    if len(props) > MAX_PROPERTIES:
        problems.append(_("Tối đa %(n)d trường.") % {"n": MAX_PROPERTIES})
    for name, prop in props.items():
        problems.extend(_property_problems(name, prop))
    required = schema.get("required", [])
    for name in required if isinstance(required, list) else []:
        if name not in props:
            problems.append(_("Trường bắt buộc «%(name)s» không có trong «properties».") % {"name": name})
    order = schema.get("x-order", [])
    if not isinstance(order, list) or any(not isinstance(n, str) or n not in props for n in order):
        problems.append(_("«x-order» phải là danh sách tên trường có trong «properties»."))
    return problems


def _property_problems(name: str, prop: Any) -> list[str]:
    p: list[str] = []

    def say(msg: str) -> None:
        p.append(f"{name}: {msg}")

    if not NAME_RE.match(str(name)):
        say(_("tên trường chỉ gồm chữ thường không dấu, số và dấu gạch dưới, bắt đầu bằng chữ, tối đa 40 ký tự."))
    if not isinstance(prop, Mapping):
        say(_("định nghĩa trường phải là một đối tượng."))
        return p
    unknown = sorted(set(prop) - PROPERTY_KEYS)
    if unknown:
        say(_("khóa không được hỗ trợ: %(keys)s.") % {"keys": ", ".join(unknown)})
    kind = prop.get("type")
    if kind not in TYPES:
        say(_("«type» phải là một trong: %(types)s.") % {"types": ", ".join(TYPES)})
        return p
    for key in ("title", "description"):
        if key in prop and not isinstance(prop[key], str):
            say(_("«%(key)s» phải là chuỗi.") % {"key": key})
    if kind != "string":
        for key in STRING_ONLY:
            if key in prop:
                say(_("«%(key)s» chỉ dùng cho trường kiểu string.") % {"key": key})
    if kind not in ("integer", "number"):
        for key in NUMBER_ONLY:
            if key in prop:
                say(_("«%(key)s» chỉ dùng cho trường kiểu số.") % {"key": key})
    if "format" in prop and prop["format"] not in FORMATS:
        say(_("«format» chỉ hỗ trợ: %(formats)s.") % {"formats": ", ".join(FORMATS)})
    if "pattern" in prop:
        pattern = prop["pattern"]
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN_CHARS:
            say(_("«pattern» phải là chuỗi tối đa %(n)d ký tự.") % {"n": MAX_PATTERN_CHARS})
        else:
            try:
                re.compile(pattern)
            except re.error:
                say(_("«pattern» không phải biểu thức chính quy hợp lệ."))
    enum = prop.get("enum")
    if enum is not None:
        if not enum or any(not _matches_type(v, kind) for v in enum):
            say(_("«enum» phải là danh sách không rỗng các giá trị đúng kiểu %(type)s.") % {"type": kind})
        elif len({json.dumps(v) for v in enum}) != len(enum):
            say(_("«enum» có giá trị trùng."))
        labels = prop.get("enumNames", prop.get("x-labels"))
        if isinstance(labels, list):
            if len(labels) != len(enum) or any(not isinstance(x, str) for x in labels):
                say(_("«enumNames»/«x-labels» phải có đúng một nhãn (chuỗi) cho mỗi giá trị của «enum»."))
        elif isinstance(labels, Mapping):
            if any(not isinstance(x, str) for x in labels.values()):
                say(_("nhãn trong «x-labels» phải là chuỗi."))
        elif labels is not None:
            say(_("«enumNames»/«x-labels» phải là danh sách hoặc đối tượng."))
    elif "enumNames" in prop or "x-labels" in prop:
        say(_("«enumNames»/«x-labels» cần đi kèm «enum»."))
    widget = prop.get("x-widget")
    if widget is not None:
        if widget not in WIDGETS:
            say(_("«x-widget» phải là một trong: %(w)s.") % {"w": ", ".join(WIDGETS)})
        elif widget in STRING_WIDGETS and kind != "string":
            say(_("«x-widget» %(w)s chỉ dùng cho trường kiểu string.") % {"w": widget})
        elif widget in ("select", "radio") and enum is None:
            say(_("«x-widget» %(w)s cần «enum».") % {"w": widget})
        elif widget == "date" and prop.get("format", "date") != "date":
            say(_("«x-widget» date cần «format»: \"date\"."))
    if "x-order" in prop and (not isinstance(prop["x-order"], int) or isinstance(prop["x-order"], bool)):
        say(_("«x-order» của trường phải là số nguyên."))
    auto = prop.get("x-autocomplete")
    if auto is not None and auto not in AUTOCOMPLETE_TOKENS:
        say(_("«x-autocomplete» không hợp lệ."))
    for key in ("minLength", "maxLength"):
        if key in prop and prop[key] > DEFAULT_TEXTAREA_MAX_LENGTH * 2:
            say(_("«%(key)s» quá lớn.") % {"key": key})
    return p


def _matches_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind == "integer":
        return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
    return isinstance(value, int | float) and math.isfinite(value)


def fields(schema: Mapping | None) -> list[tuple[str, dict]]:
    """The properties of ``schema`` in display order: top-level ``x-order`` first, then by the
    properties' own ``x-order``, then as declared."""
    if not schema or not isinstance(schema, Mapping):
        return []
    props = schema.get("properties") or {}
    if not isinstance(props, Mapping):
        return []
    top = [n for n in (schema.get("x-order") or []) if isinstance(n, str) and n in props]
    rest = [n for n in props if n not in top]
    position = {n: i for i, n in enumerate(rest)}

    def own_order(n: str) -> tuple[int, int]:
        value = props[n].get("x-order") if isinstance(props[n], Mapping) else None
        return (value if isinstance(value, int) and not isinstance(value, bool) else 10_000, position[n])

    return [(n, dict(props[n])) for n in [*top, *sorted(rest, key=own_order)] if isinstance(props[n], Mapping)]


def required_names(schema: Mapping | None) -> frozenset[str]:
    if not schema or not isinstance(schema, Mapping):
        return frozenset()
    req = schema.get("required") or []
    return frozenset(n for n in req if isinstance(n, str)) if isinstance(req, list) else frozenset()


def labels_of(prop: Mapping) -> list[tuple[Any, str]]:
    """(value, label) pairs of an enum, with the Vietnamese labels when the schema has them."""
    enum = list(prop.get("enum") or [])
    labels = prop.get("enumNames", prop.get("x-labels"))
    out = []
    for i, value in enumerate(enum):
        label = None
        if isinstance(labels, list) and i < len(labels):
            label = labels[i]
        elif isinstance(labels, Mapping):
            label = labels.get(str(value))
        out.append((value, str(label) if label is not None else str(value)))
    return out


def commune_choices() -> list[tuple[str, str]]:
    """(code, name) of the configured province's communes; empty when geo is not loaded."""
    from tinhso.core.errors import NotFound
    from tinhso.geo import selectors as geo_selectors

    try:
        return geo_selectors.commune_choices()
    except NotFound:
        return []


# --- data -----------------------------------------------------------------------------------------


def parse_date(text: str) -> dt.date | None:
    """``dd/mm/yyyy`` (also with ``-`` or ``.``) or ISO ``yyyy-mm-dd``; None when invalid."""
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None
    return None


def _size(value: Any, depth: int = 0) -> int:
    """A cheap upper bound of the JSON size of ``value`` that never raises."""
    if depth > 3:
        return MAX_DATA_BYTES + 1
    if isinstance(value, str):
        return len(value) * 2 + 2
    if isinstance(value, list | tuple):
        return sum(_size(v, depth + 1) for v in value[:1000]) + 2 + (MAX_DATA_BYTES if len(value) > 1000 else 0)
    # Numbers, None and anything else (rejected later as a wrong type) count as a short value.
    return 24


def _items(data: Any) -> list[tuple[str, Any]] | None:
    """Key/value pairs of a dict or a Django QueryDict (last value of a key, as Django does)."""
    if hasattr(data, "lists") and callable(data.lists):
        try:
            return [(k, v[-1] if v else "") for k, v in data.lists()]
        except Exception:  # noqa: BLE001 - arbitrary objects must not crash validation
            return None
    if isinstance(data, Mapping):
        return list(data.items())
    return None


def validate_data(schema: Mapping | None, data: Any) -> tuple[dict, dict[str, list[str]]]:
    """Coerce and check ``data`` against ``schema``.

    Returns ``(cleaned, errors)``: ``cleaned`` holds JSON-ready values (dates as ``yyyy-mm-dd``;
    optional empty fields left out; unchecked booleans ``False``); ``errors`` maps a field name
    (or ``"__all__"``) to Vietnamese messages. Unknown keys are rejected. Never raises on
    arbitrary ``data``; a broken ``schema`` is the caller's bug and may raise.
    """
    errors: dict[str, list[str]] = {}
    items = _items(data if data is not None else {})
    if items is None:
        return {}, {NON_FIELD: [_("Dữ liệu biểu mẫu không hợp lệ.")]}
    props = dict(fields(schema))
    if len(items) > max(len(props), 1) * 2 + 10 or sum(_size(v) + len(str(k)) for k, v in items) > MAX_DATA_BYTES:
        return {}, {NON_FIELD: [_("Dữ liệu biểu mẫu quá lớn.")]}
    values: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in items:
        if not isinstance(key, str) or key not in props:
            if key not in IGNORED_KEYS:
                unknown.append(str(key)[:40])
            continue
        values[key] = value
    if unknown:
        errors[NON_FIELD] = [_("Biểu mẫu có trường không hợp lệ: %(names)s.") % {"names": ", ".join(sorted(unknown)[:10])}]
    required = required_names(schema)
    cleaned: dict[str, Any] = {}
    communes: set[str] | None = None
    for name, prop in props.items():
        raw = values.get(name)
        if prop.get("x-widget") == "commune" and communes is None:
            communes = {code for code, _name in commune_choices()}
        try:
            value = _clean_value(prop, raw, communes)
        except _FieldError as exc:
            errors.setdefault(name, []).append(exc.message)
            continue
        if value is None:
            if name in required:
                errors.setdefault(name, []).append(_("Trường này là bắt buộc."))
            continue
        if prop.get("type") == "boolean" and name in required and value is not True:
            errors.setdefault(name, []).append(_("Bạn cần đánh dấu ô này."))
            continue
        cleaned[name] = value
    if not errors and schema:
        # Belt and braces: the cleaned data must satisfy the real JSON Schema too.
        for error in Draft202012Validator(schema).iter_errors(cleaned):
            where = str(error.path[0]) if error.path else NON_FIELD
            errors.setdefault(where, []).append(_("Giá trị không hợp lệ."))
    if errors:
        return cleaned, errors
    return cleaned, {}


class _FieldError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _clean_value(prop: Mapping, raw: Any, communes: set[str] | None) -> Any:
    kind = prop.get("type")
    if kind == "boolean":
        return _clean_boolean(raw)
    if _blank(raw):
        return None
    if kind == "string":
        value = _clean_string(prop, raw, communes)
    elif kind == "integer":
        value = _clean_integer(raw)
    else:
        value = _clean_number(raw)
    if kind in ("integer", "number"):
        minimum, maximum = prop.get("minimum"), prop.get("maximum")
        if minimum is not None and value < minimum:
            raise _FieldError(_("Giá trị nhỏ nhất là %(n)s.") % {"n": minimum})
        if maximum is not None and value > maximum:
            raise _FieldError(_("Giá trị lớn nhất là %(n)s.") % {"n": maximum})
    enum = prop.get("enum")
    if enum is not None and value not in enum:
        raise _FieldError(_("Hãy chọn một giá trị trong danh sách."))
    return value


def _clean_boolean(raw: Any) -> bool | None:
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS or word == "":
            return False
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    raise _FieldError(_("Giá trị không hợp lệ."))


def _clean_integer(raw: Any) -> int:
    if isinstance(raw, bool):
        raise _FieldError(_("Cần nhập số nguyên."))
    if isinstance(raw, int):
        if abs(raw) >= 10**18:
            raise _FieldError(_("Số quá lớn."))
        return raw
    if isinstance(raw, float) and math.isfinite(raw) and raw.is_integer() and abs(raw) < 10**18:
        return int(raw)
    if isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if INTEGER_RE.match(text):
            return int(text)
    raise _FieldError(_("Cần nhập số nguyên."))


def _clean_number(raw: Any) -> int | float:
    if isinstance(raw, bool):
        raise _FieldError(_("Cần nhập một số."))
    if isinstance(raw, int):
        if abs(raw) >= 10**18:
            raise _FieldError(_("Số quá lớn."))
        return raw
    if isinstance(raw, float):
        if math.isfinite(raw):
            return raw
        raise _FieldError(_("Cần nhập một số."))
    if isinstance(raw, str):
        text = raw.strip().replace(" ", "")
        if NUMBER_RE.match(text):
            value = float(text.replace(",", "."))
            return int(value) if value.is_integer() and "." not in text and "," not in text else value
    raise _FieldError(_("Cần nhập một số."))


def _clean_string(prop: Mapping, raw: Any, communes: set[str] | None) -> str:
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str):
        raise _FieldError(_("Giá trị không hợp lệ."))
    widget = prop.get("x-widget")
    value = unicodedata.normalize("NFC", raw.replace("\x00", "")).strip()
    if widget != "textarea":
        value = " ".join(value.split())
    else:
        value = value.replace("\r\n", "\n")
    cap = prop.get("maxLength") or (DEFAULT_TEXTAREA_MAX_LENGTH if widget == "textarea" else DEFAULT_MAX_LENGTH)
    if len(value) > cap:
        raise _FieldError(_("Tối đa %(n)d ký tự.") % {"n": cap})
    min_length = prop.get("minLength")
    if min_length and len(value) < min_length:
        raise _FieldError(_("Cần ít nhất %(n)d ký tự.") % {"n": min_length})
    if prop.get("format") == "date" or widget == "date":
        parsed = parse_date(value)
        if parsed is None or not (1900 <= parsed.year <= 2200):
            raise _FieldError(_("Ngày không hợp lệ (dd/mm/yyyy)."))
        value = parsed.isoformat()
    elif prop.get("format") == "email":
        try:
            validate_email(value)
        except DjangoValidationError:
            raise _FieldError(_("Địa chỉ thư điện tử không hợp lệ.")) from None
    if widget == "national_id":
        value = value.replace(" ", "")
        if not NATIONAL_ID_RE.match(value):
            raise _FieldError(_("Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."))
    elif widget == "phone":
        from tinhso.accounts.phone import InvalidPhone, normalize_phone

        try:
            value = normalize_phone(value)
        except InvalidPhone:
            raise _FieldError(_("Số điện thoại di động không hợp lệ (ví dụ 0912345678).")) from None
    elif widget == "commune":
        if value not in (communes or set()):
            raise _FieldError(_("Hãy chọn xã, phường trong danh sách."))
    pattern = prop.get("pattern")
    if pattern and not re.search(pattern, value):
        raise _FieldError(_("Giá trị không đúng định dạng yêu cầu."))
    return value


# --- rendering ------------------------------------------------------------------------------------


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _input_value(prop: Mapping, value: Any) -> str:
    text = _display(value)
    if text and (prop.get("format") == "date" or prop.get("x-widget") == "date"):
        parsed = parse_date(text)
        return parsed.isoformat() if parsed else text
    return text


def _autocomplete(prop: Mapping) -> str:
    if prop.get("x-autocomplete"):
        return prop["x-autocomplete"]
    widget = prop.get("x-widget")
    if widget == "phone":
        return "tel"
    if prop.get("format") == "email":
        return "email"
    if widget == "national_id":
        return "off"
    return ""


def _attrs(pairs: list[tuple[str, str | None]]) -> SafeString:
    """`` name="value"`` pairs, escaped; a ``None`` value gives a bare boolean attribute."""
    out = []
    for key, value in pairs:
        if value is None:
            out.append(format_html(" {}", key))
        else:
            out.append(format_html(' {}="{}"', key, value))
    return mark_safe("".join(out))  # noqa: S308 - every part is built by format_html


def render_fields(
    schema: Mapping | None,
    data: Mapping | None = None,
    errors: Mapping[str, list[str]] | None = None,
    *,
    prefix: str = "f",
) -> SafeString:
    """An accessible HTML fragment with one ``form-row`` per field (no ``<form>`` tag, no
    submit button): labels bound to inputs, help and errors linked by ``aria-describedby``,
    required fields marked, ``autocomplete`` and ``inputmode`` hints. Everything is escaped."""
    data = data if isinstance(data, Mapping) else {}
    errors = errors or {}
    required = required_names(schema)
    communes: list[tuple[str, str]] | None = None
    parts: list[SafeString] = []
    general = errors.get(NON_FIELD)
    if general:
        parts.append(format_html(
            '<ul class="errorlist" role="alert">{}</ul>', format_html_join("", "<li>{}</li>", ((m,) for m in general))
        ))
    for name, prop in fields(schema):
        if prop.get("x-widget") == "commune" and communes is None:
            communes = commune_choices()
        value = data[name] if name in data else prop.get("default")  # defaults fill an empty form only
        parts.append(_render_field(name, prop, value, errors.get(name) or [], name in required,
                                   prefix, communes or []))
    return mark_safe("\n".join(parts))  # noqa: S308 - every part is built by format_html


def _render_field(name, prop, value, field_errors, is_required, prefix, communes) -> SafeString:
    field_id = f"{prefix}-{name}"
    help_id, error_id = f"{field_id}-help", f"{field_id}-error"
    title = prop.get("title") or name
    description = prop.get("description") or ""
    described = " ".join(i for i, show in ((help_id, description), (error_id, field_errors)) if show)
    mark = format_html(
        ' <abbr class="required" title="{}">*</abbr>', _("bắt buộc")
    ) if is_required else ""
    help_html = format_html('<p class="muted" id="{}">{}</p>', help_id, description) if description else ""
    error_html = format_html(
        '<ul class="errorlist" id="{}">{}</ul>', error_id,
        format_html_join("", "<li>{}</li>", ((m,) for m in field_errors)),
    ) if field_errors else ""
    common: list[tuple[str, str | None]] = []
    if described:
        common.append(("aria-describedby", described))
    if field_errors:
        common.append(("aria-invalid", "true"))
    if is_required:
        common.append(("required", None))
    kind = prop.get("type")
    widget = prop.get("x-widget")
    if kind == "boolean":
        checked = [("checked", None)] if value is True or _display(value).lower() in TRUE_WORDS else []
        control = format_html(
            '<input type="checkbox" id="{}" name="{}" value="true"{}> <label for="{}">{}{}</label>',
            field_id, name, _attrs([*common, *checked]), field_id, title, mark,
        )
        return format_html('<div class="form-row form-check">{}{}{}</div>', control, help_html, error_html)
    if widget == "radio":
        current = _display(value)
        options = format_html_join(
            "\n",
            '<div><input type="radio" id="{}-{}" name="{}" value="{}"{}> <label for="{}-{}">{}</label></div>',
            (
                (field_id, i, name, _display(v), _attrs([*([("required", None)] if is_required else []),
                                                       *([("checked", None)] if _display(v) == current else [])]),
                 field_id, i, label)
                for i, (v, label) in enumerate(labels_of(prop))
            ),
        )
        group_attrs = _attrs([(k, v) for k, v in common if k != "required"])
        return format_html(
            '<fieldset class="form-row" id="{}"{}><legend>{}{}</legend>{}{}{}</fieldset>',
            field_id, group_attrs, title, mark, help_html, error_html, options,
        )
    label = format_html('<label for="{}">{}{}</label>', field_id, title, mark)
    if widget == "select" or widget == "commune" or (prop.get("enum") is not None and widget is None):
        choices = communes if widget == "commune" else [(_display(v), lbl) for v, lbl in labels_of(prop)]
        current = _display(value)
        options = format_html_join(
            "\n", '<option value="{}"{}>{}</option>',
            ((v, mark_safe(" selected") if v == current else "", lbl) for v, lbl in choices),  # noqa: S308
        )
        control = format_html(
            '<select id="{}" name="{}"{}><option value="">{}</option>\n{}</select>',
            field_id, name, _attrs(common), _("— Chọn —"), options,
        )
    elif widget == "textarea":
        cap = prop.get("maxLength") or DEFAULT_TEXTAREA_MAX_LENGTH
        control = format_html(
            '<textarea id="{}" name="{}" rows="4"{}>{}</textarea>',
            field_id, name, _attrs([*common, ("maxlength", str(cap))]), _display(value),
        )
    else:
        attrs: list[tuple[str, str | None]] = [*common]
        input_type = "text"
        if kind == "integer":
            attrs.append(("inputmode", "numeric"))
        elif kind == "number":
            attrs.append(("inputmode", "decimal"))
        if prop.get("format") == "date" or widget == "date":
            input_type = "date"
        elif prop.get("format") == "email":
            input_type = "email"
        elif widget == "phone":
            input_type = "tel"
            attrs.append(("inputmode", "tel"))
        elif widget == "national_id":
            attrs += [("inputmode", "numeric"), ("pattern", "[0-9]{12}"), ("maxlength", "12")]
        if kind == "string" and input_type == "text" and widget != "national_id":
            attrs.append(("maxlength", str(prop.get("maxLength") or DEFAULT_MAX_LENGTH)))
        auto = _autocomplete(prop)
        if auto:
            attrs.append(("autocomplete", auto))
        control = format_html(
            '<input type="{}" id="{}" name="{}" value="{}"{}>',
            input_type, field_id, name, _input_value(prop, value), _attrs(attrs),
        )
    return format_html('<div class="form-row">{}{}{}{}</div>', label, help_html, error_html, control)


def field_labels(schema: Mapping | None) -> dict[str, str]:
    """Field name → title, for showing submitted data (receipts, staff views)."""
    return {name: str(prop.get("title") or name) for name, prop in fields(schema)}


def display_value(schema: Mapping | None, name: str, value: Any) -> str:
    """A submitted value as a citizen reads it: enum labels, dates as dd/mm/yyyy, Có/Không."""
    prop = dict(fields(schema)).get(name, {})
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if prop.get("enum") is not None:
        for v, label in labels_of(prop):
            if v == value:
                return label
    if prop.get("x-widget") == "commune":
        return dict(commune_choices()).get(str(value), _display(value))
    if (prop.get("format") == "date" or prop.get("x-widget") == "date") and isinstance(value, str):
        parsed = parse_date(value)
        if parsed:
            return parsed.strftime("%d/%m/%Y")
    return _display(value)
