"""Excel import and export of the whole catalogue (openpyxl).

One workbook, four sheets, one header row each (the layout ``export`` writes is the layout
``import`` reads):

* ``Thủ tục``: code, name, field code, field name, service level, implementing level, agency
  codes (separated by ``;``), applicants, conditions, legal basis, result, processing days,
  counting rule (JSON), form schema (JSON), published (Có/Không).
* ``Phí lệ phí``: procedure code, fee name, amount (VND), note, and two optional columns (files
  written before they existed still import): the integer form field the amount is multiplied
  by (e.g. ``so_ban_sao``; blank = charged once) and its unit (e.g. ``bản sao trích lục``).
* ``Thành phần hồ sơ``: procedure code, order, document code, name, guidance, copies, required.
* ``Các bước``: procedure code, order, task, role code, agency rule, agency code, days.

Import is all-or-nothing: every row of every sheet is checked first, errors name the sheet and
the row ("Các bước, dòng 5: …"), and nothing is stored unless the whole file is valid. Each
procedure in the first sheet is created or updated by code, and its fees, documents and steps
are replaced by the rows of the other sheets (templates of documents whose code stays are kept).
Procedures absent from the file are left untouched.
"""

from __future__ import annotations

import json
from io import BytesIO
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from tinhso.audit.services import record_event
from tinhso.core.errors import NotAllowed, TooLarge, ValidationFailed
from tinhso.orgs.models import Agency
from tinhso.procedures import fees as fee_rules
from tinhso.procedures import selectors, services
from tinhso.procedures.models import (
    ImplementingLevel,
    Procedure,
    ProcedureField,
    ServiceLevel,
    StepAgency,
)

SHEET_PROCEDURES = "Thủ tục"
SHEET_FEES = "Phí lệ phí"
SHEET_DOCUMENTS = "Thành phần hồ sơ"
SHEET_STEPS = "Các bước"

PROCEDURE_COLUMNS = (
    "Mã thủ tục", "Tên thủ tục", "Mã lĩnh vực", "Tên lĩnh vực", "Mức độ", "Cấp thực hiện", "Mã cơ quan thực hiện",
    "Đối tượng thực hiện", "Yêu cầu, điều kiện", "Căn cứ pháp lý", "Kết quả", "Thời hạn (ngày làm việc)",
    "Quy tắc tính ngày (JSON)", "Biểu mẫu tờ khai (JSON Schema)", "Công khai",
)
FEE_COLUMNS = ("Mã thủ tục", "Tên khoản phí, lệ phí", "Số tiền (đồng)", "Ghi chú", "Nhân với trường tờ khai",
               "Đơn vị tính")
DOCUMENT_COLUMNS = ("Mã thủ tục", "Thứ tự", "Mã giấy tờ", "Tên giấy tờ", "Hướng dẫn", "Số lượng", "Bắt buộc")
STEP_COLUMNS = ("Mã thủ tục", "Thứ tự", "Nội dung công việc", "Vai trò", "Cơ quan thực hiện",
                "Mã cơ quan chỉ định", "Số ngày làm việc")
SHEETS = {SHEET_PROCEDURES: PROCEDURE_COLUMNS, SHEET_FEES: FEE_COLUMNS, SHEET_DOCUMENTS: DOCUMENT_COLUMNS,
          SHEET_STEPS: STEP_COLUMNS}
# Columns added later: a file may stop before them (its rows then read those cells as blank).
REQUIRED_COLUMNS = {SHEET_FEES: 4}

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 5000
MAX_ERRORS = 200
YES, NO = "Có", "Không"


def _yes_no(value: bool) -> str:
    return YES if value else NO


def _label(choices, value: str) -> str:
    return dict(choices).get(value, value)


