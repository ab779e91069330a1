"""The payment receipt (biên lai thanh toán) as PDF."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.pdf import VietnameseDocument

from .formatting import format_vnd
from .models import PaymentIntent


def _local(dt) -> str:
    if not dt:
        return ""
    local = timezone.localtime(dt)
    return _("%(time)s ngày %(date)s") % {"time": local.strftime("%H:%M"), "date": local.strftime("%d/%m/%Y")}


def receipt_pdf(intent: PaymentIntent) -> bytes:
    """A receipt for a paid intent: who paid whom, how much, for what, when, through which gateway."""
    doc = VietnameseDocument(title=_("Biên lai thanh toán điện tử"), issuer=intent.payee_agency.name)
    doc.field(_("Mã thanh toán"), intent.bill_number)
    doc.field(_("Người nộp"), intent.payer.full_name or intent.payer.get_username())
    doc.field(_("Cơ quan thụ hưởng"), intent.payee_agency.name)
    doc.field(_("Nội dung"), intent.description)
    doc.field(_("Số tiền"), format_vnd(intent.amount))
    doc.field(_("Tài khoản nhận"), f"{intent.payee_account_number} — {intent.payee_account_name} ({intent.payee_bank_name})")
    doc.field(_("Thời điểm thanh toán"), _local(intent.paid_at))
    doc.field(_("Cổng thanh toán"), intent.gateway)
    doc.field(_("Mã giao dịch"), intent.gateway_reference)
    if intent.gateway == "sandbox":
        doc.ln(4)
        doc.paragraph(_("Giao dịch qua cổng thanh toán thử nghiệm — không có tiền thật."), bold=True)
    doc.ln(4)
    doc.paragraph(_("Biên lai được tạo tự động từ hệ thống, có giá trị xác nhận khoản thanh toán nêu trên."), size=9)
    return doc.to_bytes()
