"""Celery tasks of the notify app: thin and idempotent, the work is in ``services``."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="tinhso.notify.tasks.deliver", ignore_result=True)
def deliver(ids: list[int]) -> dict[str, int]:
    """Deliver the given outbox rows (enqueued on commit by ``notify``). Running it twice, or on
    two workers at once, sends each row once."""
    outcomes: dict[str, int] = {}
    for notification_id in ids:
        outcome = services.notification_deliver(notification_id=int(notification_id))
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="tinhso.notify.tasks.deliver_pending", ignore_result=True)
def deliver_pending() -> int:
    """Every minute (beat): retries whose backoff has passed, rows whose enqueue was lost, rows
    stuck in ``sending``."""
    return services.notification_deliver_pending()
