"""The dossier lifecycle through the services: online and at the counter, supplements,
refusal, transfer, approval, fees, withdrawal, rating, notifications and audit."""

from __future__ import annotations

import pytest

from tests.dossiers.factories import (
    FEE,
    FORM_DATA,
    ProcedureFactory,
    Team,
    payee_account,
    received_dossier,
    submitted_dossier,
    upload,
    uploads,
)
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tinhso.dossiers import services
from tinhso.dossiers.machine import DossierFlow
from tinhso.dossiers.models import Dossier, DossierDocument, FeeStatus, Rating, Status
from tinhso.notify.models import Notification

pytestmark = pytest.mark.django_db


def _notified(user, event):
    return Notification.objects.filter(recipient=user, event=event).exists()


def test_online_lifecycle_end_to_end(agency, team, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency,
                                    form_data={"full_name": "Nguyễn Văn An"})
    assert d.status == Status.DRAFT and d.code is None
    for code in ("don", "cccd"):
        services.dossier_attach(dossier=d, actor=citizen, requirement_code=code, uploaded=upload())
    d = services.dossier_submit(dossier=d, actor=citizen)
    assert d.status == Status.SUBMITTED
    assert d.code.startswith(f"{agency.code}-") and d.code.endswith("-0001")
    assert len(d.tracking_secret) == 8 and d.tracking_secret.isupper()
    assert _notified(team.clerk, "dossier.submitted") and _notified(citizen, "dossier.submitted")

    d = services.dossier_receive(dossier=d, actor=team.clerk)
    assert d.status == Status.PROCESSING and d.received_at and d.due_at
    steps = list(d.steps.order_by("order"))
    assert steps[0].finished_at is not None and steps[0].assignee == team.clerk  # the receipt step
    assert steps[1].started_at is not None and steps[1].finished_at is None
    assert _notified(team.specialist, "dossier.received") and _notified(citizen, "dossier.received")

    d = services.dossier_step_complete(dossier=d, actor=team.specialist, note="Đủ điều kiện")
    assert d.status == Status.AWAITING_APPROVAL
    assert _notified(team.leader, "dossier.submit_for_approval")

    d = services.dossier_approve(dossier=d, actor=team.leader, result_file=upload("ketqua.pdf"))
    assert d.status == Status.RESULT_READY and d.finished_at and d.result_file is not None
    d = services.dossier_return_result(dossier=d, actor=team.clerk, method="online")
    assert d.status == Status.DONE and d.result_method == "online" and d.returned_at
    rating = services.dossier_rate(dossier=d, actor=citizen, score=5, comment="Nhanh")
    assert rating.score == 5
    with pytest.raises(Conflict):
        services.dossier_rate(dossier=d, actor=citizen, score=4)

    transitions = [log.transition for log in DossierFlow.history(d)]
    assert transitions == ["submit", "receive", "submit_for_approval", "approve", "return_result"]
    actions = set(AuditEvent.objects.filter(object_id=str(d.pk), object_type="dossiers.dossier")
                  .values_list("action", flat=True))
    assert {"dossier.submit", "dossier.receive", "dossier.approve", "dossier.return_result", "dossier.rate"} <= actions


def test_counter_dossier_is_received_at_once(agency, team, free_procedure, citizen):
    d = services.dossier_record_at_counter(clerk=team.clerk, agency=agency, procedure=free_procedure,
                                           applicant=citizen, form_data=dict(FORM_DATA),
                                           uploads={"don": upload()})
    assert d.channel == "counter" and d.status == Status.PROCESSING and d.received_at
    assert d.recorded_by == team.clerk
    docs = {doc.requirement_code: doc.is_digitised for doc in d.documents.all()}
    assert docs == {"don": True, "cccd": False}
    assert _notified(citizen, "dossier.received")


def test_counter_needs_a_clerk_of_the_agency(agency, team, free_procedure, citizen):
    with pytest.raises(NotAllowed):
        services.dossier_record_at_counter(clerk=team.specialist, agency=agency, procedure=free_procedure,
                                           applicant=citizen, form_data=dict(FORM_DATA), uploads={})
    assert not Dossier.objects.exists()


