"""Celery tasks of the dossiers app (thin: they call services)."""

from celery import shared_task

from . import services


@shared_task(name="tinhso.dossiers.tasks.mark_overdue")
def mark_overdue() -> int:
    return services.dossiers_mark_overdue()
