"""Property test: any sequence of service calls keeps the report consistent — the stored status
is the last TransitionLog's target, a refused/closed report never moves again, a resolved or
closed report always has a public resolution answer."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.feedback.conftest import submit
from tinhso.core.errors import DomainError
from tinhso.feedback import services
from tinhso.feedback.models import Answer, Status
from tinhso.workflow.models import TransitionLog

ACTIONS = ("assign", "start", "resolve", "refuse", "reassign_back", "reopen", "rate", "support")


def _do(world, report, action):
    calls = {
        "assign": lambda: services.report_assign(report=report, actor=world.handler),
        "start": lambda: services.report_start(report=report, actor=world.handler),
        "resolve": lambda: services.report_resolve(report=report, actor=world.handler, answer="Xong"),
        "refuse": lambda: services.report_refuse(report=report, actor=world.handler, reason="not_competent",
                                                 note="Không thuộc thẩm quyền"),
        "reassign_back": lambda: services.report_reassign(report=report, actor=world.handler,
                                                          agency=world.tanthanh_pc, reason="Sai địa bàn"),
        "reopen": lambda: services.report_reopen(report=report, actor=world.citizen, reason="Chưa xong"),
        "rate": lambda: services.report_rate(report=report, actor=world.citizen, score=3),
        "support": lambda: services.report_support(report=report, user=world.citizen_b),
    }
    try:
        calls[action]()
    except DomainError:
        pass


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.sampled_from(ACTIONS), max_size=10))
def test_any_sequence_stays_consistent(world, steps):
    report = submit(world)
    final_seen = None
    for action in steps:
        _do(world, report, action)
        report.refresh_from_db()
        if final_seen is not None:
            assert report.status == final_seen  # terminal states never move
        if report.status in (Status.REFUSED, Status.CLOSED):
            final_seen = report.status
        last = TransitionLog.objects.filter(flow="report", object_id=str(report.pk)).order_by("-at", "-id").first()
        assert report.status == (last.to_state if last else Status.SUBMITTED)
        if report.status in (Status.RESOLVED, Status.CLOSED):
            assert Answer.objects.filter(report=report, is_resolution=True).exists()
