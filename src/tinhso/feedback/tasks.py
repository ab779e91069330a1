"""Celery tasks of the feedback app (thin: they call services)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="tinhso.feedback.tasks.escalate_overdue")
def escalate_overdue() -> int:
    return services.reports_escalate_overdue()


@shared_task(name="tinhso.feedback.tasks.close_resolved")
def close_resolved() -> int:
    return services.reports_close_resolved()


@shared_task(name="tinhso.feedback.tasks.close_due_consultations")
def close_due_consultations() -> int:
    from .services_ideas import consultations_close_due

    return consultations_close_due()


@shared_task(name="tinhso.feedback.tasks.email_contact", bind=True, max_retries=5, default_retry_delay=300)
def email_contact(self, report_id: int, subject: str, body: str) -> bool:
    """Email the contact address of a report sent without an account (enqueued on commit)."""
    from django.core.mail import send_mail

    from .models import Report

    email = Report.objects.filter(pk=report_id).values_list("contact_email", flat=True).first()
    if not email:
        return False
    try:
        send_mail(subject, body or subject, None, [email])
    except Exception as exc:  # noqa: BLE001 - SMTP trouble: try again later
        raise self.retry(exc=exc) from exc
    return True
