"""Public pages of field reports (/phan-anh/): map and list (filters, pagination, empty states),
the map's JSON points (bbox validation, no personal data), a report's page (timeline, answers,
photos through the public photo view, supports) and privacy of every public page."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.feedback.conftest import LAT, LON, submit
from tests.matrix import login_as
from tinhso.feedback import services
from tinhso.feedback.models import Report, Support

pytestmark = pytest.mark.django_db

INDEX = "/phan-anh/"
POINTS = "/phan-anh/ban-do.json"


def png(name: str = "anh.png", color=(200, 30, 30)) -> SimpleUploadedFile:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buf, format="PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def html(response) -> str:
    return response.content.decode()


def test_urls_are_mounted():
    assert reverse("feedback:index") == INDEX
    assert reverse("feedback:map_points") == POINTS
    assert reverse("feedback:new") == "/phan-anh/gui/"
    assert reverse("feedback:mine") == "/phan-anh/cua-toi/"


def test_index_empty_state(world, client):
    r = client.get(INDEX)
    assert r.status_code == 200
    page = html(r)
    assert "Chưa có phản ánh nào." in page
    assert 'id="fb-map"' in page and "leaflet/leaflet.js" in page  # Leaflet loaded lazily by map.js
    assert "<script src=" in page and "<script>" not in page and "style=" not in page  # strict CSP


def test_index_lists_and_filters(world, client):
    road = submit(world, description="Ổ gà trước chợ An Xuyên")
    light = submit(world, category=world.other_category, attributes={}, description="Đèn đường tắt ở Tân Thành",
                   commune="32025")
    page = html(client.get(INDEX))
    assert road.code in page and light.code in page
    page = html(client.get(INDEX, {"category": "chieu-sang"}))
    assert light.code in page and road.code not in page
    page = html(client.get(INDEX, {"commune": "32002"}))
    assert road.code in page and light.code not in page
    services.report_assign(report=road, actor=world.handler)
    page = html(client.get(INDEX, {"status": "assigned"}))
    assert road.code in page and light.code not in page
    page = html(client.get(INDEX, {"status": "open"}))
    assert road.code in page and light.code in page
    page = html(client.get(INDEX, {"q": "den duong"}))  # diacritics-insensitive words
    assert light.code in page and road.code not in page
    Report.objects.filter(pk=light.pk).update(submitted_at=timezone.now() - timedelta(days=40))
    page = html(client.get(INDEX, {"period": "30"}))
    assert road.code in page and light.code not in page
    page = html(client.get(INDEX, {"category": "khong-co", "status": "bogus", "period": "x"}))
    assert "Không có phản ánh nào phù hợp với bộ lọc." in page


def test_index_paginates(world, client):
    for i in range(23):
        submit(world, description=f"Phản ánh số {i}")
    first = html(client.get(INDEX))
    assert "Trang 1 / 2" in first and 'rel="next"' in first
    second = client.get(INDEX, {"page": 2})
    assert second.status_code == 200
    assert html(second).count('class="fb-card"') == 3
    assert html(client.get(INDEX, {"page": "999"})).count('class="fb-card"') == 3  # last page
    assert client.get(INDEX, {"page": "abc"}).status_code == 200


def test_map_points_bad_bbox_is_400_with_message(world, client):
    for query in ({}, {"bbox": "1,2,3"}, {"bbox": "a,b,c,d"}, {"bbox": "10,105,9,106"}, {"bbox": "9,200,10,201"}):
        r = client.get(POINTS, query)
        assert r.status_code == 400, query
        body = r.json()
        assert body["error"]["message"] and "bbox" in body["error"]["message"] or "Khung" in body["error"]["message"]
    r = client.get(POINTS, {"bbox": "8.3,104.4,9.8,106.0", "status": "bogus"})
    assert r.status_code == 400 and "Trạng thái" in r.json()["error"]["message"]


def test_map_points_compact_and_without_personal_data(world, client):
    shown = submit(world, show_name=True, description="MO-TA-KHONG-CAN-TREN-BAN-DO")
    contact = submit(world, reporter=None, contact={"name": "Trần Bí Mật", "phone": "0987654321",
                                                    "email": "bimat@example.vn"})
    submit(world, latitude="9.500000", longitude="105.500000")  # outside the asked box
    r = client.get(POINTS, {"bbox": "9.1,105.1,9.2,105.2"})
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == 2 and not data["truncated"]
    assert {p[2] for p in data["points"]} == {shown.code, contact.code}
    assert all(len(p) == 5 for p in data["points"])
    assert data["points"][0][0] == pytest.approx(float(LAT)) and data["points"][0][1] == pytest.approx(float(LON))
    text = r.content.decode()
    for secret in (world.citizen.full_name, world.citizen.phone, world.citizen.email, "Trần Bí Mật", "0987654321",
                   "bimat@example.vn", "MO-TA-KHONG-CAN-TREN-BAN-DO"):
        assert secret not in text
    assert client.get(POINTS, {"bbox": "9.1,105.1,9.2,105.2", "category": "chieu-sang"}).json()["count"] == 0


def test_report_page_timeline_answers_and_photos(world, client):
    report = submit(world, reporter=world.citizen, photos=[png()])
    services.report_assign(report=report, actor=world.handler)
    services.report_add_note(report=report, actor=world.handler, body="GHI-CHU-NOI-BO")
    services.report_answer(report=report, actor=world.handler, body="Đã cử tổ kiểm tra hiện trường.",
                           photo=png("tl.png", (0, 90, 0)))
    r = client.get(f"/phan-anh/{report.code}/")
    assert r.status_code == 200
    page = html(r)
    assert report.code in page and "Đã cử tổ kiểm tra hiện trường." in page
    assert "Đã tiếp nhận" in page and "Chờ tiếp nhận" in page
    assert "GHI-CHU-NOI-BO" not in page
    assert world.citizen.full_name not in page  # the name is hidden by default
    photo_urls = [u for u in page.split('"') if u.startswith(f"/phan-anh/{report.public_id}/anh/")]
    assert len(set(photo_urls)) == 2
    got = client.get(photo_urls[0])  # anonymous visitor
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert "sandbox" in got["Content-Security-Policy"]
    assert client.get(f"/phan-anh/{report.public_id}/").status_code == 200  # by public id too


def test_photo_view_only_serves_photos_of_that_public_report(world, client):
    a = submit(world, photos=[png()])
    b = submit(world, reporter=world.citizen_b, photos=[png("b.png", (1, 2, 3))])
    fid_b = b.photos.first().file.public_id
    assert client.get(f"/phan-anh/{a.public_id}/anh/{fid_b}/").status_code == 404
    fid_a = a.photos.first().file.public_id
    assert client.get(f"/phan-anh/{a.public_id}/anh/{fid_a}/").status_code == 200
    services.report_refuse(report=a, actor=world.handler, reason="spam")
    assert client.get(f"/phan-anh/{a.public_id}/anh/{fid_a}/").status_code == 404
    assert client.get(f"/phan-anh/{a.code}/").status_code == 404


def test_spam_report_is_hidden_but_its_reporter_still_sees_it(world, client, report):
    services.report_refuse(report=report, actor=world.handler, reason="spam")
    assert client.get(f"/phan-anh/{report.public_id}/").status_code == 404
    web = login_as(Client(), world.citizen, mfa=False)
    r = web.get(f"/phan-anh/{report.public_id}/")
    assert r.status_code == 200 and "không được công khai" in html(r)
    assert login_as(Client(), world.citizen_b, mfa=False).get(f"/phan-anh/{report.public_id}/").status_code == 404


def test_unknown_report_is_404(world, client):
    assert client.get("/phan-anh/PA-000000-9999/").status_code == 404
    assert client.get("/phan-anh/00000000-0000-0000-0000-000000000000/").status_code == 404


def test_reporter_name_only_when_chosen(world, client):
    shown = submit(world, show_name=True)
    hidden = submit(world, reporter=world.citizen_b)
    assert world.citizen.full_name in html(client.get(f"/phan-anh/{shown.code}/"))
    page = html(client.get(f"/phan-anh/{hidden.code}/"))
    assert world.citizen_b.full_name not in page and "không công khai tên" in page


def test_support_matrix(world, client, report):
    url = f"/phan-anh/{report.public_id}/ung-ho/"
    r = client.post(url)  # anonymous: login first
    assert r.status_code == 302 and "/accounts/" in r["Location"]
    assert Support.objects.count() == 0
    page = html(client.get(f"/phan-anh/{report.code}/"))
    assert "Đăng nhập để ủng hộ" in page
    b = login_as(Client(), world.citizen_b, mfa=False)
    assert "Ủng hộ — tôi cũng gặp vấn đề này" in html(b.get(f"/phan-anh/{report.code}/"))
    r = b.post(url)
    assert r.status_code == 302 and r["Location"] == f"/phan-anh/{report.code}/"
    report.refresh_from_db()
    assert report.support_count == 1
    assert "Bạn đã ủng hộ phản ánh này." in html(b.get(f"/phan-anh/{report.code}/"))
    again = b.post(url)
    assert again.status_code == 409 and "Bạn đã cùng phản ánh" in html(again)
    own = login_as(Client(), world.citizen, mfa=False).post(url)
    assert own.status_code == 409
    report.refresh_from_db()
    assert report.support_count == 1 and Support.objects.count() == 1
    assert b.get(url).status_code == 405


def test_public_pages_never_show_personal_data(world, client):
    contact = submit(world, reporter=None, contact={"name": "Trần Bí Mật", "phone": "0987654321",
                                                    "email": "bimat@example.vn"})
    anonymous = submit(world, reporter=world.citizen_b, is_anonymous=True, show_name=True)
    hidden = submit(world)
    for r in (contact, anonymous, hidden):
        services.report_add_note(report=r, actor=world.handler, body="GHI-CHU-NOI-BO-XYZ")
    pages = [html(client.get(INDEX))] + [html(client.get(f"/phan-anh/{r.code}/")) for r in (contact, anonymous, hidden)]
    pages.append(html(client.get("/phan-anh/gui/trung-lap/", {"category": world.category.code, "lat": LAT,
                                                               "long": LON})))
    pages.append(client.get(POINTS, {"bbox": "8.3,104.4,9.8,106.0"}).content.decode())
    text = "\n".join(pages)
    for secret in ("Trần Bí Mật", "0987654321", "bimat@example.vn", "GHI-CHU-NOI-BO-XYZ", world.citizen.phone,
                   world.citizen.email, world.citizen.full_name, world.citizen_b.full_name, world.citizen_b.phone,
                   world.citizen_b.email):
        assert secret not in text, secret


def test_nearby_fragment_and_attributes_fragment(world, client, report):
    r = client.get("/phan-anh/gui/trung-lap/", {"category": world.category.code, "lat": "9.181500", "long": LON})
    assert r.status_code == 200 and "Đã có phản ánh này?" in html(r) and report.code in html(r)
    far = client.get("/phan-anh/gui/trung-lap/", {"category": world.category.code, "lat": "9.190000", "long": LON})
    assert report.code not in html(far) and "Chưa có phản ánh cùng lĩnh vực" in html(far)
    assert html(client.get("/phan-anh/gui/trung-lap/", {"category": "x", "lat": "1", "long": "2"})).strip() == ""
    attrs = html(client.get("/phan-anh/gui/thong-tin-them/", {"category": world.category.code}))
    assert 'name="attr-hien_trang"' in attrs and "Ổ gà" in attrs
    assert html(client.get("/phan-anh/gui/thong-tin-them/", {"category": "khong-co"})).strip() == ""


def test_map_points_response_is_json_with_labels(world, client, report):
    data = json.loads(client.get(POINTS, {"bbox": "8.3,104.4,9.8,106.0"}).content)
    assert data["statuses"]["submitted"] == "Chờ tiếp nhận"
    assert data["categories"] == {world.category.code: world.category.name}
