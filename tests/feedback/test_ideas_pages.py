# ruff: noqa: F811 - pytest fixtures imported from test_ideas_fixtures are used as arguments
"""Pages of comments and ideas: public list / consultation / idea (empty states, privacy,
posting through the form with its one-time key, closing date), staff pages (scope, forms)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.feedback.test_ideas_fixtures import business, consultation, idea, make_consultation, post  # noqa: F401
from tests.matrix import login_as
from tinhso.feedback import services_ideas as svc
from tinhso.feedback.models import Consultation, Idea, IdeaSupport

pytestmark = pytest.mark.django_db


def _client(user=None, mfa=False):
    c = Client()
    if user is not None:
        login_as(c, user, mfa=mfa)
    return c


def test_list_empty_state(world):
    r = Client().get(reverse("ideas:list"))
    assert r.status_code == 200
    assert "Chưa có đợt lấy ý kiến nào." in r.content.decode()
    r = Client().get(reverse("ideas:list"), {"q": "không có", "status": "bogus", "agency": "x"})
    assert r.status_code == 200


def test_list_and_consultation_page(world, consultation, idea):
    draft = make_consultation(world, publish=False, title="Bản nháp bí mật")
    html = Client().get(reverse("ideas:list")).content.decode()
    assert consultation.title in html and draft.title not in html
    assert Client().get(reverse("ideas:consultation", args=[draft.public_id])).status_code == 404
    r = Client().get(reverse("ideas:consultation", args=[consultation.public_id]))
    html = r.content.decode()
    assert r.status_code == 200 and idea.title in html and "Đăng nhập để góp ý" in html
    assert Client().get(reverse("ideas:consultation", args=[consultation.public_id]), {"sort": "newest",
                                                                                         "page": "9"}).status_code == 200


def test_consultation_without_ideas(world, consultation):
    html = Client().get(reverse("ideas:consultation", args=[consultation.public_id])).content.decode()
    assert "Chưa có góp ý nào" in html


def test_privacy_no_contact_details(world, consultation):
    i = post(world, consultation)
    hidden_name = post(world, consultation, author=world.citizen_b, show_name=False, title="Ý kiến ẩn tên")
    for url in (reverse("ideas:consultation", args=[consultation.public_id]), reverse("ideas:idea", args=[i.public_id]),
                reverse("ideas:idea", args=[hidden_name.public_id])):
        html = Client().get(url).content.decode()
        for user in (world.citizen, world.citizen_b):
            assert user.email not in html and user.phone not in html
        assert world.citizen_b.full_name not in html
    assert world.citizen.full_name in Client().get(reverse("ideas:idea", args=[i.public_id])).content.decode()


def test_post_through_the_form_is_idempotent(world, consultation):
    c = _client(world.citizen)
    url = reverse("ideas:post", args=[consultation.public_id])
    form = c.get(reverse("ideas:consultation", args=[consultation.public_id])).content.decode()
    assert 'name="key"' in form
    data = {"title": "Thêm bãi giữ xe", "body": "Cần có bãi giữ xe cho người đi chợ.", "show_name": "on",
            "key": "abc123"}
    r1 = c.post(url, data)
    r2 = c.post(url, data)  # double click
    assert r1.status_code == r2.status_code == 302 and r1["Location"] == r2["Location"]
    assert Idea.objects.count() == 1


def test_post_errors_store_nothing(world, consultation):
    c = _client(world.citizen)
    url = reverse("ideas:post", args=[consultation.public_id])
    r = c.post(url, {"title": "", "body": "ngắn", "key": "k"})
    assert r.status_code == 422 and "Cần nhập tiêu đề góp ý." in r.content.decode()
    r = c.post(url, {"title": "Tiêu đề", "body": "ngắn", "key": "k"})
    assert r.status_code == 422 and "quá ngắn" in r.content.decode()
    assert Idea.objects.count() == 0
    # Anonymous: to the login page, nothing stored.
    r = Client().post(url, {"title": "Tiêu đề", "body": "Một nội dung đủ dài.", "key": "k"})
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    assert Idea.objects.count() == 0


def test_post_after_closing_date_refused(world):
    c = make_consultation(world)
    Consultation.objects.filter(pk=c.pk).update(opens_at=timezone.now() - timedelta(days=5),
                                                closes_at=timezone.now() - timedelta(minutes=1))
    r = _client(world.citizen).post(reverse("ideas:post", args=[c.public_id]),
                                    {"title": "Muộn", "body": "Gửi sau khi đã hết hạn góp ý.", "key": "late"})
    assert r.status_code == 409 and "đã kết thúc" in r.content.decode()
    assert Idea.objects.count() == 0


def test_support_and_withdraw_through_pages(world, idea, business):
    c = _client(business)
    url = reverse("ideas:support", args=[idea.public_id])
    assert c.post(url, {"action": "support"}).status_code == 302
    assert c.post(url, {"action": "support"}).status_code in (302, 303)
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    r = c.post(url, {"action": "unsupport"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Ủng hộ" in r.content.decode()
    assert IdeaSupport.objects.count() == 0
    assert Client().post(url, {"action": "support"}).status_code == 302 and IdeaSupport.objects.count() == 0
    # Withdraw: someone else → 404; the author → done.
    w = reverse("ideas:withdraw", args=[idea.public_id])
    assert c.post(w).status_code == 404
    assert _client(world.citizen).post(w).status_code == 302
    idea.refresh_from_db()
    assert idea.status == "withdrawn"
    assert Client().get(reverse("ideas:idea", args=[idea.public_id])).status_code == 404


def test_idea_page_with_answer_and_timeline(world, idea):
    svc.idea_answer(idea=idea, actor=world.handler, decision="accept", answer="Phường tiếp thu ý kiến.")
    svc.idea_progress(idea=idea, actor=world.handler, status="in_progress", progress=30, note="Đã lập dự toán.")
    html = Client().get(reverse("ideas:idea", args=[idea.public_id])).content.decode()
    assert "Phường tiếp thu ý kiến." in html and "Đã lập dự toán." in html and "30%" in html


def test_hidden_idea_page(world, idea):
    svc.idea_hide(idea=idea, actor=world.handler, reason="Xúc phạm")
    for url in (reverse("ideas:idea", args=[idea.public_id]), reverse("ideas:consultation",
                                                                      args=[idea.consultation.public_id])):
        html = Client().get(url).content.decode()
        assert "Nội dung đã bị ẩn" in html and idea.title not in html and idea.body[:30] not in html


def test_documents_public_download(world):
    from tests.feedback.test_ideas_fixtures import pdf

    c = make_consultation(world, publish=False, documents=[pdf()])
    doc = c.documents.get().file
    url = reverse("ideas:document", args=[c.public_id, doc.public_id])
    assert Client().get(url).status_code == 404  # draft
    svc.consultation_publish(actor=world.handler, consultation=c)
    r = Client().get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"


# --- staff -------------------------------------------------------------------------------------


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("citizen", 403), ("other_official", 404),
                                          ("superuser", 403), ("handler", 200)])
def test_staff_consultation_page_scope(world, consultation, who, expected):
    client = Client() if who == "anonymous" else _client(getattr(world, who), mfa=True)
    r = client.get(reverse("ideas_staff:consultation", args=[consultation.public_id]))
    assert r.status_code == expected


@pytest.mark.parametrize("who,expected", [("anonymous", 302), ("citizen", 403), ("other_official", 404),
                                          ("superuser", 403), ("handler", 302)])
def test_staff_answer_post_scope(world, idea, who, expected):
    client = Client() if who == "anonymous" else _client(getattr(world, who), mfa=True)
    r = client.post(reverse("ideas_staff:answer", args=[idea.public_id]), {"decision": "accept", "answer": "OK"})
    assert r.status_code == expected
    idea.refresh_from_db()
    assert (idea.status == "accepted") == (who == "handler")


def test_staff_pages_render_and_forms(world):
    c = _client(world.handler, mfa=True)
    for name in ("ideas_staff:list", "ideas_staff:ideas", "ideas_staff:create"):
        r = c.get(reverse(name))
        assert r.status_code == 200, name
    assert "chưa có đợt lấy ý kiến" in c.get(reverse("ideas_staff:list")).content.decode()
    now = timezone.localtime()
    data = {"agency": world.anxuyen_pc.pk, "title": "Lấy ý kiến về bến xe", "summary": "Tóm tắt",
            "body": "Nội dung dự thảo", "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"), "commune": ""}
    bad = c.post(reverse("ideas_staff:create"), {**data, "closes_at": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")})
    assert bad.status_code == 422 and Consultation.objects.count() == 0
    r = c.post(reverse("ideas_staff:create"), data)
    assert r.status_code == 302
    cons = Consultation.objects.get()
    assert c.get(reverse("ideas_staff:edit", args=[cons.public_id])).status_code == 200
    assert c.post(reverse("ideas_staff:act", args=[cons.public_id, "publish"])).status_code == 302
    cons.refresh_from_db()
    assert cons.status == "open"
    i = post(world, cons)
    page = c.get(reverse("ideas_staff:idea", args=[i.public_id])).content.decode()
    assert "Gửi trả lời" in page and "Ẩn nội dung" in page
    r = c.post(reverse("ideas_staff:answer", args=[i.public_id]), {"decision": "reject", "answer": ""})
    assert r.status_code == 422 and "Cần nêu lý do không tiếp thu" in r.content.decode()
    r = c.post(reverse("ideas_staff:answer", args=[i.public_id]), {"decision": "accept", "answer": "Tiếp thu"})
    assert r.status_code == 302
    r = c.post(reverse("ideas_staff:progress", args=[i.public_id]), {"status": "in_progress", "progress": "150",
                                                                       "note": "x"})
    assert r.status_code == 422
    r = c.post(reverse("ideas_staff:progress", args=[i.public_id]), {"status": "in_progress", "progress": "20",
                                                                       "note": "Đã khởi công."})
    assert r.status_code == 302
    r = c.post(reverse("ideas_staff:hide", args=[i.public_id]), {"reason": ""})
    assert r.status_code == 422
    assert c.post(reverse("ideas_staff:hide", args=[i.public_id]), {"reason": "Spam"}).status_code == 302
    assert c.post(reverse("ideas_staff:act", args=[cons.public_id, "close"])).status_code == 302
    r = c.post(reverse("ideas_staff:act", args=[cons.public_id, "summarize"]), {"summary": "Kết quả: 1 ý kiến."})
    cons.refresh_from_db()
    assert r.status_code == 302 and cons.status == "answered"
    html = c.get(reverse("ideas_staff:consultation", args=[cons.public_id])).content.decode()
    assert "Kết quả: 1 ý kiến." in html
