# ruff: noqa: F811 - pytest fixtures imported from test_ideas_fixtures are used as arguments
"""Permission matrix of comments and ideas over the services: the author (citizen), another
citizen, a business, anonymous, an official of the owning agency, an official of another agency,
a superuser (no implicit scope). A denial changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.feedback.test_ideas_fixtures import business, make_consultation, post  # noqa: F401
from tests.matrix import service_status, snapshot
from tinhso.core.errors import DomainError
from tinhso.feedback import selectors_ideas as sel
from tinhso.feedback import services_ideas as svc
from tinhso.feedback.models import Consultation, Idea, IdeaSupport, ImplementationUpdate
from tinhso.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

ACTORS = ("citizen", "citizen_b", "business", "anonymous", "handler", "other_official", "superuser")


def _actor(world, business, name):
    if name == "anonymous":
        return AnonymousUser()
    if name == "business":
        return business
    return getattr(world, name)


def _check(world, business, call, expected, *, prepare=None, publish=True):
    failures = []
    unchanged = snapshot(Consultation, Idea, IdeaSupport, ImplementationUpdate, TransitionLog)
    for name in ACTORS:
        c = make_consultation(world, publish=publish, title=f"Đợt {name}")
        i = post(world, c) if publish else None
        if prepare:
            prepare(world, c, i)
        before = unchanged()
        status = service_status(lambda c=c, i=i, n=name: call(world, c, i, _actor(world, business, n)))
        if status != expected[name]:
            failures.append(f"{name}: expected {expected[name]}, got {status}")
        if expected[name] >= 400 and unchanged() != before:
            failures.append(f"{name}: denied but data changed")
    assert not failures, failures


AGENCY_ONLY = {"citizen": 404, "citizen_b": 404, "business": 404, "anonymous": 404, "handler": 200,
               "other_official": 404, "superuser": 404}


def _accepted(world, c, i):
    svc.idea_answer(idea=i, actor=world.handler, decision="accept")


@pytest.mark.parametrize(("call", "prepare", "publish"), [
    (lambda w, c, i, a: svc.consultation_publish(actor=a, consultation=c), None, False),
    (lambda w, c, i, a: svc.consultation_update(actor=a, consultation=c, title="Sửa"), None, False),
    (lambda w, c, i, a: svc.consultation_close(actor=a, consultation=c), None, True),
    (lambda w, c, i, a: svc.idea_answer(idea=i, actor=a, decision="accept", answer="Tiếp thu."), None, True),
    (lambda w, c, i, a: svc.idea_answer(idea=i, actor=a, decision="reject", answer="Không."), None, True),
    (lambda w, c, i, a: svc.idea_progress(idea=i, actor=a, status="in_progress", progress=5, note="Bắt đầu."),
     _accepted, True),
    (lambda w, c, i, a: svc.idea_hide(idea=i, actor=a, reason="Xúc phạm"), None, True),
], ids=["publish", "update", "close", "accept", "reject", "progress", "hide"])
def test_agency_only_services(world, business, call, prepare, publish):
    _check(world, business, call, AGENCY_ONLY, prepare=prepare, publish=publish)


def test_summarize_matrix(world, business):
    _check(world, business, lambda w, c, i, a: svc.consultation_summarize(actor=a, consultation=c, summary="Kết quả"),
           AGENCY_ONLY, prepare=lambda w, c, i: svc.consultation_close(actor=w.handler, consultation=c))


def test_create_matrix(world, business):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    expected = {"citizen": 403, "citizen_b": 403, "business": 403, "anonymous": 403, "handler": 200,
                "other_official": 403, "superuser": 403}
    for name in ACTORS:
        status = service_status(lambda n=name: svc.consultation_create(
            actor=_actor(world, business, n), agency=world.anxuyen_pc, title="T", summary="S", body="B",
            opens_at=now, closes_at=now + timedelta(days=1)))
        assert status == expected[name], name
    assert Consultation.objects.count() == 1


def test_post_matrix(world, business):
    # Citizens and businesses post; officials and the superuser (official accounts) answer.
    expected = {"citizen": 200, "citizen_b": 200, "business": 200, "anonymous": 403, "handler": 403,
                "other_official": 403, "superuser": 200}
    world.handler.kind = world.other_official.kind = "official"
    world.handler.save(update_fields=["kind"])
    world.other_official.save(update_fields=["kind"])
    c = make_consultation(world)
    for name in ACTORS:
        before = Idea.objects.count()
        status = service_status(lambda n=name: post(world, c, author=_actor(world, business, n), title=f"Ý {n}"))
        assert status == expected[name], name
        assert Idea.objects.count() == before + (1 if status == 200 else 0)


def test_post_on_draft_is_not_found(world):
    c = make_consultation(world, publish=False)
    assert service_status(lambda: post(world, c)) == 404


def test_support_matrix(world, business):
    # Factory officials are citizens by kind; make them officials as in production.
    for u in (world.handler, world.other_official):
        u.kind = "official"
        u.save(update_fields=["kind"])
    expected = {"citizen": 409, "citizen_b": 200, "business": 200, "anonymous": 403, "handler": 403,
                "other_official": 403, "superuser": 200}
    _check(world, business, lambda w, c, i, a: svc.idea_support(idea=i, user=a), expected)


def test_withdraw_matrix(world, business):
    expected = {"citizen": 200, "citizen_b": 404, "business": 404, "anonymous": 404, "handler": 404,
                "other_official": 404, "superuser": 404}
    _check(world, business, lambda w, c, i, a: svc.idea_withdraw(idea=i, actor=a), expected)


def test_staff_selectors_are_scoped(world, business):
    c = make_consultation(world)
    i = post(world, c)
    assert sel.consultation_get_for_staff(user=world.handler, public_id=c.public_id) == c
    assert sel.idea_get_for_staff(user=world.handler, public_id=i.public_id) == i
    for who in (world.other_official, world.superuser, world.citizen, business):
        assert not sel.staff_consultations(user=who).exists()
        assert not sel.staff_ideas(user=who, queue="all").exists()
        with pytest.raises(DomainError):
            sel.consultation_get_for_staff(user=who, public_id=c.public_id)
        with pytest.raises(DomainError):
            sel.idea_get_for_staff(user=who, public_id=i.public_id)