def export_workbook() -> bytes:
    """The whole catalogue (published or not) as an .xlsx file."""
    wb = Workbook()
    ws_p = wb.active
    ws_p.title = SHEET_PROCEDURES
    sheets = {SHEET_PROCEDURES: ws_p}
    for title in (SHEET_FEES, SHEET_DOCUMENTS, SHEET_STEPS):
        sheets[title] = wb.create_sheet(title)
    for title, columns in SHEETS.items():
        sheets[title].append(list(columns))
        sheets[title].freeze_panes = "A2"
    for p in selectors.catalogue_for_export():
        sheets[SHEET_PROCEDURES].append([
            p.code, p.name, p.field.code, p.field.name,
            str(_label(ServiceLevel.choices, p.service_level)), str(_label(ImplementingLevel.choices, p.implementing_level)),
            "; ".join(a.code for a in p.agencies.all()), p.applicants, p.conditions, p.legal_basis, p.result,
            p.processing_days,
            json.dumps(p.counting_rule, ensure_ascii=False) if p.counting_rule else "",
            json.dumps(p.form_schema, ensure_ascii=False) if p.form_schema else "",
            _yes_no(p.is_published),
        ])
        for f in p.fees.all():
            sheets[SHEET_FEES].append([p.code, f.name, f.amount, f.note, f.quantity_field, f.quantity_unit])
        for d in p.required_documents.all():
            sheets[SHEET_DOCUMENTS].append([p.code, d.order, d.code, d.name, d.description, d.copies,
                                            _yes_no(d.is_required)])
        for s in p.steps.all():
            sheets[SHEET_STEPS].append([p.code, s.order, s.name, s.role_code,
                                        str(_label(StepAgency.choices, s.agency_rule)),
                                        s.agency.code if s.agency_id else "", s.days])
    for ws in sheets.values():
        for column, width in zip("ABCDEFGHIJKLMNO", (12, 50, 18, 30, 14, 14, 22, 40, 40, 40, 40, 12, 24, 40, 10),
                                 strict=False):
            ws.column_dimensions[column].width = width
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- import -------------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, sheet: str, row: int, message: str) -> None:
        if len(self.items) < MAX_ERRORS:
            self.items.append(_("%(sheet)s, dòng %(row)d: %(message)s") % {"sheet": sheet, "row": row,
                                                                            "message": message})

    def __bool__(self) -> bool:
        return bool(self.items)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _choice(text: str, choices) -> str | None:
    wanted = text.strip().lower()
    for value, label in choices:
        if wanted in (value.lower(), str(label).lower()):
            return value
    return None


def _bool(text: str) -> bool | None:
    wanted = text.strip().lower()
    if wanted in ("có", "co", "x", "1", "true", "yes"):
        return True
    if wanted in ("không", "khong", "0", "false", "no", ""):
        return False
    return None


def _rows(wb, title: str, errors: _Errors) -> list[tuple[int, list[str]]]:
    if title not in wb.sheetnames:
        errors.add(title, 1, _("Thiếu trang tính «%(title)s».") % {"title": title})
        return []
    ws = wb[title]
    columns = SHEETS[title]
    required = REQUIRED_COLUMNS.get(title, len(columns))
    width = len(columns)
    out: list[tuple[int, list[str]]] = []
    for index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_cell(v) for v in row[: len(columns)]]
        cells += [""] * (len(columns) - len(cells))
        if index == 1:
            header = [c.lower() for c in cells]
            expected = [c.lower() for c in columns]
            width = required
            while width < len(columns) and header[width] == expected[width]:
                width += 1
            if header[:required] != expected[:required] or any(header[width:]):
                errors.add(title, 1, _("Dòng tiêu đề phải là: %(cols)s.") % {"cols": " | ".join(columns)})
                return []
            continue
        cells = cells[:width] + [""] * (len(columns) - width)
        if not any(cells):
            continue
        if len(out) >= MAX_ROWS:
            raise TooLarge(_("Tệp có quá nhiều dòng (tối đa %(n)d mỗi trang tính).") % {"n": MAX_ROWS})
        out.append((index, cells))
    return out


def _json(text: str) -> tuple[Any, bool]:
    if not text:
        return {}, True
    try:
        return json.loads(text), True
    except ValueError:
        return None, False


def import_workbook(*, actor, file: IO[bytes], request=None) -> dict[str, int]:
    """Create or update the procedures in ``file``. Superusers and the system only. Raises
    ``ValidationFailed`` with ``details={"errors": [...]}`` and stores nothing on any error."""
    if actor is not None and not (getattr(actor, "is_authenticated", False) and actor.is_active
                                  and actor.is_superuser):
        raise NotAllowed(_("Chỉ quản trị hệ thống được nhập danh mục thủ tục từ Excel."))
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(_("Tệp Excel quá lớn (tối đa 10 MB)."))
    try:
        wb = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationFailed(_("Không đọc được tệp Excel (.xlsx)."), details={"errors": [str(exc)[:200]]}) from None
    except Exception as exc:  # noqa: BLE001 - zip/xml errors of a broken upload come in many types
        raise ValidationFailed(_("Không đọc được tệp Excel (.xlsx)."), details={"errors": [type(exc).__name__]}) from None
    errors = _Errors()
    try:
        plan = _plan(wb, errors)
    finally:
        wb.close()
    if errors:
        raise ValidationFailed(
            _("Tệp có %(n)d lỗi; chưa có gì được lưu. Lỗi đầu tiên — %(first)s")
            % {"n": len(errors.items), "first": errors.items[0]},
            details={"errors": errors.items},
        )
    return _apply(plan, actor=actor, request=request)


