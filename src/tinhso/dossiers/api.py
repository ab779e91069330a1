"""Dossiers API (mounted at /api/v1/dossiers).

Citizens: create a draft, attach documents (multipart), submit with an ``Idempotency-Key``
header, or do all of it at once (``POST /dossiers/apply``, multipart); read their own dossiers;
edit and resubmit after a supplement request; withdraw; rate. Another person's dossier is a 404.

Officials: ``/dossiers/staff`` queues and actions, limited to the agencies of their current
memberships (a dossier outside that scope is a 404; an action their role does not allow, 403).

Public: ``/dossiers/tracking/{code}?secret=`` without login, no personal data.
"""


import json
import uuid
from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Header, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.orgs.selectors import agency_get

from . import selectors, services
from .machine import DossierFlow
from .models import Dossier

router = Router(tags=["dossiers"])
# The public tracking lookup has a router of its own, mounted first under /dossiers/tracking
# (tinhso.core.api): the busiest anonymous endpoint is then the first API route Django tries.
tracking_router = Router(tags=["dossiers"])

QueueParam = Literal["to_receive", "to_process", "to_approve", "to_return", "due_soon", "overdue"]
OPTIONAL_FILE = File(None)
IDEMPOTENCY_DOC = "Retrying with the same key returns the same dossier; the key with another payload → 422 idempotency_conflict."


# --- schemas ---------------------------------------------------------------------------------


class ProcedureRef(Schema):
    code: str
    name: str


class AgencyRef(Schema):
    public_id: uuid.UUID
    code: str
    name: str


class DocumentOut(Schema):
    requirement_code: str
    name: str
    file_id: uuid.UUID | None = Field(None, description="download at /files/{file_id}/")
    is_digitised: bool

    @staticmethod
    def resolve_file_id(obj) -> uuid.UUID | None:
        return obj.file.public_id if obj.file_id else None


class StepOut(Schema):
    order: int
    name: str
    agency: AgencyRef
    role_code: str
    due_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


class HistoryOut(Schema):
    at: datetime
    transition: str
    status: str
    label: str


class DossierListOut(Schema):
    id: uuid.UUID = Field(..., alias="public_id")
    code: str | None
    status: str
    status_label: str
    procedure: ProcedureRef
    agency: AgencyRef
    channel: str
    submitted_at: datetime | None
    due_at: datetime | None
    is_overdue: bool


class DossierOut(DossierListOut):
    tracking_secret: str | None = Field(None, description="printed on the receipt; given to the applicant only")
    form_data: dict[str, Any]
    received_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    result_method: str
    result_file_id: uuid.UUID | None = None
    fee_amount: int
    fee_status: str
    payment_url: str | None = None
    supplement_reason: str | None = None
    refusal_reason: str | None = None
    documents: list[DocumentOut]
    steps: list[StepOut]
    history: list[HistoryOut]

    @staticmethod
    def resolve_tracking_secret(obj: Dossier) -> str | None:
        return obj.tracking_secret or None

    @staticmethod
    def resolve_result_file_id(obj: Dossier) -> uuid.UUID | None:
        return obj.result_file.public_id if obj.result_file_id else None

    @staticmethod
    def resolve_payment_url(obj: Dossier) -> str | None:
        if not obj.payment_public_id:
            return None
        try:
            return reverse("payments:pay", kwargs={"public_id": obj.payment_public_id})
        except NoReverseMatch:
            return None

    @staticmethod
    def resolve_supplement_reason(obj: Dossier) -> str | None:
        if obj.status != "supplement_requested":
            return None
        req = obj.supplement_requests.filter(resolved_at__isnull=True).order_by("-requested_at").first()
        return req.reason if req else None

    @staticmethod
    def resolve_refusal_reason(obj: Dossier) -> str | None:
        refusal = getattr(obj, "refusal", None) if obj.status == "refused" else None
        return refusal.reason if refusal else None

    @staticmethod
    def resolve_documents(obj: Dossier):
        fresh = getattr(obj, "fresh_documents", None)  # set by the service that just created it
        if fresh is not None:
            return fresh
        return list(obj.documents.select_related("file").order_by("id"))

    @staticmethod
    def resolve_steps(obj: Dossier):
        if obj.received_at is None:  # steps are created at receipt
            return []
        return list(obj.steps.select_related("agency").order_by("order"))

    @staticmethod
    def resolve_history(obj: Dossier):
        return [
            {"at": log.at, "transition": log.transition, "status": log.to_state,
             "label": DossierFlow.state_label(log.to_state)}
            for log in getattr(obj, "fresh_history", None) or DossierFlow.history(obj)
        ]