def test_submit_checks_form_and_documents(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency, form_data={})
    with pytest.raises(ValidationFailed) as exc:
        services.dossier_submit(dossier=d, actor=citizen)
    assert exc.value.code == "invalid_form" and "full_name" in exc.value.details["fields"]
    services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency,
                                form_data=dict(FORM_DATA), dossier=d)
    with pytest.raises(ValidationFailed) as exc:
        services.dossier_submit(dossier=d, actor=citizen)
    assert exc.value.code == "missing_documents" and exc.value.details["missing"] == ["don", "cccd"]
    d.refresh_from_db()
    assert d.status == Status.DRAFT and d.code is None


def test_create_rejects_bad_input_and_stores_nothing(agency, free_procedure, citizen):
    other = AgencyFactory()
    cases = [
        ({"agency": other}, "invalid_agency"),
        ({"form_data": {"full_name": ""}}, "invalid_form"),
        ({"form_data": {"full_name": "A", "hack": 1}}, "invalid_form"),
        ({"uploads": {"don": upload()}}, "missing_documents"),
        ({"uploads": {**uploads(), "la": upload()}}, "unknown_requirement"),
    ]
    for override, code in cases:
        kwargs = {"applicant": citizen, "procedure": free_procedure, "agency": agency,
                  "form_data": dict(FORM_DATA), "uploads": uploads(), "idempotency_key": None}
        kwargs.update(override)
        with pytest.raises(ValidationFailed) as exc:
            services.dossier_create_and_submit(**kwargs)
        assert exc.value.code == code
    assert not Dossier.objects.exists()


def test_unpublished_procedure_is_refused(agency, citizen):
    proc = ProcedureFactory(agency=agency, is_published=False)
    with pytest.raises(ValidationFailed):
        submitted_dossier(proc, agency, citizen)


def test_only_the_applicant_edits_and_only_drafts(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency, form_data={})
    stranger = UserFactory()
    with pytest.raises(NotFound):
        services.dossier_save_draft(applicant=stranger, procedure=free_procedure, agency=agency,
                                    form_data={"x": 1}, dossier=d)
    with pytest.raises(NotFound):
        services.dossier_attach(dossier=d, actor=stranger, requirement_code="don", uploaded=upload())
    assert not DossierDocument.objects.exists()
    d2 = submitted_dossier(free_procedure, agency, citizen)
    with pytest.raises(Conflict):
        services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency,
                                    form_data={}, dossier=d2)


def test_attach_replaces_the_document(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency, form_data={})
    services.dossier_attach(dossier=d, actor=citizen, requirement_code="don", uploaded=upload("a.pdf"))
    services.dossier_attach(dossier=d, actor=citizen, requirement_code="don", uploaded=upload("b.pdf"))
    docs = list(d.documents.all())
    assert len(docs) == 1 and docs[0].file.original_name == "b.pdf"
    with pytest.raises(ValidationFailed):
        services.dossier_attach(dossier=d, actor=citizen, requirement_code="nope", uploaded=upload())


def test_supplement_before_receipt(agency, team, free_procedure, citizen):
    d = submitted_dossier(free_procedure, agency, citizen)
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Thiếu bản sao căn cước rõ nét")
    assert d.status == Status.SUPPLEMENT_REQUESTED and d.paused_at is None
    assert _notified(citizen, "dossier.supplement_requested")
    services.dossier_attach(dossier=d, actor=citizen, requirement_code="cccd", uploaded=upload("moi.pdf"))
    services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=None,
                                form_data={**FORM_DATA, "content": "Bổ sung"}, dossier=d)
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    assert d.status == Status.SUBMITTED and d.form_data["content"] == "Bổ sung"
    assert d.supplement_requests.get().resolved_at is not None
    assert _notified(team.clerk, "dossier.resubmitted")
    d = services.dossier_receive(dossier=d, actor=team.clerk)
    assert d.status == Status.PROCESSING


def test_supplement_after_receipt_returns_to_processing(agency, team, free_procedure, citizen):
    d = received_dossier(free_procedure, agency, team, citizen)
    d = services.dossier_request_supplement(dossier=d, actor=team.clerk, reason="Bổ sung giấy tờ")
    assert d.paused_at is not None
    d = services.dossier_resubmit(dossier=d, actor=citizen)
    assert d.status == Status.PROCESSING and d.paused_at is None
    assert d.current_step().order == 2


