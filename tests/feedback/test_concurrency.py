"""Two officials acting on the same report at once, and concurrent submissions (PostgreSQL:
real row locks; skipped on SQLite)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tinhso.core.errors import Conflict, DomainError
from tinhso.feedback import services
from tinhso.feedback.models import Report, Status
from tinhso.orgs.models import AgencyKind, AgencyLevel
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


def _setup():
    from tinhso.geo.models import AdminUnit
    from tinhso.geo.services import load_province

    province = load_province(province_code=96).province
    commune = AdminUnit.objects.get(code="32002")
    pc = AgencyFactory(kind=AgencyKind.PEOPLES_COMMITTEE, level=AgencyLevel.PROVINCE, admin_unit=province)
    agency = AgencyFactory(commune=True, admin_unit=commune, parent=pc)
    a = MembershipFactory(agency=agency, role=role("report_handler")).user
    b = MembershipFactory(agency=agency, role=role("leader")).user
    category = services.category_save(actor=None, code="duong", name="Đường", sla_days=5)
    services.routing_rule_save(actor=None, category=None, commune=None, target="commune_committee")
    return a, b, category


def _submit(category, reporter, **kw):
    return services.report_submit(reporter=reporter, category=category, latitude="9.1812", longitude="105.1523",
                                  description="Ổ gà.", commune="32002", **kw)


@pytest.mark.django_db(transaction=True)
def test_two_officials_accept_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    a, b, category = _setup()
    report = _submit(category, UserFactory())
    outcomes = _race([
        lambda: services.report_assign(report=Report.objects.get(pk=report.pk), actor=a),
        lambda: services.report_refuse(report=Report.objects.get(pk=report.pk), actor=b, reason="spam"),
    ])
    assert outcomes.count("ok") in (1, 2), outcomes
    report.refresh_from_db()
    logs = list(TransitionLog.objects.filter(object_id=str(report.pk), flow="report").values_list("transition", flat=True))
    # Either order is valid, but each started from the state the other left.
    assert report.status in (Status.ASSIGNED, Status.REFUSED)
    assert logs in (["assign", "refuse"], ["refuse"], ["assign"]), logs
    if logs == ["refuse"]:
        assert any(isinstance(o, Conflict) for o in outcomes), outcomes


@pytest.mark.django_db(transaction=True)
def test_two_officials_resolve_at_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    a, b, category = _setup()
    report = _submit(category, UserFactory())
    services.report_assign(report=report, actor=a)
    outcomes = _race([
        lambda: services.report_resolve(report=Report.objects.get(pk=report.pk), actor=a, answer="Xong 1"),
        lambda: services.report_resolve(report=Report.objects.get(pk=report.pk), actor=b, answer="Xong 2"),
    ])
    assert outcomes.count("ok") == 1, outcomes
    assert any(isinstance(o, Conflict) for o in outcomes), outcomes
    assert TransitionLog.objects.filter(object_id=str(report.pk), transition="resolve").count() == 1
    assert report.answers.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_codes_and_idempotent_key():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    _a, _b, category = _setup()
    users = [UserFactory() for _ in range(8)]
    outcomes = _race([lambda u=u: _submit(category, u) for u in users])
    assert outcomes.count("ok") == 8, outcomes
    codes = sorted(Report.objects.values_list("code", flat=True))
    assert len(set(codes)) == 8 and codes[-1].endswith("-0008")
    same = UserFactory()
    outcomes = _race([lambda: _submit(category, same, idempotency_key="k") for _ in range(4)])
    assert outcomes.count("ok") == 4, outcomes
    assert Report.objects.filter(reporter=same).count() == 1
