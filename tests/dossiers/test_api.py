"""The dossiers API: flows and permission matrices (a citizen never sees another's dossier; an
official only those of their agencies; a denial changes nothing)."""

from __future__ import annotations

import json

import pytest

from tests.dossiers.factories import (
    FORM_DATA,
    ProcedureFactory,
    Team,
    received_dossier,
    submitted_dossier,
    upload,
)
from tests.factories import MembershipFactory, role
from tests.matrix import assert_matrix, login_as, snapshot
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier, DossierDocument, DossierStep, Rating, Status
from tinhso.files.models import StoredFile
from tinhso.workflow.models import TransitionLog

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dossiers"


def _unchanged():
    return snapshot(Dossier, DossierStep, DossierDocument, StoredFile, TransitionLog, Rating)


@pytest.fixture
def proc(actors):
    return ProcedureFactory(agency=actors.agency, fee=0)


@pytest.fixture
def team(actors):
    return Team(actors.agency)


def _post(client, url, data=None, **extra):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


def test_citizen_api_flow(actors, proc):
    client = actors.citizen_a.client
    r = _post(client, BASE, {"procedure_code": proc.code, "agency": str(actors.agency.public_id),
                             "form_data": {"full_name": "Lê Văn Bình"}})
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    assert r.json()["status"] == "draft" and r.json()["code"] is None
    for code in ("don", "cccd"):
        r = client.post(f"{BASE}/{pid}/documents", {"requirement_code": code, "file": upload()})
        assert r.status_code == 201, r.content
    r = client.patch(f"{BASE}/{pid}", json.dumps({"form_data": dict(FORM_DATA)}), content_type="application/json")
    assert r.status_code == 200 and r.json()["form_data"]["full_name"] == "Nguyễn Văn An"
    r = _post(client, f"{BASE}/{pid}/submit", HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "submitted" and body["code"] and len(body["tracking_secret"]) == 8
    again = _post(client, f"{BASE}/{pid}/submit", HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["code"] == body["code"]
    listing = client.get(BASE).json()
    assert [d["id"] for d in listing["items"]] == [pid]
    # public tracking, without login
    from django.test import Client

    r = Client().get(f"{BASE}/tracking/{body['code']}", {"secret": body["tracking_secret"]})
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert "applicant" not in r.json() and "form_data" not in r.json()
    r = Client().get(f"{BASE}/tracking/{body['code']}", {"secret": "WRONG234"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "dossier_not_found"


def test_apply_in_one_call_is_idempotent(actors, proc):
    client = actors.citizen_a.client

    def send(full_name="Nguyễn Văn An"):
        return client.post(f"{BASE}/apply", {
            "procedure_code": proc.code, "agency": str(actors.agency.public_id),
            "form_data": json.dumps({**FORM_DATA, "full_name": full_name}),
            "don": upload(), "cccd": upload(),
        }, HTTP_IDEMPOTENCY_KEY="k-77")

    first = send()
    assert first.status_code == 201, first.content
    second = send()
    assert second.status_code == 201 and second.json()["id"] == first.json()["id"]
    third = send("Người khác")
    assert third.status_code == 422 and third.json()["error"]["code"] == "idempotency_conflict"
    assert Dossier.objects.count() == 1


def test_apply_answers_exactly_what_reading_the_dossier_back_answers(actors, proc):
    client = actors.citizen_a.client
    created = client.post(f"{BASE}/apply", {
        "procedure_code": proc.code, "agency": str(actors.agency.public_id),
        "form_data": json.dumps(FORM_DATA), "don": upload(), "cccd": upload(),
    }, HTTP_IDEMPOTENCY_KEY="k-read-back")
    assert created.status_code == 201, created.content
    body = created.json()
    assert len(body["documents"]) == 2 and [h["status"] for h in body["history"]] == ["submitted"]
    read_back = client.get(f"{BASE}/{body['id']}")
    assert read_back.status_code == 200
    assert body == read_back.json()


def test_bad_input_is_a_clear_4xx_and_stores_nothing(actors, proc):
    client = actors.citizen_a.client
    before = _unchanged()()
    r = _post(client, BASE, {"procedure_code": "nope", "agency": str(actors.agency.public_id)})
    assert r.status_code == 404
    r = _post(client, BASE, {"procedure_code": proc.code, "agency": "not-a-uuid"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = client.post(f"{BASE}/apply", {"procedure_code": proc.code, "agency": str(actors.agency.public_id),
                                      "form_data": "{broken"})
    assert r.status_code == 422
    r = client.post(f"{BASE}/apply", {"procedure_code": proc.code, "agency": str(actors.agency.public_id),
                                      "form_data": json.dumps(FORM_DATA), "don": upload()})
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_documents"
    assert _unchanged()() == before


def test_read_own_dossier_matrix(actors, proc):
    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    assert_matrix(actors, lambda a: a.client.get(f"{BASE}/{d.public_id}"),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404})
    assert_matrix(actors, lambda a: a.client.get(f"{BASE}/staff/{d.public_id}"),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200})


def test_submit_matrix(actors, proc):
    d = services.dossier_save_draft(applicant=actors.citizen_a.user, procedure=proc, agency=actors.agency,
                                    form_data=dict(FORM_DATA))
    for code in ("don", "cccd"):
        services.dossier_attach(dossier=d, actor=actors.citizen_a.user, requirement_code=code, uploaded=upload())
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/{d.public_id}/submit"),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())


def test_attach_matrix(actors, proc):
    d = services.dossier_save_draft(applicant=actors.citizen_a.user, procedure=proc, agency=actors.agency,
                                    form_data=dict(FORM_DATA))
    assert_matrix(actors, lambda a: a.client.post(f"{BASE}/{d.public_id}/documents",
                                                  {"requirement_code": "don", "file": upload()}),
                  {"anonymous": 401, "citizen_a": 201, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())


def test_receive_matrix(actors, proc):
    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/receive"),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())
    d.refresh_from_db()
    assert d.status == Status.PROCESSING


def test_supplement_and_refuse_matrix(actors, proc):
    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/request-supplement",
                                          {"reason": "Thiếu giấy tờ"}),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/{d.public_id}/resubmit"),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/refuse", {"reason": "Sai"}),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())


@pytest.mark.parametrize("actors_role", ["specialist"])
def test_complete_step_matrix(actors, proc):
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    clerk = actors.add("clerk_same_agency", team.clerk)
    assert clerk.user == team.clerk
    expected = {"anonymous": 401, "citizen_a": 404, "citizen_b": 404, "official_other_agency": 404,
                "clerk_same_agency": 403, "official_with_role": 200}
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/complete-step", {"note": "ok"}),
                  expected, unchanged=_unchanged(),
                  only=["anonymous", "citizen_a", "citizen_b", "official_other_agency", "clerk_same_agency",
                        "official_with_role"])


@pytest.mark.parametrize("actors_role", ["leader"])
def test_approve_and_reject_matrix(actors, proc):
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    services.dossier_step_complete(dossier=d, actor=team.specialist)
    spec = actors.add("specialist_same_agency", team.specialist)
    assert spec
    expected = {"anonymous": 401, "citizen_a": 404, "citizen_b": 404, "official_other_agency": 404,
                "specialist_same_agency": 403, "official_with_role": 200}
    order = ["anonymous", "citizen_a", "citizen_b", "official_other_agency", "specialist_same_agency",
             "official_with_role"]
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/reject-approval",
                                          {"reason": "Xem lại"}), expected, unchanged=_unchanged(), only=order)
    services.dossier_step_complete(dossier=d, actor=team.specialist)
    assert_matrix(actors, lambda a: a.client.post(f"{BASE}/staff/{d.public_id}/approve",
                                                  {"note": "Đồng ý", "result": upload("kq.pdf")}),
                  expected, unchanged=_unchanged(), only=order)
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY and d.result_file is not None