class StaffDossierListOut(DossierListOut):
    applicant_name: str
    current_agency: AgencyRef | None

    @staticmethod
    def resolve_applicant_name(obj: Dossier) -> str:
        return obj.applicant.full_name


class StaffDossierOut(DossierOut):
    applicant_name: str
    applicant_id: uuid.UUID
    current_agency: AgencyRef | None
    actions: list[str] = Field(..., description="actions you may take now")

    @staticmethod
    def resolve_form_data(obj: Dossier) -> dict[str, Any]:
        """National IDs in the form are masked for staff, as on the staff page; the full value
        is shown only through the audited reveal on the staff page."""
        from tinhso.accounts.crypto import mask_identifier

        from .selectors import national_id_field_names

        data = dict(obj.form_data or {})
        for name in national_id_field_names(obj.procedure.form_schema):
            if data.get(name):
                data[name] = mask_identifier(str(data[name]))
        return data

    @staticmethod
    def resolve_tracking_secret(obj: Dossier) -> str | None:
        return None

    @staticmethod
    def resolve_applicant_name(obj: Dossier) -> str:
        return obj.applicant.full_name

    @staticmethod
    def resolve_applicant_id(obj: Dossier) -> uuid.UUID:
        return obj.applicant.public_id

    @staticmethod
    def resolve_actions(obj: Dossier, context) -> list[str]:
        return selectors.dossier_actions(dossier=obj, user=context["request"].user)


class DraftIn(Schema):
    procedure_code: str = Field(..., max_length=30, examples=["1.001193"])
    agency: uuid.UUID = Field(..., description="public id of the receiving agency")
    form_data: dict[str, Any] = Field(default_factory=dict)


class DraftUpdateIn(Schema):
    form_data: dict[str, Any]
    agency: uuid.UUID | None = Field(None, description="change the receiving agency (drafts only)")


class NoteIn(Schema):
    note: str = Field("", max_length=4000)


class StepNoteIn(NoteIn):
    step: int | None = Field(None, ge=1, description="the step you saw; 409 step_moved_on if it was already completed")


class ReasonIn(Schema):
    reason: str = Field(..., max_length=4000)


class AssignIn(Schema):
    assignee: uuid.UUID = Field(..., description="public id of the official")


class ReturnIn(Schema):
    method: Literal["online", "counter", "post"]


class ApologyIn(Schema):
    reason: str = Field(..., max_length=4000)
    new_due_at: datetime


class RateIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class WithdrawIn(Schema):
    reason: str = Field("", max_length=4000)


class TrackingHistoryOut(Schema):
    at: datetime
    status: str
    label: str


class TrackingOut(Schema):
    code: str
    procedure: str
    procedure_code: str
    agency: str
    status: str
    status_label: str
    submitted_at: datetime | None
    received_at: datetime | None
    due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    is_overdue: bool
    history: list[TrackingHistoryOut]


# --- helpers ---------------------------------------------------------------------------------


def _procedure(code: str):
    from tinhso.procedures.selectors import procedure_get_for_submission

    return procedure_get_for_submission(code=code)


def _agency(public_id):
    try:
        return agency_get(public_id=public_id)
    except NotFound as exc:
        raise ValidationFailed(_("Không tìm thấy cơ quan tiếp nhận."), code="invalid_agency",
                               details={"field": "agency"}) from exc


def _mine(request, public_id) -> Dossier:
    return selectors.dossier_get_for_applicant(user=request.user, public_id=public_id)


def _staff(request, public_id) -> Dossier:
    return selectors.dossier_get_for_staff(user=request.user, public_id=public_id)


def _fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_related("procedure", "agency", "current_agency", "applicant").get(pk=dossier.pk)


# --- citizen ---------------------------------------------------------------------------------


@router.post("", response={201: DossierOut}, summary="Create a draft dossier")
def create_draft(request: HttpRequest, payload: DraftIn):
    dossier = services.dossier_save_draft(applicant=request.user, procedure=_procedure(payload.procedure_code),
                                          agency=_agency(payload.agency), form_data=payload.form_data,
                                          request=request)
    return Status(201, _fresh(dossier))


