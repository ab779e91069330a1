"""The one-stop forms as PDF (Circular 01/2018/TT-VPCP): 01 receipt and appointment, 02 request
to supplement, 03 refusal, 04 apology with a new date, 05 processing control sheet, 06 log book.

Each function takes already-authorised objects (the views check access) and returns bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.utils import timezone

from tinhso.core.pdf import VietnameseDocument

from .machine import DossierFlow
from .models import ApologySlip, Dossier, DossierStep

DESK = "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _when(value: datetime | None) -> str:
    value = _local(value)
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}" if value else "—"


def _day(value: datetime | None) -> str:
    value = _local(value)
    return f"{value:%d/%m/%Y}" if value else "—"


def _hm(value: datetime | None) -> str:
    value = _local(value)
    return f"{value:%H:%M %d/%m/%Y}" if value else ""


def _place_date(dossier: Dossier, when: datetime | None = None) -> str:
    when = _local(when or timezone.now())
    place = dossier.agency.admin_unit.name if dossier.agency.admin_unit_id else ""
    prefix = f"{place}, " if place else ""
    return f"{prefix}ngày {when:%d} tháng {when:%m} năm {when:%Y}"


def tracking_url(dossier: Dossier) -> str:
    """The page the receipt's QR code opens: /tra-cuu/?code=…&secret=…"""
    base = (getattr(settings, "TINHSO_BASE_URL", "") or "").rstrip("/")
    return f"{base}/tra-cuu/?{urlencode({'code': dossier.code or '', 'secret': dossier.tracking_secret})}"


def _document(dossier: Dossier, title: str, number: str) -> VietnameseDocument:
    pdf = VietnameseDocument(title=title, issuer=f"{dossier.agency.name}\n{DESK}")
    pdf.paragraph(f"Mẫu số {number} — Thông tư 01/2018/TT-VPCP", size=8, align="R")
    return pdf


def _applicant_block(pdf: VietnameseDocument, dossier: Dossier) -> None:
    applicant = dossier.applicant
    pdf.field("Mã hồ sơ", dossier.code or "")
    pdf.field("Người nộp hồ sơ", applicant.full_name)
    contact = " — ".join(x for x in (applicant.phone or "", applicant.email or "") if x)
    if contact:
        pdf.field("Điện thoại, thư điện tử", contact)
    pdf.field("Nội dung yêu cầu giải quyết", dossier.procedure.name)


