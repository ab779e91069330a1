from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.matrix import snapshot
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotAllowed, ValidationFailed
from tinhso.procedures import excel
from tinhso.procedures.models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument

pytestmark = pytest.mark.django_db


def _catalogue():
    rows = []
    for p in Procedure.objects.order_by("code").prefetch_related("fees", "steps", "required_documents", "agencies"):
        rows.append((
            p.code, p.name, p.field.code, p.service_level, p.implementing_level, p.processing_days, p.applicants,
            p.conditions, p.legal_basis, p.result, p.counting_rule, p.form_schema, p.is_published,
            sorted(a.code for a in p.agencies.all()),
            [(f.name, f.amount, f.note, f.quantity_field, f.quantity_unit) for f in p.fees.order_by("id")],
            [(d.order, d.code, d.name, d.description, d.copies, d.is_required) for d in p.required_documents.all()],
            [(s.order, s.name, s.role_code, s.agency_rule, s.agency_id, s.days) for s in p.steps.all()],
        ))
    return rows


def _book(data: bytes):
    return load_workbook(BytesIO(data))


def _bytes(wb) -> BytesIO:
    out = BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_export_has_the_four_sheets(demo_catalogue):
    wb = _book(excel.export_workbook())
    assert wb.sheetnames == ["Thủ tục", "Phí lệ phí", "Thành phần hồ sơ", "Các bước"]
    assert wb["Thủ tục"].max_row == Procedure.objects.count() + 1
    assert wb["Các bước"]["D2"].value in ("clerk", "specialist", "leader")


def test_round_trip_changes_nothing(demo_catalogue):
    before = _catalogue()
    data = excel.export_workbook()
    result = excel.import_workbook(actor=None, file=BytesIO(data))
    assert result == {"created": 0, "updated": len(before)}
    assert _catalogue() == before
    # into an empty catalogue: the same procedures come back
    Procedure.objects.all().delete()
    result = excel.import_workbook(actor=None, file=BytesIO(data))
    assert result["created"] == len(before)
    after = [row[:13] + row[14:16] + ([s[:4] + s[5:] for s in row[16]],) for row in _catalogue()]
    assert after == [row[:13] + row[14:16] + ([s[:4] + s[5:] for s in row[16]],) for row in before]
    assert AuditEvent.objects.filter(action="procedure.import").count() == 2


def test_import_edits_and_creates(demo_catalogue):
    wb = _book(excel.export_workbook())
    ws = wb["Thủ tục"]
    ws["B2"] = "Tên đã sửa"
    new = [c.value for c in ws[2]]
    new[0], new[1] = "9.999999", "Thủ tục mới từ Excel"
    ws.append(new)
    for sheet in ("Các bước",):
        rows = [[c.value for c in r] for r in wb[sheet].iter_rows(min_row=2) if r[0].value == ws["A2"].value]
        for r in rows:
            wb[sheet].append(["9.999999", *r[1:]])
    result = excel.import_workbook(actor=None, file=_bytes(wb))
    assert result["created"] == 1
    assert Procedure.objects.get(code=ws["A2"].value).name == "Tên đã sửa"
    assert Procedure.objects.get(code="9.999999").steps.count() >= 1


def test_bad_row_names_sheet_and_row_and_stores_nothing(demo_catalogue):
    wb = _book(excel.export_workbook())
    wb["Phí lệ phí"]["C3"] = -5
    wb["Các bước"]["D4"] = "khong-co-vai-tro"
    wb["Thủ tục"]["B2"] = "Tên không được lưu"
    unchanged = snapshot(Procedure.objects.all(), ProcedureFee.objects.all(), ProcedureStep.objects.all(),
                         RequiredDocument.objects.all())
    before = unchanged()
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=None, file=_bytes(wb))
    errors = exc.value.details["errors"]
    assert any(e.startswith("Phí lệ phí, dòng 3:") for e in errors), errors
    assert any(e.startswith("Các bước, dòng 4:") and "khong-co-vai-tro" in e for e in errors), errors
    assert unchanged() == before
    assert not AuditEvent.objects.filter(action="procedure.import").exists()


def test_bad_days_and_headers(demo_catalogue):
    wb = _book(excel.export_workbook())
    wb["Các bước"]["G2"] = 40
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=None, file=_bytes(wb))
    assert any("tổng số ngày" in e for e in exc.value.details["errors"])
    wb = _book(excel.export_workbook())
    wb["Thủ tục"]["A1"] = "Sai"
    with pytest.raises(ValidationFailed) as exc:
        excel.import_workbook(actor=None, file=_bytes(wb))
    assert exc.value.details["errors"][0].startswith("Thủ tục, dòng 1:")


def test_not_an_excel_file(db):
    with pytest.raises(ValidationFailed):
        excel.import_workbook(actor=None, file=BytesIO(b"%PDF-1.4 not excel"))


def test_only_superusers_import(demo_catalogue):
    data = excel.export_workbook()
    with pytest.raises(NotAllowed):
        excel.import_workbook(actor=UserFactory(), file=BytesIO(data))
    assert excel.import_workbook(actor=UserFactory(is_superuser=True), file=BytesIO(data))["updated"] > 0


def test_commands(demo_catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    call_command("procedures_export", str(path))
    call_command("procedures_import", str(path))
    wb = load_workbook(path)
    wb["Phí lệ phí"]["C2"] = "nhiều"
    wb.save(path)
    with pytest.raises(CommandError):
        call_command("procedures_import", str(path))
