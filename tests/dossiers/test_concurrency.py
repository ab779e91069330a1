"""Two officials acting on the same dossier at once (PostgreSQL: real row locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.dossiers.factories import ProcedureFactory, Team, received_dossier, submitted_dossier
from tests.factories import AgencyFactory, MembershipFactory, role
from tinhso.core.errors import Conflict, DomainError
from tinhso.dossiers import services
from tinhso.dossiers.models import Status
from tinhso.workflow.models import TransitionLog


def _race(calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = []

    def run(call):
        try:
            barrier.wait(timeout=30)
            call()
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_clerks_receive_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    agency = AgencyFactory()
    proc = ProcedureFactory(agency=agency, fee=0)
    team = Team(agency)
    second_clerk = MembershipFactory(agency=agency, role=role("clerk")).user
    d = submitted_dossier(proc, agency)
    outcomes = _race([
        lambda: services.dossier_receive(dossier=d, actor=team.clerk),
        lambda: services.dossier_receive(dossier=d, actor=second_clerk),
    ])
    assert outcomes.count("ok") == 1, outcomes
    assert any(isinstance(o, Conflict) for o in outcomes), outcomes
    d.refresh_from_db()
    assert d.status == Status.PROCESSING and d.steps.count() == 3
    assert TransitionLog.objects.filter(object_id=str(d.pk), transition="receive").count() == 1


@pytest.mark.django_db
def test_step_order_guard(agency, team, free_procedure):
    d = received_dossier(free_procedure, agency, team)
    services.dossier_step_complete(dossier=d, actor=team.specialist, step_order=2)
    with pytest.raises(Conflict) as exc:
        services.dossier_step_complete(dossier=d, actor=team.specialist, step_order=2)
    assert exc.value.code in ("step_moved_on", "conflict")
