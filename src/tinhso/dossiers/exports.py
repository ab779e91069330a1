"""Excel exports (openpyxl) of the dossier statistics and of the log book (form 06)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .stats import BUCKETS, CHANNELS, EXTRA, Figures, Report

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def _local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _channel_label(channel: str) -> str:
    return _("trực tuyến") if channel == "online" else _("trực tiếp")


def _figure_headers() -> list[str]:
    headers = [_("Đơn vị")]
    for _key, label in BUCKETS:
        for channel in CHANNELS:
            headers.append(f"{label} — {_channel_label(channel)}")
        headers.append(f"{label} — {_('tổng')}")
    headers += [str(label) for _key, label in EXTRA]
    headers += [
        _("Tỷ lệ đúng hạn (%)"),
        _("Tỷ lệ trực tuyến (%)"),
        _("Tỷ lệ thanh toán trực tuyến (%)"),
        _("Tỷ lệ số hóa (%)"),
        _("Tỷ lệ hài lòng (%)"),
    ]
    return headers


def _figure_row(f: Figures) -> list:
    row: list = [f.label]
    for key, _label in BUCKETS:
        for channel in CHANNELS:
            row.append(f.get(key, channel))
        row.append(f.get(key))
    row += [f.counts[key] for key, _label in EXTRA]
    row += [f.on_time_rate, f.online_rate, f.payment_rate, f.digitised_rate, f.satisfaction_rate]
    return row


def _sheet_of_figures(ws, title: str, report: Report, rows: Iterable[Figures]) -> None:
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([report.period.label])
    ws.append([])
    headers = _figure_headers()
    ws.append(headers)
    for cell in ws[4]:
        cell.font = BOLD
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for f in rows:
        ws.append(_figure_row(f))
    ws.append(_figure_row(report.total))
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ws.column_dimensions["A"].width = 45
    for i in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 14
    ws.freeze_panes = "B5"


def statistics_workbook(report: Report) -> bytes:
    """The report as an .xlsx file: indicators (with formulas), per agency, per commune."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Chỉ số 766")[:31]
    ws.append([_("Thống kê giải quyết hồ sơ thủ tục hành chính")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([report.period.label])
    ws.append([_("Lập lúc"), _local(report.generated_at)])
    ws.append([])
    ws.append([_("Nhóm chỉ số"), _("Chỉ tiêu"), _("Giá trị (%)"), _("Công thức")])
    for cell in ws[5]:
        cell.font = BOLD
    for item in report.indicators():
        ws.append([str(item["group"]), str(item["name"]), item["value"], str(item["formula"])])
    ws.append([])
    ws.append([_("Chỉ tiêu"), _("Trực tuyến"), _("Trực tiếp"), _("Tổng")])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for b in report.total.bucket_rows():
        ws.append([str(b["label"]), b["online"], b["counter"], b["total"]])
    for key, label in EXTRA:
        ws.append([str(label), None, None, report.total.counts[key]])
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["D"].width = 70

    _sheet_of_figures(wb.create_sheet(_("Theo cơ quan")[:31]), _("Theo cơ quan"), report, report.agencies)
    _sheet_of_figures(wb.create_sheet(_("Theo xã, phường")[:31]), _("Theo xã, phường"), report, report.communes)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


LOG_BOOK_HEADERS = (
    gettext_lazy("STT"),
    gettext_lazy("Mã hồ sơ"),
    gettext_lazy("Tên thủ tục hành chính"),
    gettext_lazy("Số lượng hồ sơ (bộ)"),
    gettext_lazy("Tên cá nhân, tổ chức"),
    gettext_lazy("Địa chỉ, số điện thoại"),
    gettext_lazy("Cơ quan chủ trì giải quyết"),
    gettext_lazy("Nhận hồ sơ"),
    gettext_lazy("Hẹn trả kết quả"),
    gettext_lazy("Hình thức nộp"),
    gettext_lazy("Trạng thái"),
    pgettext_lazy("log book column", "Trả kết quả"),
    gettext_lazy("Ghi chú"),
)


def log_book_rows(dossiers) -> Iterable[list]:
    """One list per dossier in the order of the form 06 columns (dates local, naive)."""
    for i, d in enumerate(dossiers.iterator(chunk_size=1000), start=1):
        applicant = d.applicant
        contact = applicant.phone or applicant.email or ""
        yield [
            i,
            d.code,
            d.procedure.name,
            1,
            applicant.full_name,
            contact,
            (d.current_agency or d.agency).name,
            _local(d.received_at),
            _local(d.due_at),
            _channel_label(d.channel),
            d.get_status_display(),
            _local(d.returned_at),
            _("Quá hạn") if d.is_overdue else "",
        ]


def log_book_workbook(*, agency, period, dossiers) -> bytes:
    """Form 06 (sổ theo dõi hồ sơ) of ``agency`` for ``period`` as .xlsx (write-only, streams
    rows so a year of a busy agency stays in bounded memory)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Sổ theo dõi hồ sơ")[:31])
    ws.append([_("SỔ THEO DÕI HỒ SƠ (Mẫu số 06)")])
    ws.append([agency.name, period.label])
    ws.append([])
    ws.append([str(h) for h in LOG_BOOK_HEADERS])
    for row in log_book_rows(dossiers):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CONTROL_SHEET_HEADERS = (
    gettext_lazy("Bước"),
    gettext_lazy("Cơ quan"),
    gettext_lazy("Giao, nhận lúc"),
    gettext_lazy("Người giao"),
    gettext_lazy("Người nhận"),
    gettext_lazy("Hạn xử lý"),
    gettext_lazy("Hoàn thành"),
    gettext_lazy("Kết quả"),
)


def control_sheet_workbook(dossier) -> bytes:
    """Form 05 (phiếu kiểm soát quá trình giải quyết hồ sơ) of one dossier as .xlsx: the
    hand-overs, then the history of transitions."""
    from .pdf import control_sheet_entries, control_sheet_history

    wb = Workbook()
    ws = wb.active
    ws.title = _("Phiếu kiểm soát")[:31]
    ws.append([_("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ (Mẫu số 05)")])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([_("Mã hồ sơ"), dossier.code or ""])
    ws.append([_("Thủ tục"), dossier.procedure.name])
    ws.append([_("Cơ quan tiếp nhận"), dossier.agency.name])
    ws.append([_("Nhận hồ sơ"), _local(dossier.received_at)])
    ws.append([_("Hẹn trả kết quả"), _local(dossier.due_at)])
    ws.append([])
    ws.append([str(h) for h in CONTROL_SHEET_HEADERS])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for e in control_sheet_entries(dossier):
        ws.append([f"{e['order']}. {e['name']}", e["agency"], _local(e["started_at"]), e["giver"], e["receiver"],
                   _local(e["due_at"]), _local(e["finished_at"]), _(e["timeliness"]) if e["timeliness"] else ""])
    ws.append([])
    ws.append([_("Diễn biến xử lý")])
    ws[ws.max_row][0].font = BOLD
    for h in control_sheet_history(dossier):
        ws.append([_local(h["at"]), str(h["label"]), h["actor"]])
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 40
    for letter in "CDEFGH":
        ws.column_dimensions[letter].width = 20
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
