"""Reads for the Open311 API that the feedback core has no public selector for: the public
updates of service requests (``servicerequestupdates``).

Like the core's public selectors, rows come from an explicit column list of *public* data only:
the public answers of the handling agency (body, time, photo) and the status changes (new
state, time). Never the actor, the transition notes (they may carry a citizen's reopening
reason or a refusal note meant for the reporter), internal notes or contact data. Reports hidden
from the public (spam) are left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType

from tinhso.workflow.models import TransitionLog

from ..machine import ReportFlow
from ..models import OPEN, Answer, RefusalReason, Report, Status

MAX_UPDATES = 1000
# Transitions that change what the public sees. ``resolve`` is covered by its public answer.
STATUS_TRANSITIONS = ("assign", "start", "refuse", "reopen", "close", "reassign")


@dataclass(frozen=True)
class PublicUpdate:
    update_id: str
    report_public_id: uuid.UUID
    status: str  # the core status after the update
    open311_status: str  # "open" | "closed"
    description: str
    updated_at: datetime
    photo_id: uuid.UUID | None


def _open311(status: str) -> str:
    return "open" if status in OPEN else "closed"


def public_updates(*, since: datetime, until: datetime, public_ids=None, limit: int = MAX_UPDATES) -> list[PublicUpdate]:
    """Public answers and status changes of public reports in ``[since, until)``, oldest first,
    at most ``limit`` (≤ 1000). ``public_ids`` restricts them to some reports."""
    limit = max(1, min(int(limit), MAX_UPDATES))
    answers = Answer.objects.filter(report__is_public=True, created_at__gte=since, created_at__lt=until)
    report_pks = None
    if public_ids is not None:
        report_pks = list(Report.objects.filter(public_id__in=list(public_ids), is_public=True)
                          .values_list("pk", flat=True))
        answers = answers.filter(report_id__in=report_pks)
    out: list[PublicUpdate] = []
    for row in answers.order_by("created_at", "id").values(
            "pk", "report__public_id", "report__status", "is_resolution", "body", "created_at",
            "photo__public_id")[:limit]:
        status = Status.RESOLVED.value if row["is_resolution"] else _answer_status(row["report__status"])
        out.append(PublicUpdate(
            update_id=f"answer-{row['pk']}", report_public_id=row["report__public_id"], status=status,
            open311_status=_open311(status), description=row["body"], updated_at=row["created_at"],
            photo_id=row["photo__public_id"],
        ))

    logs = TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Report), flow=ReportFlow.name,
        transition__in=STATUS_TRANSITIONS, at__gte=since, at__lt=until,
    )
    if report_pks is not None:
        logs = logs.filter(object_id__in=[str(pk) for pk in report_pks])
    rows = list(logs.order_by("at", "id").values("pk", "object_id", "from_state", "to_state", "transition", "at",
                                                 "data")[:limit])
    pks = {int(r["object_id"]) for r in rows if str(r["object_id"]).isdigit()}
    public = dict(Report.objects.filter(pk__in=pks, is_public=True).values_list("pk", "public_id"))
    for row in rows:
        pid = public.get(int(row["object_id"])) if str(row["object_id"]).isdigit() else None
        if pid is None or (row["from_state"] == row["to_state"] and row["transition"] != "reassign"):
            continue
        description = ReportFlow.state_label(row["to_state"])
        reason = (row["data"] or {}).get("reason") if row["transition"] == "refuse" else None
        if reason in RefusalReason.values:
            description = f"{description}: {RefusalReason(reason).label}"
        out.append(PublicUpdate(
            update_id=f"status-{row['pk']}", report_public_id=pid, status=row["to_state"],
            open311_status=_open311(row["to_state"]), description=str(description), updated_at=row["at"],
            photo_id=None,
        ))
    out.sort(key=lambda u: (u.updated_at, u.update_id))
    return out[:limit]


def _answer_status(current: str) -> str:
    # An answer along the way is written while the report is open.
    return current if current in OPEN else Status.IN_PROGRESS.value
