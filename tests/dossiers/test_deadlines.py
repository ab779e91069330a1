"""Deadlines in working days: due date at receipt, chained step dates, the supplement clock,
the overdue job and the apology slip (form 04)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.dossiers.conftest import local
from tests.dossiers.factories import ProcedureFactory, received_dossier, submitted_dossier
from tinhso.core.errors import NotAllowed, ValidationFailed
from tinhso.dossiers import services
from tinhso.dossiers.models import ApologySlip, Status
from tinhso.notify.models import Notification
from tinhso.workflow.models import Holiday

pytestmark = pytest.mark.django_db


def test_due_dates_at_receipt(agency, team, free_procedure, clock):
    clock.set(2026, 3, 9, 10)  # Monday
    d = received_dossier(free_procedure, agency, team)
    assert d.due_at == local(2026, 3, 13)  # 4 working days: Tue..Fri, 17:00
    dues = [s.due_at for s in d.steps.order_by("order")]
    assert dues == [local(2026, 3, 10), local(2026, 3, 12), local(2026, 3, 13)]


def test_weekends_holidays_and_cutoff(agency, team, clock):
    Holiday.objects.create(date=dt.date(2026, 3, 16), name="Nghỉ thử nghiệm")
    proc = ProcedureFactory(agency=agency, fee=0, counting_rule={"cutoff": "15:00"})
    clock.set(2026, 3, 12, 16)  # Thursday after the cutoff: counts from Friday
    d = received_dossier(proc, agency, team)
    # receipt day Fri 13; days: Tue 17 (Mon 16 is a holiday), Wed 18, Thu 19, Fri 20
    assert d.due_at == local(2026, 3, 20)


def test_supplement_pauses_and_resumes_the_clock(agency, team, free_procedure, citizen, clock):
    clock.set(2026, 3, 9, 10)
    d = received_dossier(free_procedure, agency, team, citizen)
    clock.set(2026, 3, 11, 10)  # Wednesday: Thu and Fri are left
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung")
    req = d.supplement_requests.get()
    assert req.remaining == {"dossier": 2, "steps": {"2": 1, "3": 2}}
    clock.set(2026, 3, 16, 10)  # the next Monday
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    assert d.status == Status.PROCESSING
    assert d.due_at == local(2026, 3, 18)
    assert [s.due_at for s in d.steps.filter(finished_at__isnull=True).order_by("order")] == [
        local(2026, 3, 17), local(2026, 3, 18)]


def test_supplement_can_restart_the_clock(agency, team, citizen, clock):
    proc = ProcedureFactory(agency=agency, fee=0, counting_rule={"supplement_restarts_clock": True})
    clock.set(2026, 3, 9, 10)
    d = received_dossier(proc, agency, team, citizen)
    clock.set(2026, 3, 11, 10)
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung")
    clock.set(2026, 3, 16, 10)
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    assert d.due_at == local(2026, 3, 20)  # the full 4 days again
    assert [s.due_at for s in d.steps.filter(finished_at__isnull=True).order_by("order")] == [
        local(2026, 3, 18), local(2026, 3, 19)]


def test_overdue_job_marks_once_and_notifies(agency, team, free_procedure, clock):
    clock.set(2026, 3, 9, 10)
    d = received_dossier(free_procedure, agency, team)
    waiting = submitted_dossier(free_procedure, agency)  # not received: no deadline yet
    assert services.dossiers_mark_overdue(now=local(2026, 3, 13, 16)) == 0
    assert services.dossiers_mark_overdue(now=local(2026, 3, 13, 17, 1)) == 1
    assert services.dossiers_mark_overdue(now=local(2026, 3, 14)) == 0  # idempotent
    d.refresh_from_db()
    waiting.refresh_from_db()
    assert d.is_overdue and not waiting.is_overdue
    assert Notification.objects.filter(recipient=team.specialist, event="dossier.overdue").exists()
    assert Notification.objects.filter(recipient=team.clerk, event="dossier.overdue").exists()
    from tinhso.dossiers.selectors import staff_queue

    assert list(staff_queue(user=team.specialist, queue="overdue")) == [d]
    assert list(staff_queue(user=team.specialist, queue="due_soon")) == []
    clock.set(2026, 3, 12, 10)  # the due date (Fri 13, 17:00) is within 2 days
    d.is_overdue = False
    d.save(update_fields=["is_overdue"])
    assert list(staff_queue(user=team.specialist, queue="due_soon")) == [d]


def test_overdue_task_runs_the_service(agency, team, free_procedure, clock):
    from tinhso.dossiers.tasks import mark_overdue

    clock.set(2026, 3, 9, 10)
    received_dossier(free_procedure, agency, team)
    clock.set(2026, 3, 20, 10)
    assert mark_overdue.delay().get() == 1


def test_apology_slip_moves_the_due_date(agency, team, free_procedure, citizen, clock):
    clock.set(2026, 3, 9, 10)
    d = received_dossier(free_procedure, agency, team, citizen)
    clock.set(2026, 3, 16, 10)
    services.dossiers_mark_overdue()
    with pytest.raises(NotAllowed):
        services.dossier_apologise(dossier=d, actor=team.specialist, reason="Chậm", new_due_at=local(2026, 3, 20))
    with pytest.raises(ValidationFailed):
        services.dossier_apologise(dossier=d, actor=team.leader, reason="Chậm", new_due_at=local(2026, 3, 12))
    with pytest.raises(ValidationFailed):
        services.dossier_apologise(dossier=d, actor=team.leader, reason="", new_due_at=local(2026, 3, 20))
    assert not ApologySlip.objects.exists()
    slip = services.dossier_apologise(dossier=d, actor=team.leader, reason="Cần xác minh thêm",
                                      new_due_at=local(2026, 3, 20))
    assert slip.old_due_at == local(2026, 3, 13) and slip.new_due_at == local(2026, 3, 20)
    d.refresh_from_db()
    assert d.due_at == local(2026, 3, 20) and not d.is_overdue
    assert Notification.objects.filter(recipient=citizen, event="dossier.apology").exists()
