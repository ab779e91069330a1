"""Reads of dossiers, each with its access rule built in: an applicant sees their own dossiers,
an official those of the agencies where they hold a current membership (``orgs.agency_scope``),
the public only the tracking view (code + secret, no personal data)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.orgs.models import Membership
from tinhso.orgs.selectors import agency_scope, current_memberships, user_has_role

from . import codes
from .machine import CLERK, DossierFlow
from .models import Dossier, DossierStep, FeeStatus, Status

LEADER = "leader"
QUEUES = ("to_receive", "to_process", "to_approve", "to_return", "due_soon", "overdue")
DUE_SOON_DAYS = 2


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy hồ sơ."), code="dossier_not_found")


def _base() -> QuerySet[Dossier]:
    return Dossier.objects.select_related("procedure", "agency", "current_agency", "applicant")


# --- applicant -------------------------------------------------------------------------------


def dossiers_of_applicant(*, user) -> QuerySet[Dossier]:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return _base().filter(applicant=user).order_by("-created_at", "-id")


def dossier_get_for_applicant(*, user, public_id) -> Dossier:
    pid = _uuid(public_id)
    dossier = dossiers_of_applicant(user=user).filter(public_id=pid).first() if pid else None
    if dossier is None:
        raise _not_found()
    return dossier


# --- staff -----------------------------------------------------------------------------------


def staff_dossiers(*, user) -> QuerySet[Dossier]:
    """Dossiers an official may see: received by, or with a step at, an agency of their scope."""
    scope = agency_scope(user=user)
    if not scope:
        return Dossier.objects.none()
    step_ids = DossierStep.objects.filter(agency_id__in=scope).values("dossier_id")
    return _base().filter(Q(agency_id__in=scope) | Q(pk__in=step_ids)).exclude(status=Status.DRAFT)


def dossier_get_for_staff(*, user, public_id) -> Dossier:
    pid = _uuid(public_id)
    dossier = staff_dossiers(user=user).filter(public_id=pid).first() if pid else None
    if dossier is None:
        raise _not_found()
    return dossier


def dossier_get_for_viewer(*, user, public_id) -> tuple[Dossier, str]:
    """The dossier for its applicant (``"applicant"``) or a scoped official (``"staff"``)."""
    pid = _uuid(public_id)
    if pid is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    dossier = dossiers_of_applicant(user=user).filter(public_id=pid).first()
    if dossier is not None:
        return dossier, "applicant"
    return dossier_get_for_staff(user=user, public_id=pid), "staff"


def _step_q(user, roles: tuple[str, ...]) -> Q | None:
    """Dossiers whose current step is at an agency where ``user`` holds the step's role."""
    pairs = list(current_memberships(user=user, roles=roles).values_list("agency_id", "role__code"))
    if not pairs:
        return None
    q = Q()
    for agency_id, role in set(pairs):
        q |= Q(agency_id=agency_id, role_code=role)
    ids = DossierStep.objects.filter(q, started_at__isnull=False, finished_at__isnull=True).filter(
        Q(assignee__isnull=True) | Q(assignee=user)
    ).values("dossier_id")
    return Q(pk__in=ids)


def staff_queue(*, user, queue: str, q: str | None = None, procedure=None) -> QuerySet[Dossier]:
    """One work queue of an official, scoped to their memberships:

    to_receive — submitted dossiers at agencies where they are a clerk;
    to_process — dossiers in processing whose current step is theirs (role + agency), unassigned
    or assigned to them;
    to_approve — the same for dossiers awaiting approval (the approval step);
    to_return — results ready at agencies where they are a clerk;
    due_soon / overdue — dossiers in progress they can see, due within 2 days / past due.
    ``q`` matches the code or the applicant's name; ``procedure`` a Procedure or its code.
    """
    if queue not in QUEUES:
        raise ValidationFailed(_("Hàng đợi không hợp lệ."), code="invalid_queue", details={"queue": queue})
    now = timezone.now()
    if queue in ("to_receive", "to_return"):
        scope = agency_scope(user=user, roles=CLERK)
        status = Status.SUBMITTED if queue == "to_receive" else Status.RESULT_READY
        qs = _base().filter(agency_id__in=scope, status=status) if scope else Dossier.objects.none()
    elif queue in ("to_process", "to_approve"):
        status = Status.PROCESSING if queue == "to_process" else Status.AWAITING_APPROVAL
        roles = tuple(current_memberships(user=user).values_list("role__code", flat=True).distinct())
        cond = _step_q(user, roles) if roles else None
        qs = _base().filter(cond, status=status) if cond is not None else Dossier.objects.none()
    else:
        in_progress = (Status.PROCESSING, Status.AWAITING_APPROVAL)
        qs = staff_dossiers(user=user).filter(status__in=in_progress, paused_at__isnull=True)
        if queue == "overdue":
            qs = qs.filter(Q(is_overdue=True) | Q(due_at__lt=now))
        else:
            qs = qs.filter(due_at__gte=now, due_at__lte=now + timedelta(days=DUE_SOON_DAYS))
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(code__icontains=q) | Q(applicant__full_name__icontains=q))
    if procedure is not None:
        qs = qs.filter(procedure__code=getattr(procedure, "code", procedure))
    order = ["due_at", "submitted_at", "id"] if queue != "to_receive" else ["submitted_at", "id"]
    return qs.order_by(*order)


def staff_queue_counts(*, user) -> dict[str, int]:
    return {name: staff_queue(user=user, queue=name).count() for name in QUEUES}


