"""Fee rules as data: fixed lines and lines multiplied by an integer field of the form."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.matrix import snapshot
from tinhso.core.errors import ValidationFailed
from tinhso.procedures import excel, services
from tinhso.procedures.fees import FeeLine, compute_fee
from tinhso.procedures.models import Procedure, ProcedureFee

pytestmark = pytest.mark.django_db

SCHEMA = {
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ tên"},
        "so_ban": {"type": "integer", "title": "Số bản sao", "minimum": 0, "maximum": 10},
        "ty_le": {"type": "number", "title": "Tỷ lệ"},
    },
    "required": ["ho_ten"],
}
PER_COPY = {"name": "Phí bản sao", "amount": 8000, "quantity_field": "so_ban", "quantity_unit": "bản sao"}


def _make(make_procedure, fees, **over):
    return make_procedure(form_schema=SCHEMA, fees=fees, **over)


@pytest.mark.parametrize(("form", "copies", "total"), [
    ({"so_ban": 2}, 2, 66000), ({"so_ban": 0}, 0, 50000), ({}, 0, 50000), ({"so_ban": None}, 0, 50000),
    ({"so_ban": -3}, 0, 50000), ({"so_ban": "3"}, 3, 74000), ({"so_ban": "ba"}, 0, 50000),
    ({"so_ban": True}, 0, 50000), ({"so_ban": 2.0}, 2, 66000),
])
def test_compute_fee(make_procedure, form, copies, total):
    p = _make(make_procedure, [{"name": "Lệ phí", "amount": 50000}, PER_COPY])
    fee = compute_fee(procedure=p, form_data=form)
    assert fee.total == total
    assert fee.lines == [FeeLine("Lệ phí", 50000, 1, 50000), FeeLine("Phí bản sao", 8000, copies, 8000 * copies)]
    assert p.total_fee == 50000  # the fixed part


def test_free_procedure_with_zero_copies_costs_nothing(make_procedure):
    p = _make(make_procedure, [{"name": "Lệ phí", "amount": 0}, PER_COPY])
    assert compute_fee(procedure=p, form_data={"ho_ten": "An", "so_ban": 0}).total == 0
    assert compute_fee(procedure=p, form_data=None).total == 0


@pytest.mark.parametrize(("field", "message"), [
    ("khong_co", "không có trường"), ("ho_ten", "không phải số nguyên"), ("ty_le", "không phải số nguyên"),
    ("Sai Tên!", "không có trường"),
])
def test_bad_quantity_field_is_rejected_and_nothing_stored(make_procedure, field, message):
    with pytest.raises(ValidationFailed) as exc:
        _make(make_procedure, [{**PER_COPY, "quantity_field": field}])
    assert message in " ".join(exc.value.details["fees"])
    assert not Procedure.objects.exists() and not ProcedureFee.objects.exists()


def test_fees_set_checks_the_quantity_field(make_procedure):
    p = _make(make_procedure, [PER_COPY])
    unchanged = snapshot(ProcedureFee.objects.all())
    before = unchanged()
    with pytest.raises(ValidationFailed):
        services.procedure_fees_set(actor=None, procedure=p, fees=[{**PER_COPY, "quantity_field": "ho_ten"}])
    assert unchanged() == before
    services.procedure_fees_set(actor=None, procedure=p, fees=[{**PER_COPY, "amount": 5000}])
    assert p.fees.get().quantity_field == "so_ban" and p.fees.get().amount == 5000


def test_form_change_may_not_drop_a_field_a_fee_uses(make_procedure):
    p = _make(make_procedure, [PER_COPY])
    without = {**SCHEMA, "properties": {k: v for k, v in SCHEMA["properties"].items() if k != "so_ban"}}
    with pytest.raises(ValidationFailed) as exc:
        services.procedure_update(actor=None, procedure=p, form_schema=without)
    assert "so_ban" in " ".join(exc.value.details["form_schema"])
    p.refresh_from_db()
    assert "so_ban" in p.form_schema["properties"]


def test_unit_is_dropped_without_quantity_field(make_procedure):
    p = _make(make_procedure, [{"name": "Lệ phí", "amount": 1000, "quantity_unit": "bản"}])
    assert p.fees.get().quantity_unit == ""


def test_detail_page_shows_the_per_copy_rule(client, demo_catalogue):
    html = client.get("/thu-tuc/1.001193/").content.decode()
    assert "8.000 đ/bản sao trích lục" in html
    assert "Miễn phí; 8.000 đ/bản sao trích lục" in html  # the summary: registration free, copies not


def test_detail_page_without_unit_names_the_field(client, make_procedure):
    p = _make(make_procedure, [{**PER_COPY, "quantity_unit": ""}])
    html = client.get(p.get_absolute_url()).content.decode()
    assert "8.000 đ × «Số bản sao»" in html


# --- Excel ----------------------------------------------------------------------------------------


def _bytes(wb) -> BytesIO:
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_excel_round_trip_keeps_the_rule(demo_catalogue):
    data = excel.export_workbook()
    ws = load_workbook(BytesIO(data))["Phí lệ phí"]
    assert [c.value for c in ws[1]][4:6] == ["Nhân với trường tờ khai", "Đơn vị tính"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2) if r[0].value == "1.001193"]
    assert ["so_ban_sao", "bản sao trích lục"] in [r[4:6] for r in rows]
    Procedure.objects.all().delete()
    excel.import_workbook(actor=None, file=BytesIO(data))
    fee = ProcedureFee.objects.get(procedure__code="1.001193", quantity_field="so_ban_sao")
    assert (fee.amount, fee.quantity_unit) == (8000, "bản sao trích lục")
    p = Procedure.objects.get(code="1.001193")
    assert compute_fee(procedure=p, form_data={"so_ban_sao": 2}).total == 16000


def test_excel_file_without_the_new_columns_still_imports(demo_catalogue):
    wb = load_workbook(BytesIO(excel.export_workbook()))
    ws = wb["Phí lệ phí"]
    ws.delete_cols(5, 2)
    assert [c.value for c in ws[1]] == ["Mã thủ tục", "Tên khoản phí, lệ phí", "Số tiền (đồng)", "Ghi chú"]
    result = excel.import_workbook(actor=None, file=_bytes(wb))
    assert result["updated"] == Procedure.objects.count()
    # an old file describes fixed fees only
    assert not ProcedureFee.objects.exclude(quantity_field="").exists()


def test_excel_bad_quantity_field_names_the_row(demo_catalogue):
    wb = load_workbook(BytesIO(excel.export_workbook()))
    ws = wb["Phí lệ phí"]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[4].value == "so_ban_sao")
    ws.cell(row=row, column=5, value="so_ban_khong_co")
    unchanged = snapshot(ProcedureFee.objects.all())
    before = unchanged()
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=None, file=_bytes(wb))
    assert any(e.startswith(f"Phí lệ phí, dòng {row}:") and "so_ban_khong_co" in e
               for e in exc.value.details["errors"])
    assert unchanged() == before


def test_excel_may_drop_a_form_field_together_with_its_fee(demo_catalogue):
    import json

    wb = load_workbook(BytesIO(excel.export_workbook()))
    ws = wb["Thủ tục"]
    row = next(r[0].row for r in ws.iter_rows(min_row=2) if r[0].value == "1.001193")
    schema = json.loads(ws.cell(row=row, column=14).value)
    del schema["properties"]["so_ban_sao"]
    ws.cell(row=row, column=14, value=json.dumps(schema, ensure_ascii=False))
    fees = wb["Phí lệ phí"]
    for r in fees.iter_rows(min_row=2):
        if r[0].value == "1.001193" and r[4].value:
            r[4].value, r[5].value = None, None
    excel.import_workbook(actor=None, file=_bytes(wb))
    p = Procedure.objects.get(code="1.001193")
    assert "so_ban_sao" not in p.form_schema["properties"] and not p.fees.exclude(quantity_field="").exists()


def test_migration_turns_old_demo_copy_fees_into_rules(demo_catalogue):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tinhso.procedures.migrations.0002_fee_quantity")
    fee = ProcedureFee.objects.get(procedure__code="1.001193", quantity_field="so_ban_sao")
    ProcedureFee.objects.filter(pk=fee.pk).update(name="Phí cấp 01 bản sao trích lục khai sinh (bản giấy)",
                                                  quantity_field="", quantity_unit="")
    edited = ProcedureFee.objects.get(procedure__code="2.000635")
    ProcedureFee.objects.filter(pk=edited.pk).update(quantity_field="", quantity_unit="", amount=9000)
    migration.per_copy_demo_fees(apps, None)
    fee.refresh_from_db()
    assert (fee.quantity_field, fee.quantity_unit) == ("so_ban_sao", "bản sao trích lục")
    edited.refresh_from_db()
    assert edited.quantity_field == ""  # changed by an administrator: left alone
