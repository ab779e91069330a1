import pytest
from django.http import QueryDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinhso.core.errors import ValidationFailed
from tinhso.procedures import formschema
from tinhso.procedures.demo_data import PROCEDURES

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "maxLength": 50, "x-autocomplete": "name",
                   "description": "Ghi đủ họ, chữ đệm, tên"},
        "ngay_sinh": {"type": "string", "title": "Ngày sinh", "format": "date", "x-widget": "date"},
        "so_con": {"type": "integer", "title": "Số con", "minimum": 0, "maximum": 20},
        "dien_tich": {"type": "number", "title": "Diện tích", "minimum": 1},
        "email": {"type": "string", "title": "Thư điện tử", "format": "email"},
        "cccd": {"type": "string", "title": "CCCD", "x-widget": "national_id"},
        "dt": {"type": "string", "title": "Điện thoại", "x-widget": "phone"},
        "gioi_tinh": {"type": "string", "title": "Giới tính", "enum": ["nam", "nu"], "enumNames": ["Nam", "Nữ"],
                      "x-widget": "radio"},
        "quan_he": {"type": "string", "title": "Quan hệ", "enum": ["cha", "me"], "x-labels": {"cha": "Cha", "me": "Mẹ"},
                    "x-widget": "select"},
        "ghi_chu": {"type": "string", "title": "Ghi chú", "x-widget": "textarea"},
        "cam_doan": {"type": "boolean", "title": "Tôi cam đoan"},
    },
    "required": ["ho_ten", "ngay_sinh", "cam_doan"],
    "x-order": ["ho_ten", "ngay_sinh"],
}


def test_good_schemas_pass():
    formschema.validate_schema(SCHEMA)
    formschema.validate_schema({})
    for spec in PROCEDURES:
        formschema.validate_schema(spec["form"])


@pytest.mark.parametrize("bad", [
    [],
    {"type": "array"},
    {"type": "object", "properties": {"x": {"type": "array"}}},
    {"type": "object", "properties": {"X y": {"type": "string"}}},
    {"type": "object", "properties": {"x": {"type": "string", "minLength": -1}}},  # not JSON Schema
    {"type": "object", "properties": {"x": {"type": "string", "format": "uri"}}},
    {"type": "object", "properties": {"x": {"type": "integer", "pattern": "a"}}},
    {"type": "object", "properties": {"x": {"type": "string", "pattern": "("}}},
    {"type": "object", "properties": {"x": {"type": "string", "x-widget": "select"}}},
    {"type": "object", "properties": {"x": {"type": "string", "enum": ["a", "b"], "enumNames": ["A"]}}},
    {"type": "object", "properties": {"x": {"type": "integer", "x-widget": "phone"}}},
    {"type": "object", "properties": {"x": {"type": "string", "oneOf": []}}},
    {"type": "object", "properties": {"x": {"type": "string"}}, "required": ["y"]},
    {"type": "object", "properties": {}, "allOf": []},
])
def test_bad_schemas_are_refused(bad):
    with pytest.raises(ValidationFailed) as exc:
        formschema.validate_schema(bad)
    assert exc.value.details["schema"]


def _good(**over):
    data = {"ho_ten": "  Nguyễn   Văn An ", "ngay_sinh": "05/03/2026", "so_con": "2", "dien_tich": "45,5",
            "email": "an@example.vn", "cccd": "096090001234", "dt": "+84 912 345 678", "gioi_tinh": "nam",
            "quan_he": "me", "ghi_chu": "dòng 1\r\ndòng 2", "cam_doan": "on"}
    data.update(over)
    return data


def test_coerces_html_strings():
    cleaned, errors = formschema.validate_data(SCHEMA, _good())
    assert errors == {}
    assert cleaned == {"ho_ten": "Nguyễn Văn An", "ngay_sinh": "2026-03-05", "so_con": 2, "dien_tich": 45.5,
                       "email": "an@example.vn", "cccd": "096090001234", "dt": "0912345678", "gioi_tinh": "nam",
                       "quan_he": "me", "ghi_chu": "dòng 1\ndòng 2", "cam_doan": True}


def test_accepts_json_types_and_querydict():
    cleaned, errors = formschema.validate_data(SCHEMA, {"ho_ten": "An", "ngay_sinh": "2026-03-05", "so_con": 3,
                                                        "cam_doan": True})
    assert errors == {} and cleaned["so_con"] == 3 and "dien_tich" not in cleaned
    qd = QueryDict("ho_ten=An&ngay_sinh=2026-03-05&cam_doan=true&csrfmiddlewaretoken=abc")
    cleaned, errors = formschema.validate_data(SCHEMA, qd)
    assert errors == {} and cleaned["cam_doan"] is True


