"""Permission matrix over the services and the staff selectors: citizen (the reporter), another
citizen, anonymous, official of the handling agency, official of another agency, leader of the
handling agency, superuser (no implicit scope). A denial changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.matrix import service_status, snapshot
from tinhso.feedback import selectors, services
from tinhso.feedback.models import Answer, Note, Rating, Report, ResponseTemplate, Support
from tinhso.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

ACTORS = ("citizen", "citizen_b", "anonymous", "handler", "other_official", "leader", "superuser")


def _actor(world, name):
    return AnonymousUser() if name == "anonymous" else getattr(world, name)


def _check(world, make_call, expected, prepare=None):
    failures = []
    unchanged = snapshot(Report, Answer, Note, Rating, Support, TransitionLog, ResponseTemplate)
    for name in ACTORS:
        from tests.feedback.conftest import submit

        report = submit(world)
        if prepare:
            prepare(world, report)
        before = unchanged()
        status = service_status(lambda r=report, n=name: make_call(world, r, _actor(world, n)))
        if status != expected[name]:
            failures.append(f"{name}: expected {expected[name]}, got {status}")
        if expected[name] >= 400 and unchanged() != before:
            failures.append(f"{name}: denied but data changed")
    assert not failures, failures


STAFF = {"citizen": 404, "citizen_b": 404, "anonymous": 404, "handler": 200, "other_official": 404, "leader": 200,
         "superuser": 404}


def _assigned(world, r):
    services.report_assign(report=r, actor=world.handler)


def _resolved(world, r):
    _assigned(world, r)
    services.report_resolve(report=r, actor=world.handler, answer="Xong.")


@pytest.mark.parametrize(("call", "prepare"), [
    (lambda w, r, a: services.report_assign(report=r, actor=a), None),
    (lambda w, r, a: services.report_start(report=r, actor=a), _assigned),
    (lambda w, r, a: services.report_resolve(report=r, actor=a, answer="Đã xử lý."), _assigned),
    (lambda w, r, a: services.report_refuse(report=r, actor=a, reason="spam"), None),
    (lambda w, r, a: services.report_reassign(report=r, actor=a, agency=w.department, reason="Thuộc Sở."), None),
    (lambda w, r, a: services.report_add_note(report=r, actor=a, body="Ghi chú."), None),
    (lambda w, r, a: services.report_answer(report=r, actor=a, body="Đang kiểm tra."), _assigned),
])
def test_staff_actions(world, call, prepare):
    _check(world, call, STAFF, prepare)


def test_reporter_actions(world):
    expected = {"citizen": 200, "citizen_b": 404, "anonymous": 404, "handler": 404, "other_official": 404,
                "leader": 404, "superuser": 404}
    _check(world, lambda w, r, a: services.report_reopen(report=r, actor=a, reason="Chưa xong."), expected, _resolved)
    _check(world, lambda w, r, a: services.report_rate(report=r, actor=a, score=4), expected, _resolved)


def test_support_matrix(world):
    expected = {"citizen": 409, "citizen_b": 200, "anonymous": 403, "handler": 200, "other_official": 200,
                "leader": 200, "superuser": 200}
    _check(world, lambda w, r, a: services.report_support(report=r, user=a), expected)


def test_staff_reads(world):
    from tests.feedback.conftest import submit

    report = submit(world)
    expected = {"citizen": 404, "citizen_b": 404, "anonymous": 404, "handler": 200, "other_official": 404,
                "leader": 200, "superuser": 404}
    for name in ACTORS:
        actor = _actor(world, name)
        got = service_status(lambda a=actor: selectors.report_get_for_staff(user=a, public_id=report.public_id))
        assert got == expected[name], name
        got = service_status(lambda a=actor: selectors.report_notes(report=report, user=a))
        assert got == expected[name], name
        assert (report in selectors.staff_queue(user=actor, queue="to_assign")) == (expected[name] == 200), name
    mine = {"citizen": 200, "citizen_b": 404, "anonymous": 404}
    for name, want in mine.items():
        actor = _actor(world, name)
        assert service_status(lambda a=actor: selectors.report_get_for_reporter(user=a, public_id=report.public_id)) == want


def test_supervisor_sees_only_escalated(world):
    from datetime import timedelta

    from tests.feedback.conftest import submit

    report = submit(world)
    assert service_status(lambda: selectors.report_get_for_staff(user=world.province_leader,
                                                                 public_id=report.public_id)) == 404
    services.reports_escalate_overdue(now=report.due_at + timedelta(minutes=1))
    assert selectors.report_get_for_staff(user=world.province_leader, public_id=report.public_id) == report
    # The supervisor may add notes and reassign, not resolve.
    assert service_status(lambda: services.report_add_note(report=report, actor=world.province_leader,
                                                          body="Đề nghị xử lý ngay.")) == 200
    assert service_status(lambda: services.report_assign(report=report, actor=world.province_leader)) == 403
    assert selectors.staff_queue_counts(user=world.province_leader)["escalated"] == 1


def test_templates(world):
    t = services.response_template_create(actor=world.leader, title="Đã sửa", body="Đã khắc phục.",
                                          agency=world.anxuyen_pc, category=world.category)
    for actor in (world.other_official, world.citizen, world.clerk):
        assert service_status(lambda a=actor: services.response_template_update(actor=a, template=t, title="X")) == 403
    assert service_status(lambda: services.response_template_create(actor=world.leader, title="Chung", body="x")) == 403
    shared = services.response_template_create(actor=world.superuser, title="Chung", body="Cảm ơn ông/bà.")
    services.response_template_update(actor=world.handler, template=t, body="Đã khắc phục xong.")
    from tests.feedback.conftest import submit

    report = submit(world)
    assert set(selectors.templates_for(user=world.handler, report=report)) == {t, shared}
    assert set(selectors.templates_for(user=world.other_official, report=report)) == {shared}
    assert not selectors.templates_for(user=world.citizen, report=report).exists()
    services.response_template_delete(actor=world.leader, template=t)
    assert not ResponseTemplate.objects.filter(pk=t.pk).exists()


def test_catalogue_admin_needs_superuser(world):
    assert service_status(lambda: services.category_save(actor=world.leader, code="moi", name="Mới")) == 403
    assert service_status(lambda: services.category_save(actor=world.superuser, code="moi", name="Mới")) == 200
    assert service_status(lambda: services.routing_rule_save(
        actor=world.handler, category=None, commune=world.anxuyen, target="commune_committee")) == 403
    assert service_status(lambda: services.routing_rule_save(
        actor=world.superuser, category=None, commune=None, target="commune_committee")) == 409  # one default rule
