"""Dossier codes <agency code>-<YYMMDD>-<NNNN> and tracking secrets."""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection, connections

from tests.dossiers.conftest import local
from tests.dossiers.factories import FORM_DATA, ProcedureFactory, submitted_dossier
from tests.factories import AgencyFactory, UserFactory
from tinhso.dossiers import codes, services
from tinhso.dossiers.models import Dossier


@pytest.mark.django_db
def test_code_format_and_daily_sequence(agency, free_procedure, clock):
    clock.set(2026, 3, 9, 23, 30)  # local time: still the 9th although UTC is the 9th 16:30
    a = submitted_dossier(free_procedure, agency)
    b = submitted_dossier(free_procedure, agency)
    assert a.code == f"{agency.code}-260309-0001" and b.code == f"{agency.code}-260309-0002"
    clock.set(2026, 3, 10, 0, 5)  # local midnight passed: a new day, a new sequence
    c = submitted_dossier(free_procedure, agency)
    assert c.code == f"{agency.code}-260310-0001"
    other = AgencyFactory()
    proc = ProcedureFactory(agency=other, fee=0)
    assert submitted_dossier(proc, other).code == f"{other.code}-260310-0001"
    assert re.fullmatch(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}-\d{6}-\d{4}", c.code)


@pytest.mark.django_db
def test_next_code_grows_beyond_9999(agency):
    from tinhso.dossiers.models import DossierCounter

    DossierCounter.objects.create(agency=agency, date=local(2026, 3, 9).date(), last_number=9999)
    assert codes.next_code(agency=agency, when=local(2026, 3, 9, 9)) == f"{agency.code}-260309-10000"


def test_tracking_secret():
    secrets_ = {codes.new_tracking_secret() for _ in range(200)}
    assert len(secrets_) == 200
    assert all(re.fullmatch(r"[A-Z2-7]{8}", s) for s in secrets_)
    assert codes.secret_matches("ABCD2345", "abcd 2345")
    assert not codes.secret_matches("ABCD2345", "ABCD2346")
    assert not codes.secret_matches("", "")


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_codes():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    agency = AgencyFactory()
    proc = ProcedureFactory(agency=agency, fee=0)
    applicants = [UserFactory() for _ in range(30)]
    drafts = []
    for user in applicants:
        d = services.dossier_save_draft(applicant=user, procedure=proc, agency=agency, form_data=dict(FORM_DATA))
        from tests.dossiers.factories import upload

        services.dossier_attach(dossier=d, actor=user, requirement_code="don", uploaded=upload())
        services.dossier_attach(dossier=d, actor=user, requirement_code="cccd", uploaded=upload())
        drafts.append((d, user))
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def run(d, user):
        try:
            barrier.wait(timeout=30)
            services.dossier_submit(dossier=d, actor=user)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    got = sorted(Dossier.objects.filter(agency=agency).values_list("code", flat=True))
    numbers = sorted(int(c.rsplit("-", 1)[1]) for c in got)
    assert len(set(got)) == 30 and numbers == list(range(1, 31))