def _plan(wb, errors: _Errors) -> dict[str, dict]:
    from tinhso.accounts.models import Role

    agencies = {a.code: a for a in Agency.objects.all()}
    fields = {f.code: f for f in ProcedureField.objects.all()}
    roles = set(Role.objects.values_list("code", flat=True))
    plan: dict[str, dict] = {}
    new_fields: dict[str, str] = {}

    for row, c in _rows(wb, SHEET_PROCEDURES, errors):
        add = lambda msg, row=row: errors.add(SHEET_PROCEDURES, row, msg)  # noqa: E731
        code = c[0]
        if not services.CODE_RE.match(code):
            add(_("mã thủ tục «%(code)s» không hợp lệ.") % {"code": code[:40]})
            continue
        if code in plan:
            add(_("mã thủ tục %(code)s bị lặp.") % {"code": code})
            continue
        field_code = c[2].lower()
        if field_code not in fields and field_code not in new_fields:
            if not services.SLUG_RE.match(field_code) or not c[3]:
                add(_("lĩnh vực «%(f)s» chưa có; cần mã hợp lệ và tên lĩnh vực để tạo mới.") % {"f": field_code})
            else:
                new_fields[field_code] = c[3]
        service_level = _choice(c[4], ServiceLevel.choices)
        if service_level is None:
            add(_("mức độ «%(v)s» không hợp lệ (Toàn trình / Một phần).") % {"v": c[4]})
        implementing_level = _choice(c[5], ImplementingLevel.choices)
        if implementing_level is None:
            add(_("cấp thực hiện «%(v)s» không hợp lệ (Cấp tỉnh / Cấp xã).") % {"v": c[5]})
        agency_list = []
        for agency_code in (x.strip() for x in c[6].replace(",", ";").split(";")):
            if not agency_code:
                continue
            if agency_code not in agencies:
                add(_("không có cơ quan mã %(code)s.") % {"code": agency_code})
            else:
                agency_list.append(agencies[agency_code])
        counting_rule, ok = _json(c[12])
        if not ok:
            add(_("quy tắc tính ngày không phải JSON hợp lệ."))
        form_schema, ok = _json(c[13])
        if not ok:
            add(_("biểu mẫu tờ khai không phải JSON hợp lệ."))
        published = _bool(c[14])
        if published is None:
            add(_("cột «Công khai» phải là Có hoặc Không."))
        values = {
            "name": c[1], "field": field_code, "service_level": service_level,
            "implementing_level": implementing_level, "agencies": agency_list, "applicants": c[7],
            "conditions": c[8], "legal_basis": c[9], "result": c[10], "processing_days": c[11],
            "counting_rule": counting_rule, "form_schema": form_schema,
        }
        checkable = {k: v for k, v in values.items() if k != "field"}
        if ok and counting_rule is not None:
            _cleaned, field_errors = services.clean_procedure(checkable)
            for message in field_errors.values():
                add(str(message))
        plan[code] = {"row": row, "values": values, "published": bool(published), "fees": [], "documents": [],
                      "steps": []}

    for sheet, key in ((SHEET_FEES, "fees"), (SHEET_DOCUMENTS, "documents"), (SHEET_STEPS, "steps")):
        for row, c in _rows(wb, sheet, errors):
            entry = plan.get(c[0])
            if entry is None:
                errors.add(sheet, row, _("mã thủ tục %(code)s không có trong trang «%(s)s».")
                           % {"code": c[0][:40], "s": SHEET_PROCEDURES})
                continue
            if key == "fees":
                item = {"name": c[1], "amount": c[2], "note": c[3], "quantity_field": c[4], "quantity_unit": c[5]}
                schema = entry["values"]["form_schema"]
                _rows_ok, problems = services.clean_fees([item], form_schema=schema if isinstance(schema, dict)
                                                         else None)
            elif key == "documents":
                required = _bool(c[6])
                item = {"order": c[1], "code": c[2], "name": c[3], "description": c[4], "copies": c[5],
                        "is_required": required if required is not None else True}
                _rows_ok, problems = services.clean_documents([item])
                if required is None:
                    problems.append(_("cột «Bắt buộc» phải là Có hoặc Không."))
                if c[2].lower() in {d["code"].lower() for _r, d in entry["documents"]}:
                    problems.append(_("mã giấy tờ %(code)s bị lặp trong thủ tục.") % {"code": c[2]})
            else:
                rule = _choice(c[4] or StepAgency.RECEIVING, StepAgency.choices)
                agency = agencies.get(c[5]) if c[5] else None
                item = {"order": c[1], "name": c[2], "role_code": c[3], "agency_rule": rule or "?",
                        "agency": agency, "days": c[6]}
                problems = []
                if c[3] not in roles:
                    problems.append(_("vai trò «%(role)s» không tồn tại.") % {"role": c[3]})
                if c[5] and agency is None:
                    problems.append(_("không có cơ quan mã %(code)s.") % {"code": c[5]})
                _rows_ok, step_problems = services.clean_steps([item])
                problems += [p for p in step_problems if "vai trò" not in p]
            for problem in problems:
                errors.add(sheet, row, problem.split(": ", 1)[-1] if problem.startswith(("Khoản", "Giấy", "Bước"))
                           else problem)
            entry[key].append((row, item))

    for code, entry in plan.items():
        steps = [item for _row, item in sorted(entry["steps"], key=lambda r: (services._int(r[1]["order"]) or 0))]
        days = services._int(entry["values"]["processing_days"])
        if days is not None and entry["steps"]:
            total = sum(services._int(s["days"]) or 0 for s in steps)
            if total != days:
                errors.add(SHEET_STEPS, entry["steps"][0][0],
                           _("thủ tục %(code)s: tổng số ngày các bước (%(total)d) khác thời hạn giải quyết (%(days)d).")
                           % {"code": code, "total": total, "days": days})
        if entry["published"] and not entry["steps"]:
            errors.add(SHEET_PROCEDURES, entry["row"], _("thủ tục công khai cần có ít nhất một bước xử lý."))
    return {"procedures": plan, "new_fields": new_fields}


