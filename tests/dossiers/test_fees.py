"""The dossier fee follows the catalogue's fee rules and the form: e.g. birth registration is
free, each paper copy of the extract costs 8.000 đ (Thông tư 281/2016/TT-BTC)."""

from __future__ import annotations

import pytest

from tests.dossiers.factories import FORM_DATA, FORM_SCHEMA, ProcedureFactory, payee_account, uploads
from tinhso.core.errors import Conflict
from tinhso.dossiers import services
from tinhso.dossiers.models import FeeStatus, Status
from tinhso.procedures.models import ProcedureFee

pytestmark = pytest.mark.django_db


@pytest.fixture
def per_copy(agency):
    proc = ProcedureFactory(agency=agency, fee=0)
    schema = {**FORM_SCHEMA, "properties": {**FORM_SCHEMA["properties"],
                                            "so_ban_sao": {"type": "integer", "title": "Số bản sao", "minimum": 0,
                                                           "maximum": 10}}}
    proc.form_schema = schema
    proc.save()
    ProcedureFee.objects.create(procedure=proc, name="Lệ phí đăng ký", amount=0)
    ProcedureFee.objects.create(procedure=proc, name="Phí bản sao", amount=8000, quantity_field="so_ban_sao",
                                quantity_unit="bản sao")
    return proc


def _submit(proc, agency, citizen, copies):
    return services.dossier_create_and_submit(
        applicant=citizen, procedure=proc, agency=agency, form_data={**FORM_DATA, "so_ban_sao": copies},
        uploads=uploads(), idempotency_key=None)


def _intents(d):
    from tinhso.payments.selectors import intents_for_object

    return sorted((i.amount, i.status) for i in intents_for_object(obj=d))


def test_no_copy_no_fee_no_intent_and_result_returned(agency, team, per_copy, citizen):
    payee_account(agency)
    d = _submit(per_copy, agency, citizen, 0)
    assert d.fee_amount == 0
    d = services.dossier_receive(dossier=d, actor=team.clerk)
    assert d.fee_status == FeeStatus.NOT_REQUIRED and d.payment_public_id is None and _intents(d) == []
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_approve(dossier=d, actor=team.leader)
    d = services.dossier_return_result(dossier=d, actor=team.clerk, method="counter")
    assert d.status == Status.DONE


def test_two_copies_give_a_16000_intent(agency, team, per_copy, citizen):
    payee_account(agency)
    d = _submit(per_copy, agency, citizen, 2)
    assert d.fee_amount == 16000
    d = services.dossier_receive(dossier=d, actor=team.clerk)
    assert d.fee_status == FeeStatus.PENDING and _intents(d) == [(16000, "pending")]
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_approve(dossier=d, actor=team.leader)
    with pytest.raises(Conflict) as exc:
        services.dossier_return_result(dossier=d, actor=team.clerk, method="counter")
    assert exc.value.code == "fee_pending"


def test_counter_dossier_is_charged_by_the_form(agency, team, per_copy, citizen):
    d = services.dossier_record_at_counter(clerk=team.clerk, agency=agency, procedure=per_copy, applicant=citizen,
                                           form_data={**FORM_DATA, "so_ban_sao": 3})
    assert d.fee_amount == 24000 and d.fee_status == FeeStatus.PENDING


def test_supplement_before_receipt_recomputes_the_fee(agency, team, per_copy, citizen):
    d = _submit(per_copy, agency, citizen, 2)
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Ghi lại số bản sao")
    services.dossier_save_draft(applicant=citizen, procedure=per_copy, agency=None,
                                form_data={**FORM_DATA, "so_ban_sao": 0}, dossier=d)
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    assert d.fee_amount == 0
    d.refresh_from_db()
    assert d.fee_amount == 0
    d = services.dossier_receive(dossier=d, actor=team.clerk)
    assert d.fee_status == FeeStatus.NOT_REQUIRED


def test_supplement_after_receipt_replaces_the_pending_intent(agency, team, per_copy, citizen):
    payee_account(agency)
    d = services.dossier_receive(dossier=_submit(per_copy, agency, citizen, 2), actor=team.clerk)
    first = d.payment_public_id
    for copies, amount, status in ((1, 8000, FeeStatus.PENDING), (0, 0, FeeStatus.NOT_REQUIRED),
                                   (2, 16000, FeeStatus.PENDING)):
        d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung")
        services.dossier_save_draft(applicant=citizen, procedure=per_copy, agency=None,
                                    form_data={**FORM_DATA, "so_ban_sao": copies}, dossier=d)
        d = services.dossier_resubmit(dossier=d, actor=citizen)
        d.refresh_from_db()
        assert (d.fee_amount, d.fee_status) == (amount, status)
    assert d.payment_public_id not in (None, first)
    assert _intents(d) == [(8000, "cancelled"), (16000, "cancelled"), (16000, "pending")]


def test_paid_fee_is_not_recomputed(agency, team, per_copy, citizen):
    d = services.dossier_receive(dossier=_submit(per_copy, agency, citizen, 2), actor=team.clerk)
    d = services.dossier_fee_record_at_counter(dossier=d, actor=team.clerk)
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung")
    services.dossier_save_draft(applicant=citizen, procedure=per_copy, agency=None,
                                form_data={**FORM_DATA, "so_ban_sao": 5}, dossier=d)
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    d.refresh_from_db()
    assert (d.fee_amount, d.fee_status) == (16000, FeeStatus.PAID)