@router.post(
    "/apply", response={201: DossierOut},
    summary="Create and submit a dossier in one call (multipart)",
    description="Fields: `procedure_code`, `agency` (public id), `form_data` (a JSON object as text) and one "
    "file per required document, named by its code. Header `Idempotency-Key`: " + IDEMPOTENCY_DOC,
)
def apply(request: HttpRequest, procedure_code: Form[str], agency: Form[uuid.UUID], form_data: Form[str] = "{}",
          idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    try:
        data = json.loads(form_data or "{}")
    except ValueError as exc:
        raise ValidationFailed(_("form_data phải là JSON hợp lệ."), details={"field": "form_data"}) from exc
    uploads = {name: request.FILES[name] for name in request.FILES}
    dossier = services.dossier_create_and_submit(
        applicant=request.user, procedure=_procedure(procedure_code), agency=_agency(agency), form_data=data,
        uploads=uploads, idempotency_key=idempotency_key, request=request,
    )
    # The service's instance already carries its procedure, agency and applicant: no re-read.
    return Status(201, dossier)


@router.get("", response=list[DossierListOut], summary="My dossiers, newest first")
@paginate
def my_dossiers(request: HttpRequest):
    return selectors.dossiers_of_applicant(user=request.user)


@router.get("/{uuid:public_id}", response=DossierOut, summary="One of my dossiers")
def my_dossier(request: HttpRequest, public_id: uuid.UUID):
    return _mine(request, public_id)


@router.patch("/{uuid:public_id}", response=DossierOut, summary="Edit a draft (or a dossier awaiting a supplement)")
def edit(request: HttpRequest, public_id: uuid.UUID, payload: DraftUpdateIn):
    dossier = _mine(request, public_id)
    agency = _agency(payload.agency) if payload.agency else None
    services.dossier_save_draft(applicant=request.user, procedure=dossier.procedure, agency=agency,
                                form_data=payload.form_data, dossier=dossier, request=request)
    return _fresh(dossier)


@router.post("/{uuid:public_id}/documents", response={201: DocumentOut},
             summary="Attach the file of one required document (multipart: requirement_code, file)")
def attach(request: HttpRequest, public_id: uuid.UUID, requirement_code: Form[str], file: File[UploadedFile]):
    dossier = _mine(request, public_id)
    doc = services.dossier_attach(dossier=dossier, actor=request.user, requirement_code=requirement_code,
                                  uploaded=file, request=request)
    return Status(201, doc)


@router.post("/{uuid:public_id}/submit", response=DossierOut, summary="Submit a draft",
             description="Header `Idempotency-Key` (optional): " + IDEMPOTENCY_DOC)
def submit(request: HttpRequest, public_id: uuid.UUID,
           idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    dossier = _mine(request, public_id)
    services.dossier_submit(dossier=dossier, actor=request.user, idempotency_key=idempotency_key, request=request)
    return _fresh(dossier)


@router.post("/{uuid:public_id}/resubmit", response=DossierOut, summary="Send the supplemented dossier back")
def resubmit(request: HttpRequest, public_id: uuid.UUID):
    dossier = services.dossier_resubmit(dossier=_mine(request, public_id), actor=request.user, request=request)
    return _fresh(dossier)


@router.post("/{uuid:public_id}/withdraw", response=DossierOut, summary="Withdraw a dossier not yet received")
def withdraw(request: HttpRequest, public_id: uuid.UUID, payload: WithdrawIn):
    dossier = services.dossier_withdraw(dossier=_mine(request, public_id), actor=request.user,
                                        reason=payload.reason, request=request)
    return _fresh(dossier)


class RatingOut(Schema):
    score: int
    comment: str
    created_at: datetime


@router.post("/{uuid:public_id}/rate", response={201: RatingOut}, summary="Rate the service (1–5) after the result")
def rate(request: HttpRequest, public_id: uuid.UUID, payload: RateIn):
    rating = services.dossier_rate(dossier=_mine(request, public_id), actor=request.user, score=payload.score,
                                   comment=payload.comment, request=request)
    return Status(201, rating)


# --- staff -----------------------------------------------------------------------------------


@router.get("/staff", response=list[StaffDossierListOut], summary="A work queue of the official",
            description="Queues: to_receive, to_process, to_approve, to_return, due_soon, overdue — limited to "
            "the agencies and roles of your current memberships.")
@paginate
def staff_queue(request: HttpRequest, queue: QueueParam = "to_receive",
                q: str | None = Query(None, max_length=100, description="code or applicant name"),
                procedure: str | None = Query(None, max_length=30, description="procedure code")):
    return selectors.staff_queue(user=request.user, queue=queue, q=q, procedure=procedure)


@router.get("/staff/{uuid:public_id}", response=StaffDossierOut, summary="A dossier in your scope")
def staff_detail(request: HttpRequest, public_id: uuid.UUID):
    return _staff(request, public_id)


def _staff_action(path: str, summary: str):
    return router.post(f"/staff/{{uuid:public_id}}/{path}", response=StaffDossierOut, summary=summary)


@_staff_action("receive", "Receive (one-stop clerk of the receiving agency)")
def staff_receive(request: HttpRequest, public_id: uuid.UUID, payload: NoteIn):
    d = services.dossier_receive(dossier=_staff(request, public_id), actor=request.user, note=payload.note,
                                 request=request)
    return _fresh(d)


@_staff_action("request-supplement", "Request a supplement (form 02)")
def staff_request_supplement(request: HttpRequest, public_id: uuid.UUID, payload: ReasonIn):
    d = services.dossier_request_supplement(dossier=_staff(request, public_id), actor=request.user,
                                            reason=payload.reason, request=request)
    return _fresh(d)


@_staff_action("refuse", "Refuse (form 03)")
def staff_refuse(request: HttpRequest, public_id: uuid.UUID, payload: ReasonIn):
    d = services.dossier_refuse(dossier=_staff(request, public_id), actor=request.user, reason=payload.reason,
                                request=request)
    return _fresh(d)


@_staff_action("assign", "Assign the current step to an official")
def staff_assign(request: HttpRequest, public_id: uuid.UUID, payload: AssignIn):
    dossier = _staff(request, public_id)
    assignee = get_user_model().objects.filter(public_id=payload.assignee, is_active=True).first()
    if assignee is None:
        raise ValidationFailed(_("Không tìm thấy cán bộ được phân công."), code="invalid_assignee",
                               details={"field": "assignee"})
    services.dossier_assign(dossier=dossier, actor=request.user, assignee=assignee, request=request)
    return _fresh(dossier)


@_staff_action("complete-step", "Complete the current step (hand over / transfer / to approval)")
def staff_complete_step(request: HttpRequest, public_id: uuid.UUID, payload: StepNoteIn):
    d = services.dossier_step_complete(dossier=_staff(request, public_id), actor=request.user, note=payload.note,
                                       step_order=payload.step, request=request)
    return _fresh(d)


@router.post("/staff/{uuid:public_id}/approve", response=StaffDossierOut,
             summary="Approve (leader of the approving agency); multipart: note, optional result PDF")
def staff_approve(request: HttpRequest, public_id: uuid.UUID, note: Form[str] = "",
                  result: UploadedFile = OPTIONAL_FILE):
    d = services.dossier_approve(dossier=_staff(request, public_id), actor=request.user, note=note,
                                 result_file=result, request=request)
    return _fresh(d)


@_staff_action("reject-approval", "Send back to the previous step")
def staff_reject_approval(request: HttpRequest, public_id: uuid.UUID, payload: ReasonIn):
    d = services.dossier_reject_approval(dossier=_staff(request, public_id), actor=request.user,
                                         reason=payload.reason, request=request)
    return _fresh(d)


@_staff_action("return-result", "Return the result (refused while the fee is unpaid: 409 fee_pending)")
def staff_return_result(request: HttpRequest, public_id: uuid.UUID, payload: ReturnIn):
    d = services.dossier_return_result(dossier=_staff(request, public_id), actor=request.user,
                                       method=payload.method, request=request)
    return _fresh(d)


@_staff_action("apologise", "Apology slip with a new due date (form 04)")
def staff_apologise(request: HttpRequest, public_id: uuid.UUID, payload: ApologyIn):
    dossier = _staff(request, public_id)
    services.dossier_apologise(dossier=dossier, actor=request.user, reason=payload.reason,
                               new_due_at=payload.new_due_at, request=request)
    return _fresh(dossier)


@_staff_action("record-fee", "Record the fee as paid in cash at the counter")
def staff_record_fee(request: HttpRequest, public_id: uuid.UUID):
    d = services.dossier_fee_record_at_counter(dossier=_staff(request, public_id), actor=request.user,
                                               request=request)
    return _fresh(d)


# --- public ----------------------------------------------------------------------------------


@tracking_router.get("/{code}", response=TrackingOut, auth=None,
            summary="Public tracking by dossier code and the secret printed on the receipt",
            description="404 on any mismatch. Shows no personal data.")
def tracking(request: HttpRequest, code: str, secret: str = Query(..., max_length=20)):
    from .tracking import tracking_json

    # Ready-made JSON of the TrackingOut shape, cached per dossier version (see tracking.py).
    return HttpResponse(tracking_json(code=code, secret=secret), content_type="application/json; charset=utf-8")
