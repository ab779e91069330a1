"""Citizen pages under /ho-so/: apply (draft, submit, errors, double submit), my dossiers, the
dossier page (supplement, payment, result, rating), the my-page section and access rules."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.dossiers.factories import FORM_DATA, payee_account, received_dossier, submitted_dossier, upload
from tests.factories import UserFactory
from tests.matrix import login_as
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, Rating, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(citizen):
    return login_as(Client(), citizen, mfa=False)


def _apply_url(proc):
    return reverse("dossiers:apply", kwargs={"procedure_code": proc.code})


def test_apply_page_renders_form_and_documents(web, free_procedure):
    r = web.get(_apply_url(free_procedure))
    assert r.status_code == 200
    html = r.content.decode()
    for text in ("Họ và tên", "Đơn đề nghị", "Bản sao căn cước", "Lưu nháp", "Nộp hồ sơ", 'name="idempotency_key"',
                 'name="doc-don"'):
        assert text in html


def test_apply_needs_login(client, free_procedure):
    r = client.get(_apply_url(free_procedure))
    assert r.status_code == 302 and "/accounts/" in r["Location"]


def test_unknown_procedure_is_404(web):
    assert web.get(reverse("dossiers:apply", kwargs={"procedure_code": "0.000000"})).status_code == 404


def test_submit_from_the_form_once_even_if_posted_twice(web, citizen, free_procedure):
    def post():
        return web.post(_apply_url(free_procedure), {
            **FORM_DATA, "idempotency_key": "form-key-1", "action": "submit",
            "doc-don": upload(), "doc-cccd": upload(),
        })

    first = post()
    assert first.status_code == 302
    d = Dossier.objects.get()
    assert first["Location"] == reverse("dossiers:detail", kwargs={"public_id": d.public_id})
    assert d.status == Status.SUBMITTED and d.applicant == citizen and d.documents.count() == 2
    second = post()
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Dossier.objects.count() == 1


def test_errors_are_shown_next_to_fields_and_nothing_is_stored(web, free_procedure):
    r = web.post(_apply_url(free_procedure), {"full_name": "", "idempotency_key": "k2", "action": "submit",
                                              "doc-don": upload(), "doc-cccd": upload()})
    assert r.status_code == 422
    html = r.content.decode()
    assert "errorlist" in html and "Trường này là bắt buộc." in html
    assert not Dossier.objects.exists()
    r = web.post(_apply_url(free_procedure), {**FORM_DATA, "idempotency_key": "k3", "action": "submit",
                                              "doc-don": upload()})
    assert r.status_code == 422 and "Cần đính kèm giấy tờ này." in r.content.decode()
    assert not Dossier.objects.exists()


def test_draft_then_edit_then_submit(web, citizen, free_procedure):
    r = web.post(_apply_url(free_procedure), {"full_name": "Lê Thị Cúc", "idempotency_key": "k4", "action": "draft",
                                              "doc-don": upload()})
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.status == Status.DRAFT and d.form_data == {"full_name": "Lê Thị Cúc"}
    edit = reverse("dossiers:edit", kwargs={"public_id": d.public_id})
    assert r["Location"] == edit
    page = web.get(edit).content.decode()
    assert "Lê Thị Cúc" in page and "Đã đính kèm" in page
    r = web.post(edit, {"full_name": "Lê Thị Cúc", "action": "submit"})
    assert r.status_code == 422 and "Cần đính kèm giấy tờ này." in r.content.decode()
    r = web.post(edit, {"full_name": "Lê Thị Cúc", "action": "submit", "doc-cccd": upload()})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED and d.code


def test_my_dossiers_list_and_empty_state(web, citizen, agency, free_procedure):
    r = web.get(reverse("dossiers:mine"))
    assert "Bạn chưa có hồ sơ nào." in r.content.decode()
    d = submitted_dossier(free_procedure, agency, citizen)
    submitted_dossier(free_procedure, agency)  # someone else's
    html = web.get(reverse("dossiers:mine")).content.decode()
    assert d.code in html and html.count("/ho-so/") >= 1
    assert Dossier.objects.exclude(applicant=citizen).get().code not in html


def test_detail_is_private(agency, free_procedure, citizen, team):
    d = submitted_dossier(free_procedure, agency, citizen)
    url = reverse("dossiers:detail", kwargs={"public_id": d.public_id})
    assert login_as(Client(), UserFactory(), mfa=False).get(url).status_code == 404
    assert login_as(Client(), team.clerk).get(url).status_code == 404  # staff use their workspace
    assert Client().get(url).status_code == 302


def test_supplement_edit_and_resubmit_from_the_page(web, citizen, agency, team, free_procedure):
    d = received_dossier(free_procedure, agency, team, citizen)
    services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Ảnh căn cước bị mờ")
    detail = web.get(reverse("dossiers:detail", kwargs={"public_id": d.public_id})).content.decode()
    assert "Ảnh căn cước bị mờ" in detail and "Bổ sung và nộp lại" in detail
    edit = reverse("dossiers:edit", kwargs={"public_id": d.public_id})
    assert "Ảnh căn cước bị mờ" in web.get(edit).content.decode()
    r = web.post(edit, {**FORM_DATA, "action": "submit", "doc-cccd": upload("ro.pdf")})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.documents.get(requirement_code="cccd").file.original_name == "ro.pdf"


def test_payment_link_result_download_and_rating(web, citizen, agency, team, procedure):
    payee_account(agency)
    d = received_dossier(procedure, agency, team, citizen)
    url = reverse("dossiers:detail", kwargs={"public_id": d.public_id})
    html = web.get(url).content.decode()
    assert reverse("payments:pay", kwargs={"public_id": d.payment_public_id}) in html
    services.dossier_fee_record_at_counter(dossier=d, actor=team.clerk)
    services.dossier_step_complete(dossier=d, actor=team.specialist)
    services.dossier_approve(dossier=d, actor=team.leader, result_file=upload("ket-qua.pdf"))
    services.dossier_return_result(dossier=d, actor=team.clerk, method="online")
    html = web.get(url).content.decode()
    assert "Tải kết quả" in html and "Đánh giá mức độ hài lòng" in html
    r = web.get(reverse("dossiers:result", kwargs={"public_id": d.public_id}))
    assert r.status_code == 302
    assert web.get(r["Location"]).status_code == 200  # the files app lets the applicant read it
    r = web.post(reverse("dossiers:rate", kwargs={"public_id": d.public_id}), {"score": "4", "comment": "Tốt"})
    assert r.status_code == 302 and Rating.objects.get(dossier=d).score == 4
    assert "Bạn đã đánh giá 4/5" in web.get(url).content.decode()


def test_withdraw_from_the_page(web, citizen, agency, free_procedure):
    d = submitted_dossier(free_procedure, agency, citizen)
    stranger = login_as(Client(), UserFactory(), mfa=False)
    url = reverse("dossiers:withdraw", kwargs={"public_id": d.public_id})
    assert stranger.post(url).status_code == 404
    assert web.get(url).status_code == 405
    web.post(url, {"reason": "Nộp nhầm"})
    d.refresh_from_db()
    assert d.status == Status.WITHDRAWN


def test_my_page_section_lists_dossiers(web, citizen, agency, free_procedure):
    d = submitted_dossier(free_procedure, agency, citizen)
    html = web.get(reverse("portal:me")).content.decode()
    assert d.code in html


def test_commune_procedure_asks_for_the_receiving_commune(web, province_96):
    from tests.dossiers.factories import ProcedureFactory
    from tests.factories import AgencyFactory
    from tinhso.geo.models import AdminUnit

    communes = list(AdminUnit.objects.filter(parent=province_96).order_by("code")[:2])
    a1, a2 = (AgencyFactory(commune=True, admin_unit=c, name=f"Ủy ban nhân dân {c.full_name}") for c in communes)
    proc = ProcedureFactory(agency=a1, fee=0, implementing_level="commune")
    html = web.get(_apply_url(proc)).content.decode()
    assert 'name="agency"' in html and a1.name in html and a2.name in html
    r = web.post(_apply_url(proc), {**FORM_DATA, "idempotency_key": "c1", "action": "draft"})
    assert r.status_code == 422 and "Vui lòng chọn cơ quan tiếp nhận hồ sơ." in r.content.decode()
    r = web.post(_apply_url(proc), {**FORM_DATA, "idempotency_key": "c2", "action": "draft",
                                    "agency": str(a2.public_id)})
    assert r.status_code == 302 and Dossier.objects.get().agency == a2


def test_fee_before_receipt_is_not_shown_as_free(web, citizen, procedure, agency, team):
    # Journey regression: a submitted, not yet received dossier showed "8.000 đ — Không thu phí".
    d = submitted_dossier(procedure, agency, citizen)
    assert d.fee_amount > 0
    html = web.get(reverse("dossiers:detail", kwargs={"public_id": d.public_id})).content.decode()
    assert "thanh toán sau khi hồ sơ được tiếp nhận" in html and "Không thu phí" not in html
    staff = login_as(Client(), team.clerk, mfa=True)
    page = staff.get(reverse("dossiers_staff:detail", kwargs={"public_id": d.public_id})).content.decode()
    assert "thu sau khi tiếp nhận" in page and "Không thu phí" not in page


def test_payment_page_links_back_to_the_dossier(web, citizen, agency, team, procedure):
    # Journey regression: after paying, the payment page offered no way back to the dossier.
    payee_account(agency)
    d = received_dossier(procedure, agency, team, citizen)
    html = web.get(reverse("payments:pay", kwargs={"public_id": d.payment_public_id})).content.decode()
    assert "Quay lại hồ sơ" in html
    assert reverse("dossiers:detail", kwargs={"public_id": d.public_id}) in html


def test_my_dossiers_table_stacks_on_a_phone(web, citizen, free_procedure, agency):
    # Journey regression: the 4-column table overflowed a 390 px screen sideways.
    d = submitted_dossier(free_procedure, agency, citizen)
    html = web.get(reverse("dossiers:mine")).content.decode()
    assert d.code in html and "table-stack" in html and 'data-label="Trạng thái"' in html


def test_apply_page_shows_per_copy_fees_of_birth_registration(web):
    """Registration is free but each paper copy of the extract costs 8.000 đ: the form says so."""
    from tinhso.core.demo import load_demo

    load_demo(log=lambda _msg: None)
    html = web.get(reverse("dossiers:apply", kwargs={"procedure_code": "1.001193"})).content.decode()
    assert "8.000 đ/bản sao trích lục" in html
    assert "Không thu phí." not in html