def test_refusal(agency, team, procedure, citizen):
    payee_account(agency)
    d = received_dossier(procedure, agency, team, citizen)
    assert d.fee_status == FeeStatus.PENDING
    with pytest.raises(ValidationFailed):
        services.dossier_refuse(dossier=d, actor=team.clerk, reason="  ")
    with pytest.raises(NotAllowed):
        services.dossier_refuse(dossier=d, actor=team.specialist, reason="Không đủ điều kiện")
    d = services.dossier_refuse(dossier=d, actor=team.clerk, reason="Không đủ điều kiện")
    assert d.status == Status.REFUSED and d.refusal.reason == "Không đủ điều kiện" and d.finished_at
    assert d.fee_status == FeeStatus.NOT_REQUIRED
    from tinhso.payments.selectors import intents_for_object

    assert [i.status for i in intents_for_object(obj=d)] == ["cancelled"]
    assert _notified(citizen, "dossier.refused")
    with pytest.raises(Conflict):
        services.dossier_receive(dossier=d, actor=team.clerk)


def test_transfer_to_another_agency(agency, citizen):
    other = AgencyFactory()
    proc = ProcedureFactory(agency=agency, step2_agency=other, fee=0)
    team = Team(agency, other=other)
    d = received_dossier(proc, agency, team, citizen)
    assert d.current_agency == other and d.current_step().agency == other
    # the specialist of the receiving agency does not hold the step
    with pytest.raises(NotAllowed):
        services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_step_complete(dossier=d, actor=team.other_specialist, note="Đã thẩm định")
    assert d.status == Status.AWAITING_APPROVAL and d.current_agency == agency
    log = DossierFlow.history(d).last()
    assert log.transition == "submit_for_approval" and log.data["transfer_to"] == agency.code
    assert _notified(team.other_specialist, "dossier.received")  # the other agency got the dossier
    assert _notified(team.leader, "dossier.submit_for_approval")


def test_reject_approval_goes_back_to_the_previous_step(agency, team, free_procedure, citizen):
    d = received_dossier(free_procedure, agency, team, citizen)
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    with pytest.raises(NotAllowed):
        services.dossier_approve(dossier=d, actor=team.specialist)
    d = services.dossier_reject_approval(dossier=d, actor=team.leader, reason="Thiếu thẩm định")
    assert d.status == Status.PROCESSING and d.current_step().order == 2
    assert _notified(team.specialist, "dossier.approval_rejected")
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_approve(dossier=d, actor=team.leader)
    assert d.status == Status.RESULT_READY


def test_assignment(agency, team, free_procedure, citizen):
    d = received_dossier(free_procedure, agency, team, citizen)
    second = MembershipFactory(agency=agency, role=role("specialist")).user
    with pytest.raises(NotAllowed):
        services.dossier_assign(dossier=d, actor=team.specialist, assignee=second)
    with pytest.raises(ValidationFailed):
        services.dossier_assign(dossier=d, actor=team.leader, assignee=UserFactory())
    step = services.dossier_assign(dossier=d, actor=team.leader, assignee=second)
    assert step.assignee == second and _notified(second, "dossier.assigned")
    with pytest.raises(NotAllowed):  # assigned to someone else
        services.dossier_step_complete(dossier=d, actor=team.specialist)
    services.dossier_step_complete(dossier=d, actor=second)


def test_bulk_assignment_is_all_or_nothing(agency, team, free_procedure):
    a = received_dossier(free_procedure, agency, team)
    b = submitted_dossier(free_procedure, agency)  # not received: no step
    with pytest.raises(Conflict):
        services.dossier_assign_bulk(dossiers=[a, b], actor=team.leader, assignee=team.specialist)
    assert a.steps.get(order=2).assignee is None
    c = received_dossier(free_procedure, agency, team)
    assert services.dossier_assign_bulk(dossiers=[a, c], actor=team.leader, assignee=team.specialist) == 2


def test_fee_paid_through_on_paid_then_result_returned(agency, team, procedure, citizen):
    payee_account(agency)
    d = received_dossier(procedure, agency, team, citizen)
    assert d.fee_amount == FEE and d.fee_status == FeeStatus.PENDING and d.payment_public_id
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_approve(dossier=d, actor=team.leader)
    with pytest.raises(Conflict) as exc:
        services.dossier_return_result(dossier=d, actor=team.clerk, method="counter")
    assert exc.value.code == "fee_pending"
    d.refresh_from_db()
    assert d.status == Status.RESULT_READY

    from tinhso.payments import services as pay
    from tinhso.payments.models import PaymentIntent

    intent = PaymentIntent.objects.get(public_id=d.payment_public_id)
    assert intent.purpose == "dossier_fee" and intent.amount == FEE and intent.payee_agency == agency
    assert pay.payment_confirm(intent=intent, gateway="sandbox", reference="T1")
    d.refresh_from_db()
    assert d.fee_status == FeeStatus.PAID
    d = services.dossier_return_result(dossier=d, actor=team.clerk, method="counter")
    assert d.status == Status.DONE