@pytest.mark.parametrize(("field", "value", "message"), [
    ("ho_ten", "", "Trường này là bắt buộc."),
    ("ngay_sinh", "31/02/2026", "Ngày không hợp lệ (dd/mm/yyyy)."),
    ("ngay_sinh", "hôm qua", "Ngày không hợp lệ (dd/mm/yyyy)."),
    ("so_con", "hai", "Cần nhập số nguyên."),
    ("so_con", "21", "Giá trị lớn nhất là 20."),
    ("so_con", True, "Cần nhập số nguyên."),
    ("dien_tich", "0", "Giá trị nhỏ nhất là 1."),
    ("email", "khong-phai-email", "Địa chỉ thư điện tử không hợp lệ."),
    ("cccd", "12345", "Số định danh cá nhân (CCCD) gồm đúng 12 chữ số."),
    ("dt", "12345", "Số điện thoại di động không hợp lệ (ví dụ 0912345678)."),
    ("gioi_tinh", "khac", "Hãy chọn một giá trị trong danh sách."),
    ("ho_ten", "x" * 51, "Tối đa 50 ký tự."),
    ("cam_doan", "", "Bạn cần đánh dấu ô này."),
    ("ghi_chu", ["a"], "Giá trị không hợp lệ."),
])
def test_vietnamese_messages(field, value, message):
    _cleaned, errors = formschema.validate_data(SCHEMA, _good(**{field: value}))
    assert errors == {field: [message]}


def test_unknown_keys_and_size_are_rejected():
    _c, errors = formschema.validate_data(SCHEMA, _good(la="x"))
    assert "la" in errors["__all__"][0]
    _c, errors = formschema.validate_data(SCHEMA, _good(ghi_chu="x" * 70_000))
    assert errors == {"__all__": ["Dữ liệu biểu mẫu quá lớn."]}
    _c, errors = formschema.validate_data(SCHEMA, ["not", "a", "dict"])
    assert errors == {"__all__": ["Dữ liệu biểu mẫu không hợp lệ."]}


def test_commune_widget_uses_the_province(province_96):
    from tinhso.geo.selectors import communes

    schema = {"type": "object", "properties": {"xa": {"type": "string", "title": "Xã", "x-widget": "commune"}},
              "required": ["xa"]}
    code = communes().first().code
    assert formschema.validate_data(schema, {"xa": code}) == ({"xa": code}, {})
    assert formschema.validate_data(schema, {"xa": "00000"})[1] == {"xa": ["Hãy chọn xã, phường trong danh sách."]}
    html = formschema.render_fields(schema, {"xa": code}, {})
    assert f'<option value="{code}" selected>' in html
    assert html.count("<option") == 65


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.one_of(
    st.dictionaries(st.sampled_from([*SCHEMA["properties"], "x", "csrfmiddlewaretoken"]) | st.text(max_size=8),
                    json_values, max_size=12),
    json_values,
))
def test_validate_data_never_raises(data):
    cleaned, errors = formschema.validate_data(SCHEMA, data)
    assert isinstance(cleaned, dict) and isinstance(errors, dict)
    for messages in errors.values():
        assert messages and all(isinstance(m, str) for m in messages)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(list(SCHEMA["properties"])), st.text(max_size=40), max_size=11))
def test_valid_output_revalidates(data):
    cleaned, errors = formschema.validate_data(SCHEMA, data)
    if not errors:
        assert formschema.validate_data(SCHEMA, cleaned) == (cleaned, {})


def test_render_is_accessible_and_escaped():
    evil = '"><script>alert(1)</script>'
    html = str(formschema.render_fields(
        {**SCHEMA, "properties": {**SCHEMA["properties"], "ho_ten": {**SCHEMA["properties"]["ho_ten"], "title": evil}}},
        {"ho_ten": evil, "so_con": "2", "gioi_tinh": "nu", "ngay_sinh": "05/03/2026", "cam_doan": "on"},
        {"ho_ten": ["Trường này là bắt buộc."]},
    ))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'for="f-ho_ten"' in html and 'id="f-ho_ten"' in html
    assert 'aria-describedby="f-ho_ten-help f-ho_ten-error"' in html and 'aria-invalid="true"' in html
    assert 'id="f-ho_ten-error"' in html and "Trường này là bắt buộc." in html
    assert 'autocomplete="name"' in html
    assert 'type="date"' in html and 'value="2026-03-05"' in html
    assert 'inputmode="numeric"' in html and 'inputmode="decimal"' in html
    assert 'type="tel"' in html and 'autocomplete="tel"' in html
    assert "<fieldset" in html and "<legend>" in html and 'value="nu" checked' in html
    assert '<option value="me">Mẹ</option>' in html
    assert "<textarea" in html and 'type="checkbox"' in html and "checked" in html
    assert html.count(" required") >= 3
    assert "style=" not in html and "onclick" not in html and "<script" not in html
    # x-order first
    assert html.index("f-ho_ten") < html.index("f-ngay_sinh") < html.index("f-so_con")


def test_display_helpers():
    assert formschema.display_value(SCHEMA, "gioi_tinh", "nu") == "Nữ"
    assert formschema.display_value(SCHEMA, "ngay_sinh", "2026-03-05") == "05/03/2026"
    assert formschema.display_value(SCHEMA, "cam_doan", True) == "Có"
    assert formschema.field_labels(SCHEMA)["ho_ten"] == "Họ và tên"


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(list(SCHEMA["properties"])), json_values, max_size=11),
       st.dictionaries(st.sampled_from([*SCHEMA["properties"], "__all__"]), st.lists(st.text(max_size=20), max_size=2)))
def test_render_never_raises_and_escapes(data, errors):
    html = str(formschema.render_fields(SCHEMA, data, errors))
    assert "<script" not in html.lower()


def test_defaults_fill_an_empty_form_only():
    schema = {"type": "object", "properties": {"dan_toc": {"type": "string", "title": "Dân tộc", "default": "Kinh"}}}
    assert 'value="Kinh"' in formschema.render_fields(schema, {}, {})
    assert 'value=""' in formschema.render_fields(schema, {"dan_toc": ""}, {})
