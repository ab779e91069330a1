"""Citizen pages of field reports: the report form (/phan-anh/gui/) with and without an account
(photos, contact, errors that store nothing, duplicates within 200 m, the one-time key), "Phản
ánh của tôi" (/phan-anh/cua-toi/), rating and reopening (only the reporter, only when resolved,
within the window)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.feedback.conftest import LAT, LON, submit
from tests.feedback.test_pages_public import html, png
from tests.matrix import login_as
from tinhso.feedback import services
from tinhso.feedback.models import Rating, Report, ReportPhoto, Status
from tinhso.files.models import StoredFile

pytestmark = pytest.mark.django_db

NEW = "/phan-anh/gui/"
MINE = "/phan-anh/cua-toi/"


@pytest.fixture
def web(world):
    return login_as(Client(), world.citizen, mfa=False)


def form(**kw) -> dict:
    data = {"idempotency_key": str(uuid.uuid4()), "category": "duong-giao-thong", "attr-hien_trang": "o-ga",
            "description": "Ổ gà lớn trước chợ, xe máy dễ té.", "lat": str(LAT), "long": str(LON),
            "commune": "32002", "address": "Đường Trần Hưng Đạo, khóm 5", "action": "submit", "nearby_checked": "1"}
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def nothing_stored() -> bool:
    return Report.objects.count() == 0 and StoredFile.objects.count() == 0 and ReportPhoto.objects.count() == 0


def test_form_renders_for_anyone(world, client, web):
    page = html(client.get(NEW))
    assert "Bạn chưa đăng nhập." in page and 'type="file"' not in page and 'name="contact_phone"' in page
    assert 'name="idempotency_key"' in page and "Vị trí của tôi" in page and 'name="commune"' in page
    page = html(web.get(NEW))
    assert 'accept="image/*" capture="environment"' in page and 'name="show_name"' in page
    assert 'name="anonymous"' in page and 'name="contact_phone"' not in page
    assert "Đường giao thông" in page and "style=" not in page and "<script>" not in page
    assert 'name="attr-hien_trang"' in html(web.get(NEW, {"category": "duong-giao-thong"}))


def test_submit_with_photo(world, web):
    r = web.post(NEW, form(photos=[png(), png("b.png", (0, 0, 200))]))
    assert r.status_code == 302
    report = Report.objects.get()
    assert r["Location"] == f"/phan-anh/{report.code}/"
    assert report.reporter == world.citizen and report.photos.count() == 2 and report.channel == "web"
    assert report.attributes == {"hien_trang": "o-ga"} and report.commune.code == "32002"
    assert not report.show_name and not report.is_anonymous
    page = html(web.get(r["Location"]))
    assert report.code in page and "Đã gửi phản ánh. Mã phản ánh của bạn" in page


def test_anonymous_report_with_contact_never_shows_it(world, client):
    r = client.post(NEW, form(contact_name="Lê Thị Liên Hệ", contact_phone="0911222333",
                              contact_email="lienhe@example.vn"))
    assert r.status_code == 302
    report = Report.objects.get()
    assert report.reporter is None and report.contact_phone == "0911222333"
    page = html(client.get(r["Location"]))
    assert report.code in page
    for secret in ("Lê Thị Liên Hệ", "0911222333", "lienhe@example.vn"):
        assert secret not in page
        assert secret not in html(client.get("/phan-anh/"))


def test_without_account_no_photo(world, client):
    r = client.post(NEW, form(photos=[png()]))
    assert r.status_code == 422 and "Cần đăng nhập để gửi ảnh" in html(r)
    assert nothing_stored()


@pytest.mark.parametrize(("changes", "message"), [
    ({"lat": "", "long": "", "commune": ""}, "Cần chọn vị trí trên bản đồ"),
    ({"lat": "10.762622", "long": "106.660172"}, "nằm ngoài địa bàn tỉnh"),
    ({"lat": "abc"}, "Tọa độ không hợp lệ"),
    ({"category": "khong-ton-tai"}, "Lĩnh vực phản ánh không tồn tại"),
    ({"description": ""}, "Cần mô tả vấn đề"),
    ({"description": "x" * 5000}, "tối đa 4000 ký tự"),
    ({"attr-hien_trang": ""}, "Cần cung cấp «Hiện trạng»"),
    ({"attr-hien_trang": "sai"}, "không hợp lệ"),
    ({"commune": "01001"}, "không thuộc tỉnh"),
])
def test_validation_errors_store_nothing(world, web, changes, message):
    r = web.post(NEW, form(photos=[png()], **changes))
    assert r.status_code == 422, html(r)[:500]
    page = html(r)
    assert message in page and 'class="errorlist"' in page and "aria-invalid" in page
    assert nothing_stored()


def test_huge_description_is_refused_with_a_message(world, web):
    r = web.post(NEW, form(description="x" * (10 * 1024 * 1024)))
    assert r.status_code == 413 and "quá lớn" in html(r)
    assert nothing_stored()


def test_bad_photo_stores_nothing(world, web):
    fake = SimpleUploadedFile("anh.png", b"MZ\x90\x00 this is not an image", content_type="image/png")
    r = web.post(NEW, form(photos=[fake]))
    assert 400 <= r.status_code < 500
    assert 'id="err-photos"' in html(r)
    assert nothing_stored()


def test_too_many_photos(world, web):
    r = web.post(NEW, form(photos=[png(f"{i}.png", (i, i, i)) for i in range(6)]))
    assert r.status_code == 422 and "tối đa 5 ảnh" in html(r)
    assert nothing_stored()


def test_duplicate_within_200_m_is_shown_before_filing(world, web, report):
    near = form(lat="9.181900", nearby_checked="")  # ~80 m north, JavaScript off
    r = web.post(NEW, near)
    assert r.status_code == 200
    page = html(r)
    assert "Đã có phản ánh này?" in page and report.code in page and 'name="confirm_new"' in page
    assert Report.objects.count() == 1
    r = web.post(NEW, {**near, "confirm_new": "1"})  # "Vẫn gửi phản ánh mới"
    assert r.status_code == 302 and Report.objects.count() == 2


def test_check_step_without_javascript(world, web):
    r = web.post(NEW, form(action="check", nearby_checked=""))
    assert r.status_code == 200 and "Chưa có phản ánh cùng lĩnh vực" in html(r)
    assert Report.objects.count() == 0


def test_support_the_existing_report_instead(world, report):
    b = login_as(Client(), world.citizen_b, mfa=False)
    page = html(b.post(NEW, form(lat="9.181900", nearby_checked="")))
    assert f"/phan-anh/{report.public_id}/ung-ho/" in page
    r = b.post(f"/phan-anh/{report.public_id}/ung-ho/")
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.support_count == 1 and Report.objects.count() == 1


def test_double_submit_creates_one_report(world, web, client):
    data = form()
    first, second = web.post(NEW, data), web.post(NEW, data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] and Report.objects.count() == 1
    # a retry of the same key after an edit goes to the report already sent, never a second one
    changed = web.post(NEW, {**data, "description": "Nội dung khác"})
    assert changed.status_code == 302 and Report.objects.count() == 1
    anon = form()
    assert client.post(NEW, anon)["Location"] == client.post(NEW, anon)["Location"]
    assert Report.objects.count() == 2


def test_location_from_commune_without_map(world, web, report):
    r = web.post(NEW, form(lat="", long="", category="chieu-sang", **{"attr-hien_trang": None}))
    assert r.status_code == 302
    new = Report.objects.exclude(pk=report.pk).get()
    assert new.commune.code == "32002" and (new.latitude, new.longitude) == (report.latitude, report.longitude)
    r = web.post(NEW, form(lat="", long="", commune="32025"))  # no earlier report there
    assert r.status_code == 422 and "Chưa xác định được vị trí" in html(r)


def test_anonymous_option_and_show_name(world, web):
    web.post(NEW, form(anonymous="1", show_name="1"))
    report = Report.objects.get()
    assert report.is_anonymous and not report.show_name
    web.post(NEW, form(show_name="1", lat="9.100000"))
    shown = Report.objects.exclude(pk=report.pk).get()
    assert shown.show_name
    assert world.citizen.full_name in html(Client().get(f"/phan-anh/{shown.code}/"))
    assert world.citizen.full_name not in html(Client().get(f"/phan-anh/{report.code}/"))


# --- my reports, rating, reopening ---------------------------------------------------------------


def _resolve(world, report):
    services.report_assign(report=report, actor=world.handler)
    services.report_resolve(report=report, actor=world.handler, answer="Đã vá ổ gà.")
    report.refresh_from_db()
    return report


def test_mine_needs_login_and_shows_only_own(world, client, web):
    r = client.get(MINE)
    assert r.status_code == 302 and "/accounts/" in r["Location"]
    assert "Bạn chưa gửi phản ánh nào." in html(web.get(MINE))
    own = submit(world)
    other = submit(world, reporter=world.citizen_b)
    page = html(web.get(MINE))
    assert own.code in page and other.code not in page and "Chờ tiếp nhận" in page


def test_mine_paginates(world, web):
    for i in range(22):
        submit(world, description=f"Số {i}")
    assert "Trang 1 / 2" in html(web.get(MINE))
    assert html(web.get(MINE, {"page": 2})).count('class="fb-card"') == 2


def test_rate_a_resolved_report(world, web, report):
    report = _resolve(world, report)
    page = html(web.get(MINE))
    assert "Bạn hài lòng với kết quả xử lý?" in page and "Mở lại phản ánh" in page
    r = web.post(f"/phan-anh/{report.public_id}/danh-gia/", {"score": "4", "comment": "Tốt", "next": MINE})
    assert r.status_code == 302 and r["Location"] == MINE
    report.refresh_from_db()
    assert report.status == Status.CLOSED and report.rating.score == 4
    assert "Bạn đã đánh giá: 4/5 — «Tốt»" in html(web.get(MINE))  # the comment is shown back
    again = web.post(f"/phan-anh/{report.public_id}/danh-gia/", {"score": "5"})
    assert again.status_code == 409 and Rating.objects.get().score == 4


def test_rate_permissions(world, web, client, report):
    url = f"/phan-anh/{report.public_id}/danh-gia/"
    assert web.post(url, {"score": "5"}).status_code == 409  # not resolved yet
    report = _resolve(world, report)
    assert web.post(url, {"score": "9"}).status_code == 422
    b = login_as(Client(), world.citizen_b, mfa=False)
    assert b.post(url, {"score": "1"}).status_code == 404  # another citizen
    r = client.post(url, {"score": "1"})
    assert r.status_code == 302 and "/accounts/" in r["Location"]
    assert login_as(Client(), world.handler).post(url, {"score": "1"}).status_code == 404
    assert web.get(url).status_code == 405
    assert not Rating.objects.exists()
    report.refresh_from_db()
    assert report.status == Status.RESOLVED


def test_reopen_within_the_window(world, web, report):
    report = _resolve(world, report)
    r = web.post(f"/phan-anh/{report.public_id}/mo-lai/", {"reason": "Ổ gà lại xuất hiện."})
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.reopen_count == 1


def test_reopen_permissions_and_window(world, web, client, report):
    url = f"/phan-anh/{report.public_id}/mo-lai/"
    assert web.post(url, {"reason": "Chưa xong"}).status_code == 409  # not resolved
    report = _resolve(world, report)
    assert web.post(url, {"reason": ""}).status_code == 422  # a reason is needed
    b = login_as(Client(), world.citizen_b, mfa=False)
    assert b.post(url, {"reason": "Của tôi"}).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 302
    Report.objects.filter(pk=report.pk).update(resolved_at=timezone.now() - timedelta(days=30))
    page = html(web.get(MINE))
    assert "Đã hết thời hạn mở lại" in page and "Mở lại phản ánh" not in page
    r = web.post(url, {"reason": "Muộn rồi"})
    assert r.status_code == 409 and "không thể mở lại" in html(r)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.reopen_count == 0


def test_reporter_actions_on_report_page(world, web, report):
    report = _resolve(world, report)
    page = html(web.get(f"/phan-anh/{report.code}/"))
    assert "Gửi đánh giá" in page and "Mở lại phản ánh" in page
    other = html(login_as(Client(), world.citizen_b, mfa=False).get(f"/phan-anh/{report.code}/"))
    assert "Gửi đánh giá" not in other and "Mở lại phản ánh" not in other


def test_next_parameter_cannot_leave_the_site(world, web, report):
    report = _resolve(world, report)
    r = web.post(f"/phan-anh/{report.public_id}/danh-gia/", {"score": "5", "next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == MINE
