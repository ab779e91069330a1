"""Excel export (openpyxl) of the field-report statistics: one sheet per grouping (agency,
commune, category) with the figures of ``selectors.report_statistics`` and a total line."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .selectors_staff import statistics_totals

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
HEADER_ROW = 4

COLUMNS = ("received", "resolved", "on_time", "late", "open", "overdue", "refused", "avg_hours", "on_time_rate",
           "rated", "satisfied", "satisfaction_rate", "avg_score")


def headers() -> list[str]:
    return [
        _("Nhóm"), _("Tiếp nhận"), _("Đã xử lý"), _("Đúng hạn"), _("Quá hạn"), _("Đang xử lý"),
        _("Đang quá hạn"), _("Từ chối"), _("Thời gian xử lý trung bình (giờ)"), _("Tỷ lệ đúng hạn (%)"),
        _("Lượt đánh giá"), _("Hài lòng (4–5 sao)"), _("Tỷ lệ hài lòng (%)"), _("Điểm đánh giá trung bình"),
    ]


def _row(r: dict[str, Any]) -> list:
    return [str(r["name"]), *[r[k] for k in COLUMNS]]


def _sheet_title(label: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return "".join(c for c in label if c not in "[]:*?/\\")[:31] or "Sheet"


def statistics_workbook(*, sheets: list[tuple[Any, list[dict[str, Any]]]], since: dt.date, until: dt.date,
                        agency_name: str = "") -> bytes:
    """``sheets``: (title, rows of report_statistics) per grouping."""
    wb = Workbook()
    wb.remove(wb.active)
    period = _("Phản ánh gửi từ %(since)s đến %(until)s") % {
        "since": since.strftime("%d/%m/%Y"), "until": until.strftime("%d/%m/%Y")}
    if agency_name:
        period += " — " + agency_name
    for title, rows in sheets:
        ws = wb.create_sheet(_sheet_title(str(title)))
        ws.append([_("Thống kê phản ánh hiện trường") + " — " + str(title)])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([period])
        ws.append([])
        ws.append(headers())
        for cell in ws[HEADER_ROW]:
            cell.font = BOLD
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for r in rows:
            ws.append(_row(r))
        ws.append(_row(statistics_totals(rows)))
        for cell in ws[ws.max_row]:
            cell.font = BOLD
        ws.column_dimensions["A"].width = 42
        for i in range(2, len(COLUMNS) + 2):
            ws.column_dimensions[get_column_letter(i)].width = 14
        ws.freeze_panes = f"B{HEADER_ROW + 1}"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
