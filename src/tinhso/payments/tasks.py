"""Celery tasks of the payments app: thin and idempotent, the work is in ``services``."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="tinhso.payments.tasks.expire_overdue", ignore_result=True)
def expire_overdue() -> int:
    """Periodically (beat): pending intents past their expiry become expired."""
    return services.payment_expire_overdue()
