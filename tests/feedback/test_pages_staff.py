"""The officials' field-report pages: queues (tabs, counts, filters, search, pagination, bulk
assignment), the report page and its actions (each one core service call; bad input and
conflicts change nothing), internal notes, the reporter's contact, answer templates."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import UserFactory
from tests.feedback.conftest import submit
from tests.files.samples import png
from tests.matrix import login_as, snapshot
from tinhso.core.errors import Conflict
from tinhso.feedback import services
from tinhso.feedback.models import Answer, Note, Report, ResponseTemplate, Status
from tinhso.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

QUEUE = "/staff/phan-anh/"
TEMPLATES = "/staff/phan-anh/mau-tra-loi/"


def detail_url(report) -> str:
    return f"/staff/phan-anh/{report.public_id}/"


def act_url(report, action: str) -> str:
    return f"/staff/phan-anh/{report.public_id}/thao-tac/{action}/"


def client_for(user, *, csrf: bool = False) -> Client:
    return login_as(Client(enforce_csrf_checks=csrf), user)


def text(response) -> str:
    return response.content.decode()


def state():
    return snapshot(Report, Answer, Note, TransitionLog, ResponseTemplate)()


# --- access ------------------------------------------------------------------------------------


def test_permission_matrix_of_every_page(world, report):
    world.citizen.phone = "0912000111"
    anonymous = Client()
    pages = [QUEUE, detail_url(report), TEMPLATES, f"{TEMPLATES}them/",
             f"/staff/phan-anh/{report.public_id}/tim-phan-anh-goc/?code=PA-1"]
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
        assert client_for(world.citizen).get(url).status_code == 403, url
    expected = {"handler": 200, "clerk": 200, "leader": 200, "other_official": 404, "province_leader": 404,
                "dept_official": 404, "superuser": 403}
    for name, status in expected.items():
        assert client_for(getattr(world, name)).get(detail_url(report)).status_code == status, name
    # Queue: officials of any agency get their own queue; a superuser is sent to the statistics.
    assert client_for(world.other_official).get(QUEUE).status_code == 200
    response = client_for(world.superuser).get(QUEUE)
    assert response.status_code == 302 and response["Location"].endswith("/staff/phan-anh/thong-ke/")
    # Templates: report handlers and leaders; a one-stop clerk does not manage them.
    assert client_for(world.handler).get(TEMPLATES).status_code == 200
    assert client_for(world.leader).get(TEMPLATES).status_code == 200
    assert client_for(world.clerk).get(TEMPLATES).status_code == 403


@pytest.mark.parametrize("action", ["assign", "start", "answer", "resolve", "reassign", "refuse", "note"])
def test_every_action_is_denied_outside_the_scope_and_changes_nothing(world, report, action):
    data = {"body": "Nội dung", "reason": "spam", "note": "x", "agency": str(world.department.public_id),
            "assignee": str(world.handler.public_id)}
    before = state()
    assert Client().post(act_url(report, action), data).status_code == 302  # to the login page
    assert client_for(world.citizen).post(act_url(report, action), data).status_code == 403
    assert client_for(world.other_official).post(act_url(report, action), data).status_code == 404
    assert client_for(world.superuser).post(act_url(report, action), data).status_code == 403
    assert state() == before


def test_post_needs_the_csrf_token(world, report):
    client = client_for(world.handler, csrf=True)
    before = state()
    response = client.post(act_url(report, "assign"), {"assignee": str(world.handler.public_id)})
    assert response.status_code == 403
    assert client.post(f"{QUEUE}phan-cong/", {"reports": [str(report.public_id)]}).status_code == 403
    assert client.post(TEMPLATES + "them/", {"title": "T", "body": "B"}).status_code == 403
    assert state() == before


def test_get_is_refused_on_actions(world, report):
    assert client_for(world.handler).get(act_url(report, "assign")).status_code == 405


def test_unknown_action_is_404(world, report):
    assert client_for(world.handler).post(act_url(report, "delete")).status_code == 404


# --- queues ------------------------------------------------------------------------------------


def test_queue_tabs_counts_and_scope(world):
    mine = submit(world)
    other = submit(world, commune="32025", description="Đèn đường hỏng ở Tân Thành.")
    html = text(client_for(world.handler).get(QUEUE, {"queue": "to_assign"}))
    assert mine.code in html and other.code not in html
    assert 'data-queue="to_assign">1<' in html and 'data-queue="mine">0<' in html
    html = text(client_for(world.other_official).get(QUEUE, {"queue": "to_assign"}))
    assert other.code in html and mine.code not in html
    services.report_assign(report=mine, actor=world.handler)
    html = text(client_for(world.handler).get(QUEUE))  # the first tab with work: "mine"
    assert 'aria-current="page">Việc của tôi' in html and mine.code in html


def test_queue_search_ignores_diacritics_and_filters(world):
    pothole = submit(world)  # "Ổ gà lớn giữa đường Trần Hưng Đạo."
    light = submit(world, category=world.other_category, attributes={}, description="Đèn chiếu sáng bị tắt.")
    client = client_for(world.handler)
    html = text(client.get(QUEUE, {"queue": "to_assign", "q": "tran hung dao"}))
    assert pothole.code in html and light.code not in html
    html = text(client.get(QUEUE, {"queue": "to_assign", "q": light.code}))
    assert light.code in html and pothole.code not in html
    html = text(client.get(QUEUE, {"queue": "to_assign", "category": "chieu-sang"}))
    assert light.code in html and pothole.code not in html
    html = text(client.get(QUEUE, {"queue": "to_assign", "commune": "32025"}))
    assert "Không có phản ánh nào khớp bộ lọc." in html
    html = text(client.get(QUEUE, {"queue": "to_assign", "status": "assigned"}))
    assert pothole.code not in html
    html = text(client.get(QUEUE, {"queue": "to_assign", "from": "2000-01-01", "to": "2000-01-02"}))
    assert pothole.code not in html and light.code not in html


def test_queue_bad_dates_are_400_with_a_message(world, report):
    response = client_for(world.handler).get(QUEUE, {"queue": "to_assign", "from": "2026-13-45"})
    assert response.status_code == 400 and "Ngày lọc không hợp lệ" in text(response)
    response = client_for(world.handler).get(QUEUE, {"from": "2026-05-02", "to": "2026-05-01"})
    assert response.status_code == 400 and "Ngày bắt đầu phải trước ngày kết thúc" in text(response)


def test_queue_pagination(world, monkeypatch):
    from tinhso.feedback import views_staff

    monkeypatch.setattr(views_staff, "PAGE_SIZE", 2)
    reports = [submit(world, description=f"Ổ gà số {i}.") for i in range(3)]
    client = client_for(world.handler)
    first = text(client.get(QUEUE, {"queue": "to_assign"}))
    second = text(client.get(QUEUE, {"queue": "to_assign", "page": 2}))
    assert "Trang 1 / 2" in first and 'rel="next"' in first
    shown = [r.code for r in reports if r.code in first] + [r.code for r in reports if r.code in second]
    assert sorted(shown) == sorted(r.code for r in reports)


def test_bulk_assignment_reports_each_failure(world):
    a, b = submit(world), submit(world)
    outside = submit(world, commune="32025")
    client = client_for(world.handler)
    response = client.post(f"{QUEUE}phan-cong/", {
        "reports": [str(a.public_id), str(b.public_id), str(outside.public_id)],
        "assignee": str(world.clerk.public_id), "next": QUEUE + "?queue=to_assign"}, follow=True)
    html = text(response)
    assert "Đã phân công 2 phản ánh" in html and "Không tìm thấy phản ánh." in html
    for r in (a, b):
        r.refresh_from_db()
        assert r.assignee == world.clerk and r.status == Status.ASSIGNED
    outside.refresh_from_db()
    assert outside.assignee is None and outside.status == Status.SUBMITTED


def test_bulk_assignment_bad_input_changes_nothing(world, report):
    client = client_for(world.handler)
    before = state()
    html = text(client.post(f"{QUEUE}phan-cong/", {"assignee": str(world.clerk.public_id)}, follow=True))
    assert "Hãy chọn ít nhất một phản ánh." in html
    html = text(client.post(f"{QUEUE}phan-cong/", {"reports": [str(report.public_id)], "assignee": "x"}, follow=True))
    assert "Hãy chọn cán bộ được phân công." in html
    # An official of another agency cannot be given the report: the core says why.
    html = text(client.post(f"{QUEUE}phan-cong/", {"reports": [str(report.public_id)],
                                                   "assignee": str(world.other_official.public_id)}, follow=True))
    assert "không thuộc cơ quan xử lý" in html
    assert state() == before


# --- the report page and its actions -----------------------------------------------------------


def test_detail_shows_facts_history_reporter_and_actions(world, report):
    world.citizen.phone = "0912000111"
    world.citizen.save()
    html = text(client_for(world.handler).get(detail_url(report)))
    assert report.code in html and "Trần Hưng Đạo" in html and "0912000111" in html
    assert "<dt>Hiện trạng</dt><dd>Ổ gà</dd>" in html  # attribute labels, not codes
    assert 'id="form-assign"' in html and 'id="form-refuse"' in html and 'id="form-reassign"' in html
    assert 'id="form-resolve"' not in html  # not assigned yet
    assert 'id="fb-map"' in html and "leaflet/leaflet.js" in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html


def test_anonymous_reporter_contact_is_hidden(world):
    world.citizen.phone = "0912000111"
    world.citizen.save()
    report = submit(world, is_anonymous=True)
    html = text(client_for(world.handler).get(detail_url(report)))
    assert "Người phản ánh ẩn danh" in html and "0912000111" not in html


def test_assign_start_answer_resolve_happy_path(world, report):
    client = client_for(world.handler)
    response = client.post(act_url(report, "assign"), {"assignee": str(world.clerk.public_id), "note": "Anh xử lý."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.assignee == world.clerk
    assert client.post(act_url(report, "start")).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    photo = SimpleUploadedFile("anh.png", png(), content_type="image/png")
    assert client.post(act_url(report, "answer"), {"body": "Đã cử người kiểm tra.", "photo": photo}).status_code == 302
    answer = Answer.objects.get(report=report)
    assert answer.photo is not None and not answer.is_resolution
    response = client.post(act_url(report, "resolve"), {"body": "Đã vá ổ gà."}, follow=True)
    assert "Đã hoàn thành xử lý phản ánh" in text(response)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and report.answers.filter(is_resolution=True).count() == 1
    html = text(client.get(detail_url(report)))
    assert "Đã vá ổ gà." in html and "Bắt đầu xử lý" in html  # history


def test_assign_to_an_official_of_another_agency_is_refused(world, report):
    before = state()
    response = client_for(world.handler).post(act_url(report, "assign"),
                                              {"assignee": str(world.other_official.public_id)})
    assert response.status_code == 422 and "Hãy chọn cán bộ xử lý" in text(response)
    assert state() == before


def test_resolve_needs_a_public_answer(world, report):
    services.report_assign(report=report, actor=world.handler)
    before = state()
    response = client_for(world.handler).post(act_url(report, "resolve"), {"body": "   "})
    assert response.status_code == 422 and "Cần nhập nội dung trả lời công khai." in text(response)
    assert state() == before


def test_answer_with_a_non_image_photo_stores_nothing(world, report):
    services.report_assign(report=report, actor=world.handler)
    before = state()
    bad = SimpleUploadedFile("anh.png", b"not an image at all", content_type="image/png")
    response = client_for(world.handler).post(act_url(report, "answer"), {"body": "Trả lời.", "photo": bad})
    assert 400 <= response.status_code < 500
    assert state() == before


def test_reassign_happy_path_and_bad_input(world, report):
    client = client_for(world.handler)
    before = state()
    response = client.post(act_url(report, "reassign"), {"agency": str(world.department.public_id), "reason": ""})
    assert response.status_code == 422 and "Cần nêu lý do chuyển." in text(response)
    response = client.post(act_url(report, "reassign"), {"agency": "nope", "reason": "Thuộc Sở."})
    assert response.status_code == 422 and "Hãy chọn cơ quan nhận phản ánh." in text(response)
    assert state() == before
    response = client.post(act_url(report, "reassign"), {"agency": str(world.department.public_id),
                                                          "reason": "Sạt lở bờ sông thuộc Sở."})
    assert response.status_code == 302
    assert response["Location"] == "/staff/phan-anh/"  # back to the queue, not to a page now closed to them
    report.refresh_from_db()
    assert report.agency == world.department
    # Now it is not theirs any more.
    assert client.get(detail_url(report)).status_code == 404


def test_refuse_spam_and_not_competent_without_note(world, report):
    client = client_for(world.handler)
    before = state()
    response = client.post(act_url(report, "refuse"), {"reason": "not_competent", "note": ""})
    assert response.status_code == 422 and "Cần nêu cơ quan có thẩm quyền" in text(response)
    response = client.post(act_url(report, "refuse"), {"reason": "whatever"})
    assert response.status_code == 422 and "Lý do từ chối không hợp lệ." in text(response)
    assert state() == before
    assert client.post(act_url(report, "refuse"), {"reason": "spam"}).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.REFUSED and not report.is_public


def test_refuse_as_duplicate_links_to_the_original_found_by_code(world, report):
    copy = submit(world, reporter=world.citizen_b, description="Ổ gà Trần Hưng Đạo lần nữa.")
    client = client_for(world.handler)
    html = text(client.get(f"/staff/phan-anh/{copy.public_id}/tim-phan-anh-goc/", {"duplicate_code": report.code}))
    assert f'data-pick-code="{report.code}"' in html and f'data-pick-code="{copy.code}"' not in html
    before = state()
    response = client.post(act_url(copy, "refuse"), {"reason": "duplicate", "duplicate_code": "PA-000000-9999"})
    assert response.status_code == 422 and "Không tìm thấy phản ánh gốc" in text(response)
    response = client.post(act_url(copy, "refuse"), {"reason": "duplicate"})
    assert response.status_code == 422 and "Cần chọn phản ánh gốc bị trùng." in text(response)
    assert state() == before
    assert client.post(act_url(copy, "refuse"), {"reason": "duplicate", "duplicate_code": report.code}).status_code == 302
    copy.refresh_from_db()
    report.refresh_from_db()
    assert copy.duplicate_of == report and report.support_count == 1


def test_internal_note(world, report):
    client = client_for(world.handler)
    before = state()
    response = client.post(act_url(report, "note"), {"body": ""})
    assert response.status_code == 422 and "Cần nhập nội dung ghi chú." in text(response)
    assert state() == before
    assert client.post(act_url(report, "note"), {"body": "Gọi điện cho người dân lúc 9 giờ."}).status_code == 302
    assert Note.objects.get(report=report).author == world.handler
    assert "Gọi điện cho người dân" in text(client_for(world.leader).get(detail_url(report)))


def test_a_real_conflict_is_a_friendly_409(world, report):
    services.report_assign(report=report, actor=world.handler)
    services.report_start(report=report, actor=world.clerk)  # a colleague was quicker
    before = state()
    response = client_for(world.handler).post(act_url(report, "start"))
    assert response.status_code == 409
    html = text(response)
    assert "vừa được cán bộ khác cập nhật" in html and "Đang xử lý" in html
    assert state() == before


def test_a_simulated_conflict_from_the_core_is_a_friendly_409(world, report, monkeypatch):
    def busy(**kwargs):
        raise Conflict("Phản ánh đang được cán bộ khác xử lý.", code="conflict")

    monkeypatch.setattr(services, "report_assign", busy)
    response = client_for(world.handler).post(act_url(report, "assign"), {"assignee": str(world.handler.public_id)})
    assert response.status_code == 409
    assert "vừa được cán bộ khác cập nhật" in text(response) and "Phản ánh đang được cán bộ khác xử lý." in text(response)


# --- answer templates --------------------------------------------------------------------------


def test_templates_crud_and_scope(world, report):
    client = client_for(world.handler)
    before = state()
    response = client.post(TEMPLATES + "them/", {"agency": str(world.anxuyen_pc.public_id), "title": "", "body": "x"})
    assert response.status_code == 422 and "Cần nhập tiêu đề." in text(response)
    response = client.post(TEMPLATES + "them/", {"agency": str(world.tanthanh_pc.public_id), "title": "T",
                                                 "body": "B"})
    assert response.status_code == 422 and "Hãy chọn cơ quan" in text(response)
    assert state() == before
    response = client.post(TEMPLATES + "them/", {"agency": str(world.anxuyen_pc.public_id), "title": "Đã tiếp nhận",
                                                 "body": "UBND phường đã tiếp nhận và sẽ xử lý.",
                                                 "category": world.category.code})
    assert response.status_code == 302
    template = ResponseTemplate.objects.get(title="Đã tiếp nhận")
    assert template.agency == world.anxuyen_pc and template.category == world.category
    # Another agency's official neither sees nor edits it.
    other = client_for(world.other_official)
    assert "Đã tiếp nhận" not in text(other.get(TEMPLATES))
    assert other.get(f"{TEMPLATES}{template.pk}/sua/").status_code == 404
    assert other.post(f"{TEMPLATES}{template.pk}/xoa/").status_code == 404
    # Edit, then use it on a report (prefill without JavaScript), then delete.
    response = client.post(f"{TEMPLATES}{template.pk}/sua/", {"title": "Đã tiếp nhận (sửa)", "body": "Nội dung mới.",
                                                              "is_active": "1"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.title == "Đã tiếp nhận (sửa)" and template.is_active
    services.report_assign(report=report, actor=world.handler)
    html = text(client.get(detail_url(report), {"mau": template.pk}))
    assert "Nội dung mới.</textarea>" in html
    assert client.post(f"{TEMPLATES}{template.pk}/xoa/").status_code == 302
    assert not ResponseTemplate.objects.filter(pk=template.pk).exists()


def test_shared_templates_are_read_only_here(world):
    shared = services.response_template_create(actor=None, title="Mẫu chung", body="Cảm ơn bạn.")
    client = client_for(world.handler)
    assert "Mẫu chung" in text(client.get(TEMPLATES))
    assert client.get(f"{TEMPLATES}{shared.pk}/sua/").status_code == 404
    assert client.post(f"{TEMPLATES}{shared.pk}/xoa/").status_code == 404
    assert ResponseTemplate.objects.filter(pk=shared.pk).exists()


def test_new_official_without_memberships_is_403(world):
    nobody = UserFactory()
    assert client_for(nobody).get(QUEUE).status_code == 403
