"""Writes of the officials' pages that the core does not have as one call.

The core assigns one report at a time (``services.report_assign``: one transaction, one row
lock, one audit event, its notifications). Bulk assignment calls it per report: each report is
its own transaction, so one report taken by a colleague meanwhile does not undo the others, and
the caller gets a per-report outcome to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from tinhso.core.errors import DomainError, NotFound

from . import services
from .models import Report
from .selectors import report_get_for_staff

BULK_MAX = 100


@dataclass(frozen=True)
class BulkOutcome:
    code: str
    ok: bool
    message: str = ""


def reports_assign_bulk(*, actor, public_ids, assignee, request=None) -> list[BulkOutcome]:
    """Assign each report (public ids, in the actor's scope) to ``assignee`` through
    ``services.report_assign``. A report outside the scope or refused by the core is reported
    with its message; the others are assigned."""
    outcomes: list[BulkOutcome] = []
    for raw in list(dict.fromkeys(str(p) for p in public_ids))[:BULK_MAX]:
        try:
            report: Report = report_get_for_staff(user=actor, public_id=raw)
        except NotFound as exc:
            outcomes.append(BulkOutcome(code=raw[:12], ok=False, message=str(exc.message)))
            continue
        try:
            services.report_assign(report=report, actor=actor, assignee=assignee, request=request)
        except DomainError as exc:
            outcomes.append(BulkOutcome(code=report.code, ok=False, message=str(exc.message)))
        else:
            outcomes.append(BulkOutcome(code=report.code, ok=True))
    return outcomes