def receipt_pdf(dossier: Dossier) -> bytes:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    pdf = _document(dossier, "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "01")
    pdf.paragraph(f"{DESK.capitalize()} — {dossier.agency.name} tiếp nhận hồ sơ của:")
    _applicant_block(pdf, dossier)
    pdf.paragraph("1. Thành phần hồ sơ nộp gồm:", bold=True)
    rows = [
        [str(i), doc.name or doc.requirement_code, "Bản điện tử" if doc.is_digitised else "Bản giấy"]
        for i, doc in enumerate(dossier.documents.order_by("id"), start=1)
    ]
    pdf.table(["STT", "Tên giấy tờ", "Hình thức"], rows or [["", "—", ""]], widths=[12, 120, 43])
    pdf.ln(2)
    pdf.paragraph("2. Số lượng hồ sơ: 01 (bộ)")
    pdf.paragraph(f"3. Thời gian giải quyết hồ sơ theo quy định: {dossier.procedure.processing_days} ngày làm việc")
    pdf.paragraph(f"4. Thời gian nhận hồ sơ: {_when(dossier.received_at or dossier.submitted_at)}")
    due = _when(dossier.due_at) if dossier.due_at else "sẽ thông báo khi hồ sơ được tiếp nhận"
    pdf.paragraph(f"5. Thời gian trả kết quả giải quyết hồ sơ: {due}")
    channel = "trực tuyến" if dossier.channel == "online" else "trực tiếp"
    pdf.paragraph(f"6. Hình thức nộp hồ sơ: {channel}")
    if dossier.fee_amount:
        amount = f"{dossier.fee_amount:,}".replace(",", ".")
        pdf.paragraph(f"7. Phí, lệ phí: {amount} đồng")
    pdf.ln(2)
    pdf.paragraph(f"Mã tra cứu hồ sơ: {dossier.tracking_secret}", bold=True)
    pdf.paragraph("Quét mã QR hoặc vào trang Tra cứu hồ sơ, nhập mã hồ sơ và mã tra cứu để theo dõi tiến độ.", size=9)
    pdf.qr(tracking_url(dossier), size_mm=32)
    clerk = DossierStep.objects.filter(dossier=dossier, order=1).select_related("assignee").first()
    name = clerk.assignee.full_name if clerk and clerk.assignee_id and clerk.role_code == "clerk" else ""
    pdf.signature_block(_place_date(dossier, dossier.received_at or dossier.submitted_at),
                        "Người tiếp nhận hồ sơ", name)
    return pdf.to_bytes()


def supplement_pdf(dossier: Dossier) -> bytes:
    """Form 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (the latest request)."""
    request = dossier.supplement_requests.select_related("requested_by").order_by("-requested_at", "-id").first()
    pdf = _document(dossier, "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "02")
    pdf.paragraph(f"{DESK.capitalize()} — {dossier.agency.name} tiếp nhận hồ sơ của:")
    _applicant_block(pdf, dossier)
    pdf.paragraph("Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:", bold=True)
    pdf.paragraph(request.reason if request else "—")
    pdf.paragraph(
        "Trong quá trình hoàn thiện hồ sơ nếu có vướng mắc, ông/bà liên hệ với "
        f"{dossier.agency.name}{' — điện thoại ' + dossier.agency.phone if dossier.agency.phone else ''} "
        "để được hướng dẫn."
    )
    pdf.signature_block(_place_date(dossier, request.requested_at if request else None), "Người hướng dẫn",
                        request.requested_by.full_name if request else "")
    return pdf.to_bytes()


def refusal_pdf(dossier: Dossier) -> bytes:
    """Form 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""
    refusal = getattr(dossier, "refusal", None)
    pdf = _document(dossier, "Phiếu từ chối tiếp nhận giải quyết hồ sơ", "03")
    pdf.paragraph(f"{DESK.capitalize()} — {dossier.agency.name} tiếp nhận hồ sơ của:")
    _applicant_block(pdf, dossier)
    pdf.paragraph("Sau khi xem xét, hồ sơ không đủ điều kiện để giải quyết vì lý do sau:", bold=True)
    pdf.paragraph(refusal.reason if refusal else "—")
    pdf.paragraph("Xin thông báo để ông/bà được biết và thực hiện.")
    pdf.signature_block(_place_date(dossier, refusal.at if refusal else None), "Người tiếp nhận",
                        refusal.by.full_name if refusal else "")
    return pdf.to_bytes()


def apology_pdf(slip: ApologySlip) -> bytes:
    """Form 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả."""
    dossier = slip.dossier
    pdf = _document(dossier, "Phiếu xin lỗi và hẹn lại ngày trả kết quả", "04")
    pdf.paragraph(f"Kính gửi: Ông/Bà {dossier.applicant.full_name}")
    pdf.paragraph(
        f"Ngày {_day(dossier.received_at)}, {dossier.agency.name} tiếp nhận hồ sơ đề nghị giải quyết thủ tục "
        f"«{dossier.procedure.name}» của ông/bà, mã hồ sơ {dossier.code}."
    )
    pdf.paragraph(f"Thời hạn trả kết quả ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả: {_when(slip.old_due_at)}.")
    pdf.paragraph(
        "Tuy nhiên đến nay, cơ quan chưa trả kết quả giải quyết hồ sơ cho ông/bà đúng hạn. "
        f"Lý do: {slip.reason}"
    )
    pdf.paragraph(
        f"Sự chậm trễ này đã gây phiền hà cho ông/bà. {dossier.agency.name} xin lỗi ông/bà và sẽ trả kết quả "
        f"giải quyết hồ sơ vào: {_when(slip.new_due_at)}."
    )
    pdf.paragraph("Xin trân trọng cảm ơn!")
    pdf.signature_block(_place_date(dossier, slip.created_at), "Thủ trưởng cơ quan", slip.by.full_name)
    return pdf.to_bytes()


def _timeliness(step: DossierStep) -> str:
    if step.finished_at is None or step.due_at is None:
        return ""
    if step.finished_at > step.due_at:
        return "Quá hạn"
    if _local(step.finished_at).date() < _local(step.due_at).date():
        return "Trước hạn"
    return "Đúng hạn"


def control_sheet_entries(dossier: Dossier) -> list[dict]:
    """Every hand-over of form 05: the step and its agency, when it was handed over, from whom,
    to whom, its deadline, when it was finished and whether that was on time (for the page,
    the PDF and the Excel export)."""
    entries = []
    steps = list(dossier.steps.select_related("agency", "assignee").order_by("order"))
    previous = None
    for step in steps:
        if step.started_at is None and step.finished_at is None:
            continue
        giver = previous.assignee.full_name if previous and previous.assignee_id else (
            dossier.applicant.full_name if previous is None else "")
        entries.append({
            "order": step.order,
            "name": step.name,
            "agency": step.agency.name,
            "started_at": step.started_at,
            "giver": giver,
            "receiver": step.assignee.full_name if step.assignee_id else "",
            "due_at": step.due_at,
            "finished_at": step.finished_at,
            "timeliness": _timeliness(step),
        })
        previous = step
    return entries


def control_sheet_rows(dossier: Dossier) -> list[list[str]]:
    """Every hand-over: from whom, to whom (which agency), when, and whether it was on time."""
    return [
        [f"{e['order']}. {e['name']}\n{e['agency']}", _hm(e["started_at"]), e["giver"], e["receiver"],
         _hm(e["due_at"]), _hm(e["finished_at"]), e["timeliness"]]
        for e in control_sheet_entries(dossier)
    ]


def control_sheet_history(dossier: Dossier) -> list[dict]:
    """The transitions of the dossier (time, action, who), oldest first."""
    return [
        {"at": log.at, "label": DossierFlow.transition_label(log.transition),
         "actor": log.actor.full_name if getattr(log, "actor_id", None) else ""}
        for log in DossierFlow.history(dossier)
    ]


def control_sheet_pdf(dossier: Dossier) -> bytes:
    """Form 05: Phiếu kiểm soát quá trình giải quyết hồ sơ."""
    pdf = _document(dossier, "Phiếu kiểm soát quá trình giải quyết hồ sơ", "05")
    pdf.field("Mã hồ sơ", dossier.code or "")
    pdf.field("Thủ tục", dossier.procedure.name)
    pdf.field("Cơ quan (bộ phận) giải quyết hồ sơ", dossier.agency.name)
    pdf.field("Thời gian nhận hồ sơ", _when(dossier.received_at))
    pdf.field("Thời gian trả kết quả", _when(dossier.due_at))
    pdf.ln(2)
    pdf.table(
        ["Bước, cơ quan", "Giao, nhận lúc", "Người giao", "Người nhận", "Hạn xử lý", "Hoàn thành", "Kết quả"],
        control_sheet_rows(dossier) or [["—", "", "", "", "", "", ""]],
        widths=[40, 22, 24, 24, 22, 22, 21],
    )
    pdf.ln(2)
    history = [f"{_hm(h['at'])}: {h['label']}" for h in control_sheet_history(dossier)]
    if history:
        pdf.paragraph("Diễn biến xử lý:", bold=True)
        for line in history:
            pdf.paragraph(line, size=9)
    return pdf.to_bytes()


def log_book_pdf(*, agency, period_label: str, dossiers: Iterable[Dossier], truncated_at: int | None = None) -> bytes:
    """Form 06: Sổ theo dõi hồ sơ (a page per ~25 rows, landscape-free A4 table). With
    ``truncated_at``, a note says that only the first rows are printed (the Excel file has all)."""
    pdf = VietnameseDocument(title="Sổ theo dõi hồ sơ", issuer=f"{agency.name}\n{DESK}")
    pdf.paragraph("Mẫu số 06 — Thông tư 01/2018/TT-VPCP", size=8, align="R")
    pdf.paragraph(period_label, align="C")
    if truncated_at:
        pdf.paragraph(f"Chỉ in {truncated_at:,} hồ sơ đầu tiên của kỳ; tải tệp Excel để có đủ danh sách."
                      .replace(",", "."), size=8, align="C")
    rows = []
    for i, d in enumerate(dossiers, start=1):
        rows.append([
            str(i), d.code or "", d.procedure.name[:80], d.applicant.full_name, _hm(d.received_at), _hm(d.due_at),
            _hm(d.finished_at), _hm(d.returned_at), DossierFlow.state_label(d.status),
        ])
    pdf.table(["STT", "Mã hồ sơ", "Thủ tục", "Người nộp", "Nhận lúc", "Hẹn trả", "Có kết quả", "Đã trả",
               "Trạng thái"], rows or [["", "—", "", "", "", "", "", "", ""]],
              widths=[9, 28, 30, 22, 17, 17, 17, 17, 18])
    return pdf.to_bytes()
