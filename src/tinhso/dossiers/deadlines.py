"""Deadlines of dossiers, counted in working days by the workflow calendar.

* At receipt: ``due_at = add_working_days(received_at, procedure.processing_days, rule)`` where
  ``rule`` is the procedure's ``counting_rule`` (see ``tinhso.workflow.calendar.CountingRule``).
* Steps: step 1 is due ``step.days`` working days after the receipt (same rule); each later step
  is due ``step.days`` working days after the previous step's due date. Finishing a step early
  gives the next one the slack.
* A supplement request after receipt pauses the clock: the working days left (after the day of
  the request up to the due date, never negative) are kept for the dossier and every unfinished
  step. On resubmission the clock resumes: each deadline becomes ``add_working_days(now, left)``.
  With ``"supplement_restarts_clock": true`` in the procedure's counting rule the dossier gets its
  full ``processing_days`` again from the resubmission instead (and its steps their full days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tinhso.workflow.calendar import CountingRule, add_working_days, working_days_between

EXTRA_KEYS = ("supplement_restarts_clock",)


@dataclass(frozen=True)
class DossierRule:
    counting: CountingRule
    supplement_restarts_clock: bool = False


def rule_for(procedure) -> DossierRule:
    raw: dict[str, Any] = dict(procedure.counting_rule or {})
    restarts = bool(raw.pop("supplement_restarts_clock", False))
    return DossierRule(counting=CountingRule.from_dict(raw), supplement_restarts_clock=restarts)


def chain_rule(rule: DossierRule) -> CountingRule:
    """Later steps count from the previous due date (a working day at due time): no cutoff."""
    return CountingRule(due_time=rule.counting.due_time)


def due_at_receipt(*, procedure, received_at: datetime) -> datetime:
    return add_working_days(received_at, procedure.processing_days, rule_for(procedure).counting)


def step_due_dates(*, procedure, start: datetime, days: list[int], first_from_start: bool = True) -> list[datetime]:
    """Due dates of consecutive steps with ``days`` working days each, starting at ``start``."""
    rule = rule_for(procedure)
    out: list[datetime] = []
    previous = start
    for i, n in enumerate(days):
        counting = rule.counting if (i == 0 and first_from_start) else chain_rule(rule)
        previous = add_working_days(previous, n, counting)
        out.append(previous)
    return out


def remaining_days(*, now: datetime, due_at: datetime | None) -> int | None:
    if due_at is None:
        return None
    return max(0, working_days_between(now, due_at))


def resume_due(*, procedure, now: datetime, remaining: int) -> datetime:
    return add_working_days(now, max(0, int(remaining)), rule_for(procedure).counting)
