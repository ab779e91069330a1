"""Every transition of ReportFlow through its service, the refusals, reopen window, rating,
escalation and automatic closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.feedback.conftest import submit
from tests.files.samples import png
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotFound, ValidationFailed
from tinhso.feedback import services
from tinhso.feedback.machine import ReportFlow
from tinhso.feedback.models import Answer, Rating, Report, Status, Support
from tinhso.notify.models import Notification
from tinhso.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db


def _resolved(world, report):
    services.report_assign(report=report, actor=world.handler)
    services.report_start(report=report, actor=world.handler)
    services.report_resolve(report=report, actor=world.handler, answer="Đã vá ổ gà.")
    return report


def test_full_lifecycle(world, report):
    services.report_assign(report=report, actor=world.leader, assignee=world.handler)
    assert report.status == Status.ASSIGNED and report.assignee == world.handler and report.accepted_at
    services.report_start(report=report, actor=world.handler)
    assert report.status == Status.IN_PROGRESS
    photo = SimpleUploadedFile("ket-qua.png", png(), content_type="image/png")
    answer = services.report_resolve(report=report, actor=world.handler, answer="Đã vá ổ gà.", photo=photo)
    report.refresh_from_db()
    assert report.status == Status.RESOLVED and answer.is_resolution and answer.photo is not None
    assert report.resolved_on_time is True and report.resolution_seconds is not None
    rating = services.report_rate(report=report, actor=world.citizen, score=5, comment="Tốt")
    report.refresh_from_db()
    assert report.status == Status.CLOSED and rating.score == 5 and report.closed_at
    steps = list(TransitionLog.objects.filter(flow="report", object_id=str(report.pk)).values_list(
        "transition", flat=True))
    assert steps == ["assign", "start", "resolve", "close"]
    actions = set(AuditEvent.objects.filter(action__startswith="report.").values_list("action", flat=True))
    assert {"report.submit", "report.assign", "report.start", "report.resolve", "report.close", "report.rate"} <= actions
    events = set(Notification.objects.filter(recipient=world.citizen).values_list("event", flat=True))
    assert {"report.submitted", "report.assigned", "report.in_progress", "report.resolved"} <= events


def test_resolve_needs_an_answer(world, report):
    services.report_assign(report=report, actor=world.handler)
    with pytest.raises(ValidationFailed):
        services.report_resolve(report=report, actor=world.handler, answer="  ")
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and not Answer.objects.exists()


@pytest.mark.parametrize(("setup", "call"), [
    ("submitted", lambda w, r: services.report_start(report=r, actor=w.handler)),
    ("submitted", lambda w, r: services.report_resolve(report=r, actor=w.handler, answer="x")),
    ("resolved", lambda w, r: services.report_assign(report=r, actor=w.handler)),
    ("resolved", lambda w, r: services.report_refuse(report=r, actor=w.handler, reason="spam")),
    ("resolved", lambda w, r: services.report_reassign(report=r, actor=w.handler, agency=w.department, reason="x")),
    ("in_progress", lambda w, r: services.report_start(report=r, actor=w.handler)),
    ("refused", lambda w, r: services.report_assign(report=r, actor=w.handler)),
    ("refused", lambda w, r: services.report_reopen(report=r, actor=w.citizen, reason="x")),
    ("closed", lambda w, r: services.report_reopen(report=r, actor=w.citizen, reason="x")),
    ("submitted", lambda w, r: services.report_reopen(report=r, actor=w.citizen, reason="x")),
    ("submitted", lambda w, r: services.report_rate(report=r, actor=w.citizen, score=4)),
])
def test_bad_transitions_conflict(world, report, setup, call):
    if setup != "submitted":
        services.report_assign(report=report, actor=world.handler)
    if setup in ("in_progress", "resolved", "closed"):
        services.report_start(report=report, actor=world.handler)
    if setup in ("resolved", "closed"):
        services.report_resolve(report=report, actor=world.handler, answer="Xong.")
    if setup == "closed":
        services.report_rate(report=report, actor=world.citizen, score=3)
    if setup == "refused":
        services.report_refuse(report=report, actor=world.handler, reason="not_competent", note="Thuộc điện lực.")
    report.refresh_from_db()
    before = (report.status, TransitionLog.objects.count())
    with pytest.raises(Conflict):
        call(world, report)
    report.refresh_from_db()
    assert (report.status, TransitionLog.objects.count()) == before


def test_reassign_keeps_history(world, report):
    services.report_assign(report=report, actor=world.handler)
    services.report_reassign(report=report, actor=world.handler, agency=world.department, reason="Thuộc Sở.")
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.agency == world.department and report.assignee is None
    log = TransitionLog.objects.get(flow="report", transition="reassign")
    assert log.data == {"from_agency": world.anxuyen_pc.code, "to_agency": world.department.code}
    # The old agency no longer acts; the new one does.
    with pytest.raises(NotFound):
        services.report_assign(report=report, actor=world.handler)
    services.report_assign(report=report, actor=world.dept_official)
    assert report.status == Status.ASSIGNED
    with pytest.raises(ValidationFailed):
        services.report_reassign(report=report, actor=world.dept_official, agency=world.department, reason="x")


def test_assign_to_official_of_another_agency_refused(world, report):
    with pytest.raises(ValidationFailed) as exc:
        services.report_assign(report=report, actor=world.handler, assignee=world.other_official)
    assert exc.value.code == "invalid_assignee"


def test_refuse_duplicate_links_and_supports_original(world, report):
    dup = submit(world, reporter=world.citizen_b)
    with pytest.raises(ValidationFailed):
        services.report_refuse(report=dup, actor=world.handler, reason="duplicate")
    services.report_refuse(report=dup, actor=world.handler, reason="duplicate", duplicate_of=report)
    dup.refresh_from_db()
    report.refresh_from_db()
    assert dup.status == Status.REFUSED and dup.duplicate_of == report and dup.is_public
    assert report.support_count == 1 and Support.objects.filter(report=report, user=world.citizen_b).exists()


def test_refuse_spam_hides(world, report):
    services.report_refuse(report=report, actor=world.handler, reason="spam")
    report.refresh_from_db()
    assert report.status == Status.REFUSED and not report.is_public
    with pytest.raises(ValidationFailed):
        services.report_refuse(report=submit(world), actor=world.handler, reason="rude")
    with pytest.raises(ValidationFailed):  # not_competent needs a note
        services.report_refuse(report=submit(world), actor=world.handler, reason="not_competent")


def test_reopen_window(world, report, settings, monkeypatch):
    settings.TINHSO_FEEDBACK_REOPEN_DAYS = 7
    _resolved(world, report)
    report.refresh_from_db()
    later = report.resolved_at + timedelta(days=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with pytest.raises(NotFound):
        services.report_reopen(report=report, actor=world.citizen_b, reason="Chưa sửa.")
    services.report_reopen(report=report, actor=world.citizen, reason="Ổ gà vẫn còn.")
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED and report.reopen_count == 1 and report.resolved_at is None
    assert report.due_at > later and report.assignee == world.handler
    assert Notification.objects.filter(recipient=world.handler, event="report.reopened").exists()
    # Resolved again, then too late.
    services.report_resolve(report=report, actor=world.handler, answer="Đã sửa lại.")
    report.refresh_from_db()
    too_late = report.resolved_at + timedelta(days=8)
    monkeypatch.setattr(timezone, "now", lambda: too_late)
    with pytest.raises(Conflict) as exc:
        services.report_reopen(report=report, actor=world.citizen, reason="Vẫn còn.")
    assert exc.value.code == "reopen_window_closed"


def test_reopen_window_setting(world, report, settings, monkeypatch):
    settings.TINHSO_FEEDBACK_REOPEN_DAYS = 1
    _resolved(world, report)
    report.refresh_from_db()
    monkeypatch.setattr(timezone, "now", lambda: report.resolved_at + timedelta(days=2))
    with pytest.raises(Conflict):
        services.report_reopen(report=report, actor=world.citizen, reason="Vẫn còn.")


def test_rate_once_by_reporter(world, report):
    _resolved(world, report)
    with pytest.raises(NotFound):
        services.report_rate(report=report, actor=world.citizen_b, score=1)
    with pytest.raises(ValidationFailed):
        services.report_rate(report=report, actor=world.citizen, score=6)
    services.report_rate(report=report, actor=world.citizen, score=2, comment="Chậm")
    with pytest.raises(Conflict) as exc:
        services.report_rate(report=report, actor=world.citizen, score=5)
    assert exc.value.code == "already_rated" and Rating.objects.count() == 1


def test_support(world, report):
    s = services.report_support(report=report, user=world.citizen_b)
    assert s.pk and Report.objects.get(pk=report.pk).support_count == 1
    with pytest.raises(Conflict):
        services.report_support(report=report, user=world.citizen_b)
    with pytest.raises(Conflict):
        services.report_support(report=report, user=world.citizen)  # own report
    assert Report.objects.get(pk=report.pk).support_count == 1


def test_answer_and_note(world, report):
    services.report_assign(report=report, actor=world.handler)
    a = services.report_answer(report=report, actor=world.handler, body="Đã cử cán bộ kiểm tra.")
    assert not a.is_resolution
    n = services.report_add_note(report=report, actor=world.handler, body="Liên hệ Điện lực.")
    assert n.pk
    report.refresh_from_db()
    assert report.status == Status.ASSIGNED


def test_escalation_is_idempotent(world, report):
    later = report.due_at + timedelta(hours=1)
    assert services.reports_escalate_overdue(now=report.due_at - timedelta(hours=1)) == 0
    assert services.reports_escalate_overdue(now=later) == 1
    assert services.reports_escalate_overdue(now=later) == 0
    assert services.reports_escalate_overdue(now=later + timedelta(days=3)) == 0
    report.refresh_from_db()
    assert report.escalated_at == later and report.escalation_level == 1 and report.status == Status.SUBMITTED
    assert TransitionLog.objects.filter(transition="escalate").count() == 1
    assert AuditEvent.objects.filter(action="report.escalate").count() == 1
    assert Notification.objects.filter(recipient=world.province_leader, event="report.escalated",
                                       channel="in_app").count() == 1
    # The supervisor's leader may now hand it to another agency.
    services.report_reassign(report=report, actor=world.province_leader, agency=world.tanthanh_pc, reason="Địa bàn")
    assert report.agency == world.tanthanh_pc


def test_resolved_reports_are_not_escalated(world, report):
    _resolved(world, report)
    report.refresh_from_db()
    assert services.reports_escalate_overdue(now=report.due_at + timedelta(days=30)) == 0


def test_late_resolution_counted(world, report, monkeypatch):
    services.report_assign(report=report, actor=world.handler)
    late = report.due_at + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: late)
    services.report_resolve(report=report, actor=world.handler, answer="Xong, hơi trễ.")
    report.refresh_from_db()
    assert report.resolved_on_time is False


def test_auto_close(world, report, settings):
    settings.TINHSO_FEEDBACK_AUTOCLOSE_DAYS = 14
    _resolved(world, report)
    report.refresh_from_db()
    assert services.reports_close_resolved(now=report.resolved_at + timedelta(days=13)) == 0
    assert services.reports_close_resolved(now=report.resolved_at + timedelta(days=15)) == 1
    assert services.reports_close_resolved(now=report.resolved_at + timedelta(days=16)) == 0
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    services.report_rate(report=report, actor=world.citizen, score=4)  # still possible once closed


def test_tasks_call_services(world, report):
    from tinhso.feedback import tasks

    assert tasks.escalate_overdue() == 0
    assert tasks.close_resolved() == 0


def test_machine_declares_every_state():
    assert set(ReportFlow.states) == set(Status.values)
