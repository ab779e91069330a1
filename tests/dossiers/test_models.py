"""Database rules of the dossier models (the backstops behind the services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.dossiers.factories import received_dossier, submitted_dossier
from tests.factories import UserFactory
from tinhso.dossiers.machine import DossierFlow
from tinhso.dossiers.models import Dossier, DossierCounter, Rating, Status
from tinhso.dossiers.selectors import dossier_actions

pytestmark = pytest.mark.django_db


def _draft(procedure, agency, applicant, **kwargs):
    return Dossier.objects.create(procedure=procedure, applicant=applicant, agency=agency, **kwargs)


def test_code_is_unique_but_drafts_have_none(agency, free_procedure, citizen):
    _draft(free_procedure, agency, citizen)
    _draft(free_procedure, agency, citizen)  # two drafts without a code
    _draft(free_procedure, agency, citizen, code="X-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        _draft(free_procedure, agency, citizen, code="X-1")


def test_idempotency_key_is_unique_per_applicant(agency, free_procedure, citizen):
    _draft(free_procedure, agency, citizen, idempotency_key="k")
    _draft(free_procedure, agency, UserFactory(), idempotency_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        _draft(free_procedure, agency, citizen, idempotency_key="k")


def test_rating_score_range_and_one_per_dossier(agency, free_procedure, citizen):
    d = _draft(free_procedure, agency, citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(dossier=d, score=6)
    Rating.objects.create(dossier=d, score=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(dossier=d, score=4)


def test_counter_is_unique_per_agency_and_day(agency):
    DossierCounter.objects.create(agency=agency, date=dt.date(2026, 3, 9))
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierCounter.objects.create(agency=agency, date=dt.date(2026, 3, 9))


def test_labels_and_str(agency, free_procedure, citizen):
    d = _draft(free_procedure, agency, citizen)
    assert str(d).startswith("Hồ sơ nháp")
    assert DossierFlow.state_label(Status.PROCESSING) == "Đang xử lý"
    s = submitted_dossier(free_procedure, agency, citizen)
    assert str(s) == s.code and s.status_label == "Chờ tiếp nhận"


def test_dossier_actions_for_buttons(agency, team, free_procedure, citizen):
    d = submitted_dossier(free_procedure, agency, citizen)
    assert set(dossier_actions(dossier=d, user=team.clerk)) >= {"receive", "request_supplement", "refuse"}
    assert dossier_actions(dossier=d, user=team.specialist) == []
    assert "withdraw" in dossier_actions(dossier=d, user=citizen)
    d = received_dossier(free_procedure, agency, team)
    assert "complete_step" in dossier_actions(dossier=d, user=team.specialist)
    assert "complete_step" not in dossier_actions(dossier=d, user=team.leader)
    assert "assign" in dossier_actions(dossier=d, user=team.leader)