def _apply(plan: dict, *, actor, request) -> dict[str, int]:
    created = updated = 0
    with transaction.atomic():
        fields = {f.code: f for f in ProcedureField.objects.all()}
        for code, name in plan["new_fields"].items():
            fields[code] = services.procedure_field_ensure(actor=actor, code=code, name=name, request=request)
        for code, entry in plan["procedures"].items():
            values = dict(entry["values"])
            values["field"] = fields[values["field"]]
            fees = [item for _row, item in entry["fees"]]
            documents = [item for _row, item in sorted(entry["documents"], key=lambda r: services._int(r[1]["order"]) or 0)]
            steps = [item for _row, item in sorted(entry["steps"], key=lambda r: services._int(r[1]["order"]) or 0)]
            existing = Procedure.objects.filter(code=code).first()
            if existing is None:
                services.procedure_create(actor=actor, code=code, fees=fees, documents=documents, steps=steps,
                                          is_published=entry["published"], request=request, **values)
                created += 1
                continue
            # Unpublish first so that intermediate states (new days, old steps) pass the rules.
            services.procedure_unpublish(actor=actor, procedure=existing, request=request)
            if fee_rules.quantity_field_problems(list(existing.fees.values("quantity_field")),
                                                 values.get("form_schema")):
                # The old fee lines use form fields the new form drops: clear them first.
                services.procedure_fees_set(actor=actor, procedure=existing, fees=[], request=request)
            services.procedure_steps_set(actor=actor, procedure=existing, steps=steps,
                                         processing_days=values.pop("processing_days"), request=request)
            services.procedure_update(actor=actor, procedure=existing, request=request, **values)
            services.procedure_fees_set(actor=actor, procedure=existing, fees=fees, request=request)
            services.procedure_documents_set(actor=actor, procedure=existing, documents=documents, request=request)
            if entry["published"]:
                services.procedure_publish(actor=actor, procedure=existing, request=request)
            updated += 1
        record_event(actor=actor, action="procedure.import", request=request,
                     details={"created": created, "updated": updated, "fields_created": len(plan["new_fields"])})
    return {"created": created, "updated": updated}