def test_return_result_and_rate_matrix(actors, proc):
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    services.dossier_step_complete(dossier=d, actor=team.specialist)
    services.dossier_approve(dossier=d, actor=team.leader)
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/return-result", {"method": "online"}),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/{d.public_id}/rate", {"score": 4}),
                  {"anonymous": 401, "citizen_a": 201, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())
    r = _post(actors.citizen_a.client, f"{BASE}/{d.public_id}/rate", {"score": 9})
    assert r.status_code == 422


def test_assign_matrix(actors, proc):
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    other_spec = MembershipFactory(agency=actors.agency, role=role("specialist")).user
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/assign",
                                          {"assignee": str(other_spec.public_id)}),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())
    assert d.steps.get(order=2).assignee == other_spec


def test_staff_queue_is_scoped(actors, proc):
    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    url = f"{BASE}/staff?queue=to_receive"
    seen = {a.name: [x["id"] for x in a.client.get(url).json().get("items", [])]
            for a in actors if not a.is_anonymous}
    assert seen["official_with_role"] == [str(d.public_id)]
    assert seen["official_other_agency"] == [] and seen["citizen_a"] == [] and seen["citizen_b"] == []
    assert actors.anonymous.client.get(url).status_code == 401
    assert actors.official_with_role.client.get(f"{BASE}/staff?queue=bogus").status_code == 422


def test_mfa_is_required_for_officials(actors, proc):
    from django.test import Client

    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    client = login_as(Client(), actors.official_with_role.user, mfa=False)
    r = _post(client, f"{BASE}/staff/{d.public_id}/receive")
    assert r.status_code == 401
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