def test_fee_without_payee_account_is_recorded_at_counter(agency, team, procedure, citizen):
    d = received_dossier(procedure, agency, team, citizen)
    assert d.fee_status == FeeStatus.PENDING and d.payment_public_id is None
    with pytest.raises(NotAllowed):
        services.dossier_fee_record_at_counter(dossier=d, actor=team.specialist)
    d = services.dossier_fee_record_at_counter(dossier=d, actor=team.clerk)
    assert d.fee_status == FeeStatus.PAID


def test_withdraw_only_before_receipt(agency, team, free_procedure, citizen):
    d = submitted_dossier(free_procedure, agency, citizen)
    with pytest.raises(NotFound):
        services.dossier_withdraw(dossier=d, actor=UserFactory())
    d = services.dossier_withdraw(dossier=d, actor=citizen, reason="Nộp nhầm")
    assert d.status == Status.WITHDRAWN
    d2 = received_dossier(free_procedure, agency, team, citizen)
    with pytest.raises(Conflict):
        services.dossier_withdraw(dossier=d2, actor=citizen)


def test_rating_rules(agency, team, free_procedure, citizen):
    d = received_dossier(free_procedure, agency, team, citizen)
    with pytest.raises(Conflict):
        services.dossier_rate(dossier=d, actor=citizen, score=5)
    d = services.dossier_step_complete(dossier=d, actor=team.specialist)
    d = services.dossier_approve(dossier=d, actor=team.leader)
    d = services.dossier_return_result(dossier=d, actor=team.clerk, method="post")
    for bad in (0, 6, "5", True):
        with pytest.raises(ValidationFailed):
            services.dossier_rate(dossier=d, actor=citizen, score=bad)
    with pytest.raises(NotFound):
        services.dossier_rate(dossier=d, actor=UserFactory(), score=3)
    assert not Rating.objects.exists()


def test_wrong_state_gives_conflict(agency, team, free_procedure, citizen):
    d = submitted_dossier(free_procedure, agency, citizen)
    with pytest.raises(Conflict):
        services.dossier_step_complete(dossier=d, actor=team.specialist)
    with pytest.raises(Conflict):
        services.dossier_return_result(dossier=d, actor=team.clerk, method="online")
    with pytest.raises(ValidationFailed):
        services.dossier_return_result(dossier=d, actor=team.clerk, method="pigeon")
    with pytest.raises(NotAllowed):
        services.dossier_receive(dossier=d, actor=team.specialist)
    d.refresh_from_db()
    assert d.status == Status.SUBMITTED


def test_queues(agency, team, free_procedure, citizen):
    from tinhso.dossiers.selectors import staff_queue, staff_queue_counts

    waiting = submitted_dossier(free_procedure, agency, citizen)
    working = received_dossier(free_procedure, agency, team)
    assert list(staff_queue(user=team.clerk, queue="to_receive")) == [waiting]
    assert list(staff_queue(user=team.specialist, queue="to_process")) == [working]
    assert list(staff_queue(user=team.leader, queue="to_process")) == []
    colleague = MembershipFactory(agency=agency, role=role("specialist")).user
    services.dossier_assign(dossier=working, actor=team.leader, assignee=colleague)
    assert list(staff_queue(user=team.specialist, queue="to_process")) == []
    assert list(staff_queue(user=colleague, queue="to_process")) == [working]
    services.dossier_step_complete(dossier=working, actor=colleague)
    assert list(staff_queue(user=team.leader, queue="to_approve")) == [working]
    services.dossier_approve(dossier=working, actor=team.leader)
    assert list(staff_queue(user=team.clerk, queue="to_return")) == [working]
    assert list(staff_queue(user=team.clerk, queue="to_receive", q=waiting.code[-4:])) == [waiting]
    assert staff_queue_counts(user=AgencyFactory() and UserFactory()) == dict.fromkeys(
        ("to_receive", "to_process", "to_approve", "to_return", "due_soon", "overdue"), 0)
    with pytest.raises(ValidationFailed):
        staff_queue(user=team.clerk, queue="everything")
