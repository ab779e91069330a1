"""Benchmark baseline endpoints: mounted only with TINHSO_BENCH_ENDPOINTS, 404 otherwise."""

import importlib
import json

import pytest
from django.test import Client, override_settings
from django.urls import clear_url_caches

from tinhso.dossiers.models import Dossier, DossierStep
from tinhso.procedures.models import Procedure


def _reload_urls():
    import tinhso.config.urls

    importlib.reload(tinhso.config.urls)
    clear_url_caches()


@pytest.fixture
def bench_on():
    with override_settings(TINHSO_BENCH_ENDPOINTS=True):
        _reload_urls()
        yield
    _reload_urls()


def test_off_by_default_404(db, settings):
    assert settings.TINHSO_BENCH_ENDPOINTS is False
    _reload_urls()
    client = Client()
    assert client.get("/bench/constant").status_code == 404
    assert client.post("/bench/bare-insert", data="{}", content_type="application/json").status_code == 404
    assert not Dossier.objects.exists()


def test_not_mounted_in_production_even_when_asked(db):
    with override_settings(TINHSO_BENCH_ENDPOINTS=True, PRODUCTION=True):
        _reload_urls()
        assert Client().get("/bench/constant").status_code == 404
    _reload_urls()


def test_constant(db, bench_on):
    resp = Client().get("/bench/constant")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "service": "tinhso", "bench": True}
    assert Client().post("/bench/constant").status_code == 405


@pytest.fixture
def citizen_token(db):
    from tinhso.accounts.models import User
    from tinhso.accounts.services import api_token_create

    user = User.objects.create(email="bench@example.vn", full_name="Người thử tải", kind="citizen", password="!x")
    _row, plain = api_token_create(actor=None, user=user, name="bench", scopes=[], expires_at=None)
    return user, plain


@pytest.fixture
def procedure(db, agency):
    from tinhso.procedures.models import ProcedureField, ProcedureStep

    field = ProcedureField.objects.create(code="thu", name="Thử", order=1)
    proc = Procedure.objects.create(code="9.000001", name="Thủ tục thử", field=field, processing_days=3,
                                    implementing_level="commune", is_published=True)
    for order, role in enumerate(("clerk", "specialist", "leader"), start=1):
        ProcedureStep.objects.create(procedure=proc, order=order, name=f"Bước {order}", role_code=role, days=1)
    return proc


def test_bare_insert_writes_the_rows_of_a_submission_only(bench_on, citizen_token, procedure, agency):
    from tinhso.audit.models import AuditEvent
    from tinhso.notify.models import Notification
    from tinhso.workflow.models import TransitionLog

    user, token = citizen_token
    events = AuditEvent.objects.count()
    body = {"procedure_code": procedure.code, "agency": str(agency.public_id), "form_data": {"a": 1}}
    resp = Client().post("/bench/bare-insert", data=json.dumps(body), content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 201, resp.content
    dossier = Dossier.objects.get(public_id=resp.json()["id"])
    assert dossier.applicant == user and dossier.agency == agency and dossier.form_data == {"a": 1}
    assert dossier.status == "submitted"
    assert dossier.code is None  # no code counter
    assert not DossierStep.objects.filter(dossier=dossier).exists()  # steps come at receipt
    log = TransitionLog.objects.get(object_id=str(dossier.pk), flow="dossier")
    assert (log.from_state, log.to_state) == ("draft", "submitted")
    assert set(Notification.objects.filter(recipient=user).values_list("channel", flat=True)) == {"in_app", "email"}
    assert AuditEvent.objects.count() == events  # no audit event


def test_bare_insert_needs_token_and_valid_body(bench_on, citizen_token, procedure, agency):
    _user, token = citizen_token
    body = json.dumps({"procedure_code": procedure.code, "agency": str(agency.public_id)})
    client = Client()
    assert client.post("/bench/bare-insert", data=body, content_type="application/json").status_code == 401
    assert client.post("/bench/bare-insert", data=body, content_type="application/json",
                       HTTP_AUTHORIZATION="Bearer " + "x" * 40).status_code == 401
    bad = json.dumps({"procedure_code": "nope", "agency": str(agency.public_id)})
    assert client.post("/bench/bare-insert", data=bad, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 400
    assert client.post("/bench/bare-insert", data="not json", content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 400
    assert not Dossier.objects.exists()