def test_staff_detail_shows_actions_but_not_the_secret(actors, proc):
    d = submitted_dossier(proc, actors.agency, actors.citizen_a.user)
    body = actors.official_with_role.client.get(f"{BASE}/staff/{d.public_id}").json()
    assert body["tracking_secret"] is None
    assert {"receive", "request_supplement", "refuse"} <= set(body["actions"])
    assert body["applicant_name"] == actors.citizen_a.user.full_name


def test_openapi_lists_the_dossier_endpoints(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/dossiers/staff/{public_id}/receive" in paths
    assert "/api/v1/dossiers/tracking/{code}" in paths
    submit = paths["/api/v1/dossiers/{public_id}/submit"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in submit["parameters"])


def test_fee_pending_blocks_return_over_the_api(actors):
    from tests.dossiers.factories import payee_account

    proc = ProcedureFactory(agency=actors.agency)
    payee_account(actors.agency)
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    body = actors.citizen_a.client.get(f"{BASE}/{d.public_id}").json()
    assert body["fee_status"] == "pending" and body["payment_url"].startswith("/thanh-toan/")
    services.dossier_step_complete(dossier=d, actor=team.specialist)
    services.dossier_approve(dossier=d, actor=team.leader)
    r = _post(actors.official_with_role.client, f"{BASE}/staff/{d.public_id}/return-result", {"method": "counter"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "fee_pending"
    r = _post(actors.official_with_role.client, f"{BASE}/staff/{d.public_id}/record-fee")
    assert r.status_code == 200 and r.json()["fee_status"] == "paid"
    r = _post(actors.official_with_role.client, f"{BASE}/staff/{d.public_id}/return-result", {"method": "counter"})
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_apologise_over_the_api(actors):
    import datetime as dt

    from django.utils import timezone

    proc = ProcedureFactory(agency=actors.agency, fee=0)
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    new_due = (d.due_at + dt.timedelta(days=7)).astimezone(timezone.get_current_timezone())
    r = _post(actors.official_with_role.client, f"{BASE}/staff/{d.public_id}/apologise",
              {"reason": "Chờ xác minh", "new_due_at": new_due.isoformat()})
    assert r.status_code == 200, r.content
    d.refresh_from_db()
    assert d.due_at == new_due and d.apologies.count() == 1


def test_create_edit_withdraw_list_matrix(actors, proc):
    payload = {"procedure_code": proc.code, "agency": str(actors.agency.public_id), "form_data": {}}
    assert_matrix(actors, lambda a: _post(a.client, BASE, payload),
                  {"anonymous": 401, "citizen_a": 201, "citizen_b": 201,
                   "official_other_agency": 201, "official_with_role": 201}, unchanged=_unchanged())
    d = Dossier.objects.filter(applicant=actors.citizen_a.user).get()
    assert_matrix(actors, lambda a: a.client.patch(f"{BASE}/{d.public_id}", json.dumps({"form_data": FORM_DATA}),
                                                   content_type="application/json"),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())
    assert_matrix(actors, lambda a: a.client.get(BASE),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 200,
                   "official_other_agency": 200, "official_with_role": 200})
    assert [x["id"] for x in actors.citizen_b.client.get(BASE).json()["items"]] != [str(d.public_id)]
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/{d.public_id}/withdraw"),
                  {"anonymous": 401, "citizen_a": 200, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 404}, unchanged=_unchanged())


def test_apply_matrix(actors, proc):
    def send(a):
        return a.client.post(f"{BASE}/apply", {
            "procedure_code": proc.code, "agency": str(actors.agency.public_id),
            "form_data": json.dumps(FORM_DATA), "don": upload(), "cccd": upload()})

    assert_matrix(actors, send, {"anonymous": 401, "citizen_a": 201, "citizen_b": 201,
                                 "official_other_agency": 201, "official_with_role": 201})
    assert Dossier.objects.count() == 4


@pytest.mark.parametrize("actors_role", ["leader"])
def test_apologise_and_record_fee_matrix(actors):
    import datetime as dt

    from tests.dossiers.factories import payee_account

    proc = ProcedureFactory(agency=actors.agency)
    payee_account(actors.agency)
    team = Team(actors.agency)
    d = received_dossier(proc, actors.agency, team, actors.citizen_a.user)
    new_due = (d.due_at + dt.timedelta(days=7)).isoformat()
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/apologise",
                                          {"reason": "Chậm", "new_due_at": new_due}),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404,
                   "official_other_agency": 404, "official_with_role": 200}, unchanged=_unchanged())
    # recording a cash fee is the clerk's: the leader is in scope but not allowed
    clerk = actors.add("clerk", team.clerk)
    assert clerk
    assert_matrix(actors, lambda a: _post(a.client, f"{BASE}/staff/{d.public_id}/record-fee"),
                  {"anonymous": 401, "citizen_a": 404, "citizen_b": 404, "official_other_agency": 404,
                   "official_with_role": 403, "clerk": 200}, unchanged=_unchanged())