def dossier_actions(*, dossier: Dossier, user) -> list[str]:
    """Names of the actions ``user`` may take on ``dossier`` now (for buttons): services
    accept the same calls (they check again under the row lock)."""
    if not getattr(user, "is_authenticated", False):
        return []
    actions: list[str] = []
    status = dossier.status
    if dossier.applicant_id == user.pk:
        if status in (Status.DRAFT, Status.SUPPLEMENT_REQUESTED):
            actions.append("edit")
        if status == Status.DRAFT:
            actions.append("submit")
        if status == Status.SUPPLEMENT_REQUESTED:
            actions.append("resubmit")
        if status in (Status.DRAFT, Status.SUBMITTED, Status.SUPPLEMENT_REQUESTED) and dossier.received_at is None:
            actions.append("withdraw")
        if status == Status.DONE and not hasattr_rating(dossier):
            actions.append("rate")
    clerk = user_has_role(user=user, agency=dossier.agency_id, roles=CLERK)
    if clerk:
        if status == Status.SUBMITTED:
            actions += ["receive", "request_supplement", "refuse"]
        elif status == Status.PROCESSING:
            actions += ["request_supplement", "refuse"]
        elif status == Status.SUPPLEMENT_REQUESTED:
            actions.append("refuse")
        elif status == Status.RESULT_READY and dossier.fee_status != FeeStatus.PENDING:
            actions.append("return_result")
        if dossier.fee_status == FeeStatus.PENDING and status not in (Status.REFUSED, Status.WITHDRAWN):
            actions.append("record_fee")
    if status in (Status.PROCESSING, Status.AWAITING_APPROVAL):
        step = dossier.current_step()
        if step is not None:
            holds = user_has_role(user=user, agency=step.agency_id, roles=step.role_code)
            free = step.assignee_id in (None, user.pk)
            if holds and free:
                actions += ["complete_step"] if status == Status.PROCESSING else ["approve", "reject_approval"]
            if user_has_role(user=user, agency=step.agency_id, roles=(LEADER, CLERK)) or (holds and step.assignee_id is None):
                actions.append("assign")
        if any(user_has_role(user=user, agency=a, roles=(CLERK, LEADER))
               for a in {dossier.agency_id, dossier.current_agency_id} if a):
            actions.append("apologise")
    return list(dict.fromkeys(actions))


def hasattr_rating(dossier: Dossier) -> bool:
    from .models import Rating

    return Rating.objects.filter(dossier=dossier).exists()


def assignable_officials(*, dossier: Dossier):
    """Officials who may be assigned the current step (its role at its agency)."""
    from .services import officials_with_role

    step = dossier.current_step()
    if step is None:
        return Membership.objects.none().values("user")
    return officials_with_role(agency_id=step.agency_id, role=step.role_code).order_by("full_name")


# --- protected identifiers in the form ----------------------------------------------------------


def national_id_field_names(schema) -> list[str]:
    """Fields of a procedure's form schema that hold a national ID (``x-widget: national_id``)."""
    from tinhso.procedures.formschema import fields

    return [name for name, prop in fields(schema or {}) if prop.get("x-widget") == "national_id"]


def dossier_national_ids_reveal(*, actor, dossier: Dossier, request=None) -> dict[str, str]:
    """The full national IDs entered in the dossier's form (field name → value), for an official
    whose agencies may see the dossier. Every reveal is audited ("dossier.reveal_national_id",
    with the field names, never the values). NotFound outside the official's scope or when the
    form holds no national ID."""
    from django.db import transaction

    from tinhso.audit.services import record_event

    dossier = dossier_get_for_staff(user=actor, public_id=dossier.public_id)  # raises NotFound
    data = dossier.form_data or {}
    values = {name: str(data[name]) for name in national_id_field_names(dossier.procedure.form_schema)
              if data.get(name) not in (None, "")}
    if not values:
        raise NotFound(_("Tờ khai không có số định danh cá nhân."), code="no_national_id")
    with transaction.atomic():
        record_event(actor=actor, action="dossier.reveal_national_id", obj=dossier, request=request,
                     details={"dossier": str(dossier.public_id), "fields": sorted(values)})
    return values


# --- history and the public view ---------------------------------------------------------------


def dossier_history(*, dossier: Dossier):
    """TransitionLog rows of the dossier (with actors and notes: staff and applicant views)."""
    return DossierFlow.history(dossier)


def dossier_track(*, code: str, secret: str) -> dict[str, Any]:
    """The public tracking view: NotFound unless code and secret match; no personal data."""
    code = (code or "").strip().upper()[:40]
    dossier = (
        Dossier.objects.select_related("procedure", "agency").exclude(status=Status.DRAFT).filter(code=code).first()
        if code else None
    )
    expected = dossier.tracking_secret if dossier is not None else "X" * 8
    ok = codes.secret_matches(expected, secret)  # compared even when the code is unknown
    if dossier is None or not ok:
        raise NotFound(_("Không tìm thấy hồ sơ với mã và mã tra cứu này."), code="dossier_not_found")
    history = []
    for log in DossierFlow.history(dossier):
        if history and history[-1]["status"] == log.to_state:
            continue
        history.append({"at": log.at, "status": log.to_state, "label": DossierFlow.state_label(log.to_state)})
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "procedure_code": dossier.procedure.code,
        "agency": dossier.agency.name,
        "status": dossier.status,
        "status_label": DossierFlow.state_label(dossier.status),
        "submitted_at": dossier.submitted_at,
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "finished_at": dossier.finished_at,
        "returned_at": dossier.returned_at,
        "is_overdue": dossier.is_overdue,
        "history": history,
    }
