"""Concurrent writes on ideas (PostgreSQL: real row locks; skipped on SQLite): a double click on
"support" counts once, two officials answering at once → one wins, the other gets 409, a
double-submitted form (same one-time key) gives one idea."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tests.feedback.test_concurrency import _race
from tinhso.core.errors import Conflict
from tinhso.feedback import services_ideas as svc
from tinhso.feedback.models import Idea, IdeaSupport

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def _setup():
    agency = AgencyFactory()
    a = MembershipFactory(agency=agency, role=role("leader")).user
    b = MembershipFactory(agency=agency, role=role("specialist")).user
    now = timezone.now()
    c = svc.consultation_create(actor=a, agency=agency, title="Lấy ý kiến", summary="Tóm tắt", body="Nội dung",
                                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=5))
    svc.consultation_publish(actor=a, consultation=c)
    return a, b, c


@pytest.mark.django_db(transaction=True)
def test_double_support_counts_once():
    _a, _b, c = _setup()
    author, fan = UserFactory(), UserFactory()
    idea = svc.idea_post(author=author, consultation=c, title="Ý kiến", body="Nội dung đủ dài để gửi.")
    out = _race([lambda: svc.idea_support(idea=Idea.objects.get(pk=idea.pk), user=fan)] * 2)
    assert sorted(o == "ok" for o in out) == [False, True]
    assert isinstance(next(o for o in out if o != "ok"), Conflict)
    idea.refresh_from_db()
    assert idea.support_count == 1 == IdeaSupport.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_officials_answer_at_once():
    a, b, c = _setup()
    idea = svc.idea_post(author=UserFactory(), consultation=c, title="Ý kiến", body="Nội dung đủ dài để gửi.")
    out = _race([
        lambda: svc.idea_answer(idea=Idea.objects.get(pk=idea.pk), actor=a, decision="accept", answer="Tiếp thu."),
        lambda: svc.idea_answer(idea=Idea.objects.get(pk=idea.pk), actor=b, decision="reject", answer="Không."),
    ])
    assert out.count("ok") == 1 and any(isinstance(o, Conflict) for o in out)


@pytest.mark.django_db(transaction=True)
def test_double_submitted_form_gives_one_idea():
    _a, _b, c = _setup()
    author = UserFactory()
    out = _race([lambda: svc.idea_post(author=author, consultation=c, title="Ý kiến", body="Nội dung đủ dài để gửi.",
                                       idempotency_key="one-time")] * 2)
    assert out == ["ok", "ok"] and Idea.objects.count() == 1
