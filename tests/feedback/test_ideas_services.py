# ruff: noqa: F811 - pytest fixtures imported from test_ideas_fixtures are used as arguments
"""Comments and ideas: lifecycle of consultations and idea answers, supports, withdrawal,
moderation, closing-date enforcement, idempotent posting, validation (nothing stored)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.feedback.test_ideas_fixtures import business, consultation, idea, make_consultation, pdf, png, post  # noqa: F401
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, DomainError, NotAllowed, NotFound, ValidationFailed
from tinhso.feedback import selectors_ideas as sel
from tinhso.feedback import services_ideas as svc
from tinhso.feedback.models import Consultation, Idea, IdeaSupport, ImplementationUpdate
from tinhso.notify.models import Notification

pytestmark = pytest.mark.django_db


def _actions(obj):
    return list(AuditEvent.objects.filter(object_id=str(obj.pk)).values_list("action", flat=True))


def test_consultation_lifecycle(world):
    c = make_consultation(world, publish=False, documents=[pdf()])
    assert c.status == "draft" and c.documents.count() == 1
    assert sel.public_consultations().total == 0  # drafts are not public
    svc.consultation_update(actor=world.handler, consultation=c, title="Dự thảo sửa đổi")
    svc.consultation_publish(actor=world.handler, consultation=c)
    c.refresh_from_db()
    assert c.status == "open" and c.published_at
    with pytest.raises(Conflict):
        svc.consultation_update(actor=world.handler, consultation=c, title="Không sửa được")
    with pytest.raises(ValidationFailed):  # the summary only after closing
        svc.consultation_summarize(actor=world.handler, consultation=c, summary="")
    with pytest.raises(Conflict):
        svc.consultation_summarize(actor=world.handler, consultation=c, summary="Tổng hợp")
    svc.consultation_close(actor=world.handler, consultation=c)
    svc.consultation_summarize(actor=world.handler, consultation=c, summary="Nhận 0 ý kiến.")
    c.refresh_from_db()
    assert c.status == "answered" and c.result_summary == "Nhận 0 ý kiến." and c.answered_at
    assert {"consultation.create", "consultation.update", "consultation.publish", "consultation.close",
            "consultation.summarize"} <= set(_actions(c))


def test_create_validation_stores_nothing(world):
    now = timezone.now()
    base = {"actor": world.handler, "agency": world.anxuyen_pc, "title": "T", "summary": "S", "body": "B",
            "opens_at": now, "closes_at": now + timedelta(days=3)}
    for bad, code in [({"title": ""}, "required"), ({"title": "x" * 201}, "too_long"),
                      ({"closes_at": now - timedelta(days=1)}, "invalid_dates"), ({"commune": "99999"}, "invalid_commune")]:
        with pytest.raises(ValidationFailed) as exc:
            svc.consultation_create(**{**base, **bad})
        assert exc.value.code == code
    with pytest.raises(DomainError):  # a PNG is not a document
        svc.consultation_create(**base, documents=[png()])
    with pytest.raises(NotAllowed):
        svc.consultation_create(**{**base, "actor": world.other_official})
    assert Consultation.objects.count() == 0


def test_publish_with_past_closing_date_is_refused(world):
    c = make_consultation(world, publish=False)
    with pytest.raises(ValidationFailed):
        svc.consultation_publish(actor=world.handler, consultation=c, now=timezone.now() + timedelta(days=31))


def test_idea_post_notifies_officials_and_counts(world, consultation):
    i = post(world, consultation)
    consultation.refresh_from_db()
    assert i.status == "published" and consultation.idea_count == 1
    assert Notification.objects.filter(event="idea.new", recipient=world.handler).exists()
    assert "idea.post" in _actions(i)


def test_idea_validation(world, consultation):
    for kw, code in [({"title": ""}, "required"), ({"body": "ngắn"}, "too_short"), ({"body": "x" * 3001}, "too_long"),
                     ({"title": "t" * 151}, "too_long")]:
        with pytest.raises(ValidationFailed) as exc:
            post(world, consultation, **kw)
        assert exc.value.code == code
    with pytest.raises(DomainError):  # a PDF is not an image
        post(world, consultation, image=pdf())
    assert Idea.objects.count() == 0
    ok = post(world, consultation, image=png())
    assert ok.image is not None


def test_posting_after_closing_date_is_refused(world, consultation):
    later = consultation.closes_at + timedelta(seconds=1)
    with pytest.raises(Conflict) as exc:
        post(world, consultation, now=later)
    assert exc.value.code == "consultation_closed"
    svc.consultation_close(actor=world.handler, consultation=consultation)
    with pytest.raises(Conflict):
        post(world, consultation)
    assert Idea.objects.count() == 0


def test_posting_before_opening_is_refused(world):
    c = make_consultation(world, opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(Conflict) as exc:
        post(world, c)
    assert exc.value.code == "not_yet_open"


def test_closing_due_consultations(world, consultation):
    assert svc.consultations_close_due(now=timezone.now()) == 0
    assert svc.consultations_close_due(now=consultation.closes_at + timedelta(minutes=1)) == 1
    consultation.refresh_from_db()
    assert consultation.status == "closed"
    assert svc.consultations_close_due(now=consultation.closes_at + timedelta(minutes=2)) == 0


def test_idempotent_posting(world, consultation):
    a = post(world, consultation, idempotency_key="k1")
    b = post(world, consultation, idempotency_key="k1")
    assert a.pk == b.pk and Idea.objects.count() == 1
    with pytest.raises(ValidationFailed) as exc:
        post(world, consultation, idempotency_key="k1", title="Khác hẳn")
    assert exc.value.code == "idempotency_conflict"
    # Another person may use the same key.
    post(world, consultation, author=world.citizen_b, idempotency_key="k1")
    assert Idea.objects.count() == 2


def test_support_once_and_withdraw_support(world, idea, business):
    svc.idea_support(idea=idea, user=world.citizen_b)
    with pytest.raises(Conflict) as exc:
        svc.idea_support(idea=idea, user=world.citizen_b)
    assert exc.value.code == "already_supported"
    svc.idea_support(idea=idea, user=business)
    idea.refresh_from_db()
    assert idea.support_count == 2 == IdeaSupport.objects.filter(idea=idea).count()
    with pytest.raises(Conflict):
        svc.idea_support(idea=idea, user=world.citizen)  # own idea
    svc.idea_unsupport(idea=idea, user=world.citizen_b)
    idea.refresh_from_db()
    assert idea.support_count == 1
    with pytest.raises(Conflict):
        svc.idea_unsupport(idea=idea, user=world.citizen_b)
    with pytest.raises(NotAllowed):
        svc.idea_support(idea=idea, user=world.handler)  # officials answer, they do not vote
    assert {"idea.support", "idea.unsupport"} <= set(_actions(idea))


def test_withdraw_before_answer_only(world, consultation):
    a = post(world, consultation)
    with pytest.raises(NotFound):
        svc.idea_withdraw(idea=a, actor=world.citizen_b)
    svc.idea_withdraw(idea=a, actor=world.citizen)
    consultation.refresh_from_db()
    assert a.status == "withdrawn" and consultation.idea_count == 0
    assert sel.public_ideas(consultation_public_id=consultation.public_id).total == 0
    b = post(world, consultation, title="Ý kiến thứ hai")
    svc.idea_answer(idea=b, actor=world.handler, decision="evaluate")
    with pytest.raises(Conflict):
        svc.idea_withdraw(idea=b, actor=world.citizen)


def test_answer_machine(world, consultation):
    a = post(world, consultation)
    svc.idea_answer(idea=a, actor=world.handler, decision="evaluate", answer="Đang lấy ý kiến các phòng.")
    assert a.status == "evaluating"
    with pytest.raises(ValidationFailed):
        svc.idea_answer(idea=a, actor=world.handler, decision="reject", answer="")
    svc.idea_answer(idea=a, actor=world.handler, decision="accept", answer="Tiếp thu, sẽ mở rộng chợ cũ.")
    a.refresh_from_db()
    assert a.status == "accepted" and a.implementation_status == "planned" and a.answered_by == world.handler
    with pytest.raises(Conflict):
        svc.idea_answer(idea=a, actor=world.handler, decision="reject", answer="Đổi ý")
    b = post(world, consultation, title="Dời chợ ra ngoài")
    svc.idea_answer(idea=b, actor=world.handler, decision="reject", answer="Không phù hợp quy hoạch.")
    assert b.status == "rejected"
    assert Notification.objects.filter(event="idea.answered", recipient=world.citizen).count() >= 3
    assert {"idea.evaluate", "idea.accept"} <= set(_actions(a))
    with pytest.raises(ValidationFailed):
        svc.idea_answer(idea=b, actor=world.handler, decision="bogus")


def test_implementation_timeline(world, idea):
    with pytest.raises(Conflict):
        svc.idea_progress(idea=idea, actor=world.handler, status="in_progress", progress=10, note="Bắt đầu")
    svc.idea_answer(idea=idea, actor=world.handler, decision="accept", answer="Tiếp thu.")
    svc.idea_progress(idea=idea, actor=world.handler, status="in_progress", progress=40, note="Đã khảo sát.")
    for bad in (101, -1, "50", True):
        with pytest.raises(ValidationFailed):
            svc.idea_progress(idea=idea, actor=world.handler, status="in_progress", progress=bad, note="x")
    with pytest.raises(ValidationFailed):
        svc.idea_progress(idea=idea, actor=world.handler, status="in_progress", progress=50, note="")
    svc.idea_progress(idea=idea, actor=world.handler, status="done", progress=70, note="Hoàn thành mái che.")
    idea.refresh_from_db()
    assert idea.progress == 100 and idea.implementation_status == "done"
    assert ImplementationUpdate.objects.filter(idea=idea).count() == 2
    detail = sel.public_idea_get(public_id=idea.public_id)
    assert [u.progress for u in detail.updates] == [40, 100]
    assert Notification.objects.filter(event="idea.progress", recipient=world.citizen, channel="in_app").count() == 2


def test_moderation(world, consultation):
    a = post(world, consultation, title="Nội dung xúc phạm", body="Những lời lẽ thô tục không phù hợp ở đây.")
    with pytest.raises(ValidationFailed):
        svc.idea_hide(idea=a, actor=world.handler, reason="")
    svc.idea_hide(idea=a, actor=world.handler, reason="Ngôn từ xúc phạm")
    consultation.refresh_from_db()
    assert consultation.idea_count == 0
    page = sel.public_ideas(consultation_public_id=consultation.public_id)
    assert page.total == 1
    item = page.items[0]
    assert item.is_hidden and item.title == "" and item.body == "" and item.author_name == ""
    with pytest.raises(Conflict):
        svc.idea_hide(idea=a, actor=world.handler, reason="lần hai")
    with pytest.raises(Conflict):
        svc.idea_support(idea=a, user=world.citizen_b)
    assert "idea.hide" in _actions(a)
    assert Notification.objects.filter(event="idea.hidden", recipient=world.citizen).exists()
    svc.idea_unhide(idea=a, actor=world.handler)
    consultation.refresh_from_db()
    assert consultation.idea_count == 1 and "idea.unhide" in _actions(a)


def test_public_lists_order_and_filters(world):
    open_c = make_consultation(world, title="Đang mở lấy ý kiến về đèn đường")
    closed = make_consultation(world, title="Đã đóng về cây xanh")
    svc.consultation_close(actor=world.handler, consultation=closed)
    other = make_consultation(world, actor=world.other_official, agency=world.tanthanh_pc, title="Tân Thành")
    page = sel.public_consultations()
    assert page.total == 3 and page.items[-1].public_id == closed.public_id
    assert page.items[0].phase == "accepting"
    assert [c.public_id for c in sel.public_consultations(q="den duong").items] == [open_c.public_id]
    assert [c.public_id for c in sel.public_consultations(agency=world.tanthanh_pc.pk).items] == [other.public_id]
    assert [c.public_id for c in sel.public_consultations(status="closed").items] == [closed.public_id]
    with pytest.raises(ValidationFailed):
        sel.public_consultations(status="draft")


def test_idea_sorting(world, consultation, business):
    a = post(world, consultation, title="Ý kiến A")
    b = post(world, consultation, author=world.citizen_b, title="Ý kiến B")
    svc.idea_support(idea=a, user=business)
    ids = [i.public_id for i in sel.public_ideas(consultation_public_id=consultation.public_id).items]
    assert ids == [a.public_id, b.public_id]
    ids = [i.public_id for i in sel.public_ideas(consultation_public_id=consultation.public_id, sort="newest").items]
    assert ids == [b.public_id, a.public_id]
