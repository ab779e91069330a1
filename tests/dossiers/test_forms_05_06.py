"""Form 05 (processing control sheet) as a page, PDF and Excel; form 06 (log book) as a page,
PDF and Excel; each only for the applicant or officials in scope."""

from __future__ import annotations

import io

from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from tests.dossiers.test_staff_support import world_fixture  # noqa: F401 - fixture
from tests.factories import UserFactory
from tests.matrix import login_as
from tinhso.dossiers import services


def _urls(dossier) -> dict[str, str]:
    base = f"/ho-so/{dossier.public_id}"
    return {"page": f"{base}/phieu-kiem-soat/", "pdf": f"{base}/mau-05.pdf", "xlsx": f"{base}/phieu-kiem-soat.xlsx"}


def _processed(world):
    dossier = world.received()
    services.dossier_step_complete(dossier=dossier, actor=world.specialist, note="Đủ điều kiện")
    dossier.refresh_from_db()
    return dossier


def test_control_sheet_page_pdf_and_excel_for_staff_and_applicant(world):
    dossier = _processed(world)
    urls = _urls(dossier)
    for client in (login_as(Client(), world.clerk), login_as(Client(), world.citizen, mfa=False)):
        page = client.get(urls["page"])
        assert page.status_code == 200
        html = page.content.decode()
        assert dossier.code in html and 'id="control-sheet"' in html
        assert world.specialist.full_name in html and "Thẩm định" in html
        assert urls["pdf"] in html and urls["xlsx"] in html
        pdf = client.get(urls["pdf"])
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
        xlsx = client.get(urls["xlsx"])
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
        assert ("Mã hồ sơ", dossier.code) in [tuple(r[:2]) for r in rows]
        assert any(r[0] and "Thẩm định" in str(r[0]) and r[4] == world.specialist.full_name for r in rows)
    staff_page = login_as(Client(), world.clerk).get(f"/staff/dossiers/{dossier.public_id}/").content.decode()
    assert urls["page"] in staff_page


def test_control_sheet_is_hidden_from_others_and_before_receipt(world):
    dossier = _processed(world)
    urls = _urls(dossier)
    other_official = login_as(Client(), world.other_clerk)
    other_citizen = login_as(Client(), UserFactory(), mfa=False)
    for url in urls.values():
        assert other_official.get(url).status_code == 404, url
        assert other_citizen.get(url).status_code == 404, url
        assert Client().get(url).status_code == 302, url
    not_received = world.submit()
    clerk = login_as(Client(), world.clerk)
    for url in _urls(not_received).values():
        assert clerk.get(url).status_code == 404, url


def test_log_book_page_pdf_and_excel(world):
    dossier = world.received()
    year = str(timezone.localdate(dossier.received_at).year)
    params = {"period": "year", "year": year, "agency": str(world.agency.public_id)}
    client = login_as(Client(), world.clerk)
    page = client.get("/staff/dossiers/so-theo-doi/", params)
    assert page.status_code == 200
    html = page.content.decode()
    assert dossier.code in html and "/staff/dossiers/so-theo-doi/pdf/?" in html
    pdf = client.get("/staff/dossiers/so-theo-doi/pdf/", params)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    xlsx = client.get("/staff/dossiers/so-theo-doi/excel/", params)
    assert xlsx.status_code == 200
    codes = {r[1] for r in list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))[4:]}
    assert codes == {dossier.code}


def test_log_book_of_another_agency_is_404_and_citizens_are_refused(world):
    world.received()
    params = {"period": "year", "year": str(timezone.localdate().year), "agency": str(world.agency.public_id)}
    other = login_as(Client(), world.other_clerk)
    citizen = login_as(Client(), world.citizen, mfa=False)
    for url in ("/staff/dossiers/so-theo-doi/", "/staff/dossiers/so-theo-doi/pdf/", "/staff/dossiers/so-theo-doi/excel/"):
        assert other.get(url, params).status_code == 404, url
        assert citizen.get(url, params).status_code == 403, url


def test_new_pages_pass_the_strict_csp_audit(world):
    from tests.portal.helpers import csp_problems

    dossier = _processed(world)
    clerk = login_as(Client(), world.clerk)
    year = {"period": "year", "year": str(timezone.localdate(dossier.received_at).year)}
    for url, params in ((_urls(dossier)["page"], {}), ("/staff/dossiers/so-theo-doi/", year),
                        ("/staff/dossiers/thong-ke/", {**year, "all": "1"}), ("/staff/dossiers/thong-ke/", year)):
        response = clerk.get(url, params)
        assert response.status_code == 200, url
        assert csp_problems(response.content.decode()) == [], url
