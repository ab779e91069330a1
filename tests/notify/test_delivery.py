"""Delivery: exactly-once effect, retries with backoff, the periodic sweep, operator actions."""

from __future__ import annotations

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotAllowed
from tinhso.notify import tasks
from tinhso.notify.models import Notification, Status
from tinhso.notify.services import (
    notification_cancel,
    notification_deliver,
    notification_deliver_pending,
    notification_retry,
    notification_retry_failed,
    notify,
)


def enqueue_email(user, **extra) -> Notification:
    """An email row as notify() leaves it, without running the on-commit delivery."""
    with transaction.atomic():
        rows = notify(recipients=[user], event="test.event", subject="Tiêu đề", body="Nội dung",
                      channels=("email",), **extra)
    return rows[0]


@pytest.fixture
def failing_smtp(monkeypatch):
    calls = []

    def send(self, fail_silently=False):
        calls.append(self.to)
        raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)
    return calls


@pytest.mark.django_db
def test_deliver_twice_sends_once(alice):
    row = enqueue_email(alice)
    assert row.status == Status.PENDING
    assert tasks.deliver([row.pk]) == {"sent": 1}
    assert tasks.deliver([row.pk]) == {"skipped": 1}
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_deliveries_send_once(alice, monkeypatch):
    # Rows commit here (transaction=True): keep the on-commit delivery from sending them first.
    monkeypatch.setattr("tinhso.notify.services._enqueue", lambda ids: None)
    rows = [enqueue_email(alice, dedupe_key=f"k{i}") for i in range(5)]
    ids = [r.pk for r in rows]
    threads_count = 4
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            barrier.wait(timeout=20)
            for pk in ids:
                result = notification_deliver(notification_id=pk)
                with lock:
                    outcomes.append(result)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert outcomes.count("sent") == len(ids)
    assert outcomes.count("skipped") == len(ids) * (threads_count - 1)
    assert len(mail.outbox) == len(ids)
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_failure_retries_with_backoff_then_fails(alice, settings, failing_smtp):
    settings.TINHSO_NOTIFY_MAX_ATTEMPTS = 3
    row = enqueue_email(alice)

    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)
    assert "SMTPServerDisconnected" in row.last_error
    # backoff: not due yet, so neither the task nor the sweep sends it again now
    assert row.next_attempt_at - row.claimed_at >= timedelta(seconds=60)
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert notification_deliver_pending() == 0
    assert len(failing_smtp) == 1

    # the second backoff is longer than the first
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.next_attempt_at - row.claimed_at >= timedelta(seconds=120)

    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert notification_deliver_pending() == 0  # the sweep tries, the third failure is final
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 3)
    assert "máy chủ thư ngắt kết nối" in row.last_error
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert len(failing_smtp) == 3


@pytest.mark.django_db
def test_retry_succeeds_when_the_server_is_back(alice, settings, monkeypatch):
    settings.TINHSO_NOTIFY_RETRY_BASE_SECONDS = 0
    row = enqueue_email(alice)

    def down(self, fail_silently=False):
        raise OSError("down")

    with monkeypatch.context() as m:
        m.setattr("django.core.mail.EmailMessage.send", down)
        assert notification_deliver(notification_id=row.pk) == "retry"
    assert notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_permanent_error_fails_at_once(alice):
    row = enqueue_email(alice)
    # the address is removed before delivery: retrying cannot help
    type(alice).objects.filter(pk=alice.pk).update(email=None)
    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert mail.outbox == []


@pytest.mark.django_db
def test_provider_removed_after_enqueue_fails(alice, settings, log_sms):
    with transaction.atomic():
        row = notify(recipients=[alice], event="e.x", subject="S", body="B", channels=("sms",))[0]
    settings.TINHSO_NOTIFY_PROVIDERS = {}
    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert "no provider" in row.last_error


@pytest.mark.django_db
def test_sweep_sends_old_pending_rows_but_not_fresh_ones(alice, bob):
    old = enqueue_email(alice)
    fresh = enqueue_email(bob)
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert tasks.deliver_pending() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == Status.SENT
    assert fresh.status == Status.PENDING  # its on-commit task is still in flight
    assert [m.to for m in mail.outbox] == [["alice@example.vn"]]


@pytest.mark.django_db
def test_sweep_releases_rows_stuck_in_sending(alice, bob, settings):
    settings.TINHSO_NOTIFY_MAX_ATTEMPTS = 3
    stuck = enqueue_email(alice)
    exhausted = enqueue_email(bob)
    long_ago = timezone.now() - timedelta(minutes=11)
    Notification.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=long_ago, attempts=1)
    Notification.objects.filter(pk=exhausted.pk).update(status=Status.SENDING, claimed_at=long_ago, attempts=3)
    recent = enqueue_email(alice, dedupe_key="recent")
    Notification.objects.filter(pk=recent.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=2), attempts=1
    )

    assert notification_deliver_pending() == 1
    stuck.refresh_from_db()
    exhausted.refresh_from_db()
    recent.refresh_from_db()
    assert (stuck.status, stuck.attempts) == (Status.SENT, 2)
    assert exhausted.status == Status.FAILED and "stuck" in exhausted.last_error
    assert recent.status == Status.SENDING  # another worker may still be sending it
    assert len(mail.outbox) == 1


@pytest.fixture
def operator(db):
    from tinhso.accounts.models import User

    return User.objects.create_superuser(email="admin@example.vn", password="mat-khau-dai-123", full_name="Quản trị")


@pytest.mark.django_db
def test_retry_failed_requeues_and_audits(alice, operator, settings, failing_smtp, django_capture_on_commit_callbacks):
    settings.TINHSO_NOTIFY_MAX_ATTEMPTS = 1
    row = enqueue_email(alice)
    assert notification_deliver(notification_id=row.pk) == "failed"
    failing_smtp.clear()
    # a pending row is left alone by retry
    other = enqueue_email(alice, dedupe_key="other")
    with django_capture_on_commit_callbacks(execute=True):
        count = notification_retry_failed(actor=operator, notifications=Notification.objects.all())
    assert count == 1
    assert len(failing_smtp) == 1  # delivered (and failed again) after commit
    row.refresh_from_db()
    other.refresh_from_db()
    assert row.status == Status.FAILED and row.attempts == 1
    assert other.status == Status.PENDING
    event = AuditEvent.objects.get(action="notify.retry")
    assert event.object_id == str(row.pk)


@pytest.mark.django_db
def test_retry_needs_permission(alice, bob, settings, failing_smtp):
    settings.TINHSO_NOTIFY_MAX_ATTEMPTS = 1
    row = enqueue_email(alice)
    notification_deliver(notification_id=row.pk)
    with pytest.raises(NotAllowed):
        notification_retry(notification=row, actor=bob)
    with pytest.raises(NotAllowed):
        notification_retry(notification=row, actor=None)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert not AuditEvent.objects.filter(action="notify.retry").exists()


@pytest.mark.django_db
def test_cancel_stops_a_pending_notification(alice):
    row = enqueue_email(alice)
    assert notification_cancel(notification=row, reason="hồ sơ đã rút") is True
    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert notification_cancel(notification=row) is False
    row.refresh_from_db()
    assert row.status == Status.CANCELLED
    assert mail.outbox == []
    assert AuditEvent.objects.filter(action="notify.cancel").count() == 1
