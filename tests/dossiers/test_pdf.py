"""PDF forms 01–05 (and the log book 06): content, QR link, and who may download them."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.dossiers.conftest import local
from tests.dossiers.factories import received_dossier, submitted_dossier
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tests.matrix import login_as
from tinhso.dossiers import pdf, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def written(monkeypatch):
    """Every text fpdf2 lays out (its glyphs are subset-encoded, so the bytes are not searchable)
    and every QR payload."""
    from fpdf import FPDF

    from tinhso.core.pdf import VietnameseDocument

    seen: list[str] = []
    original = FPDF.normalize_text
    qr = VietnameseDocument.qr

    def record(self, text):
        seen.append(str(text))
        return original(self, text)

    def record_qr(self, data, **kwargs):
        seen.append(f"QR:{data}")
        return qr(self, data, **kwargs)

    monkeypatch.setattr(FPDF, "normalize_text", record)
    monkeypatch.setattr(VietnameseDocument, "qr", record_qr)
    return seen


def _text(content: bytes, written: list[str]) -> str:
    assert content.startswith(b"%PDF-")
    text = "\n".join(written)
    written.clear()
    return text


def test_receipt_has_code_secret_due_date_and_qr(settings, agency, team, free_procedure, citizen, clock, written):
    settings.TINHSO_BASE_URL = "https://dichvucong.example.vn"
    clock.set(2026, 3, 9, 10)
    d = received_dossier(free_procedure, agency, team, citizen)
    text = _text(pdf.receipt_pdf(d), written)
    for expected in (d.code, d.tracking_secret, citizen.full_name, free_procedure.name, "Đơn đề nghị",
                     "17 giờ 00 phút, ngày 13/03/2026", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"):
        assert expected in text, expected
    url = f"https://dichvucong.example.vn/tra-cuu/?code={d.code}&secret={d.tracking_secret}"
    assert pdf.tracking_url(d) == url and f"QR:{url}" in text


def test_other_forms(agency, team, free_procedure, citizen, clock, written):
    clock.set(2026, 3, 9, 10)
    d = received_dossier(free_procedure, agency, team, citizen)
    services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung bản sao hộ khẩu")
    assert "Bổ sung bản sao hộ khẩu" in _text(pdf.supplement_pdf(d), written)
    services.dossier_resubmit(dossier=d, actor=citizen)
    services.dossier_step_complete(dossier=d, actor=team.specialist, note="Đủ")
    clock.set(2026, 3, 16, 10)
    slip = services.dossier_apologise(dossier=d, actor=team.leader, reason="Chờ xác minh",
                                      new_due_at=local(2026, 3, 20))
    text = _text(pdf.apology_pdf(slip), written)
    assert "Chờ xác minh" in text and "20/03/2026" in text
    sheet = _text(pdf.control_sheet_pdf(d), written)
    assert team.clerk.full_name in sheet and team.specialist.full_name in sheet and "PHIẾU KIỂM SOÁT" in sheet
    d2 = submitted_dossier(free_procedure, agency)
    services.dossier_refuse(dossier=d2, actor=team.clerk, reason="Không thuộc thẩm quyền")
    assert "Không thuộc thẩm quyền" in _text(pdf.refusal_pdf(d2), written)
    book = _text(pdf.log_book_pdf(agency=agency, period_label="Tháng 3/2026", dossiers=[d, d2]), written)
    assert d.code in book and d2.code in book


def test_pdf_downloads_for_applicant_and_scoped_staff_only(agency, team, free_procedure, citizen):
    d = received_dossier(free_procedure, agency, team, citizen)
    url = reverse("dossiers:pdf", kwargs={"public_id": d.public_id, "form": "01"})
    r = login_as(Client(), citizen, mfa=False).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert login_as(Client(), team.clerk).get(url).status_code == 200
    other_clerk = MembershipFactory(agency=AgencyFactory(), role=role("clerk")).user
    assert login_as(Client(), other_clerk).get(url).status_code == 404
    assert login_as(Client(), UserFactory(), mfa=False).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # a form that does not exist yet for this dossier
    r = login_as(Client(), citizen, mfa=False).get(reverse("dossiers:pdf", kwargs={"public_id": d.public_id,
                                                                                    "form": "03"}))
    assert r.status_code == 404


def test_receipt_fee_line_keeps_its_comma(agency, citizen, procedure, clock, written):
    # Journey regression: the thousands separator swap also turned "Phí, lệ phí" into "Phí. lệ phí".
    clock.set(2026, 3, 9, 10)
    d = submitted_dossier(procedure, agency, citizen)
    assert d.fee_amount > 0
    text = _text(pdf.receipt_pdf(d), written)
    amount = f"{d.fee_amount:,}".replace(",", ".")
    assert f"7. Phí, lệ phí: {amount} đồng" in text and "Phí. lệ phí" not in text
