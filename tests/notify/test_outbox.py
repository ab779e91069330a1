"""notify(): outbox rows written in the caller's transaction, delivered only after commit."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from tinhso.notify.models import Notification, Status
from tinhso.notify.services import notify, render_for

pytestmark = pytest.mark.django_db


def test_rows_written_in_callers_transaction_and_delivered_after_commit(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            rows = notify(recipients=[alice], event="dossier.received", subject="Hồ sơ đã tiếp nhận",
                          body="Nội dung", url="/ho-so/1")
            # inside the transaction: the rows exist, nothing has left yet
            assert Notification.objects.count() == 2
            assert mail.outbox == []
    assert len(callbacks) == 1
    assert {r.channel for r in rows} == {"in_app", "email"}
    email_row = Notification.objects.get(channel="email")
    assert email_row.status == Status.SENT
    assert email_row.attempts == 1
    assert email_row.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.vn"]
    assert message.subject == "Hồ sơ đã tiếp nhận"
    assert "Nội dung" in message.body
    assert "/ho-so/1" in message.body
    in_app = Notification.objects.get(channel="in_app")
    assert in_app.status == Status.SENT and in_app.read_at is None


def test_rollback_sends_nothing(alice, django_capture_on_commit_callbacks):
    class Boom(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Boom), transaction.atomic():
            notify(recipients=[alice], event="dossier.received", subject="S", body="B")
            raise Boom
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_channels_the_recipient_cannot_receive_are_skipped(alice, phone_only, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[alice, phone_only], event="e.x", subject="S", body="B",
                      channels=("in_app", "email", "sms", "zalo"))
    # no SMS/Zalo provider configured; phone_only has no email address
    assert sorted((r.recipient_id, r.channel) for r in rows) == sorted(
        [(alice.pk, "in_app"), (alice.pk, "email"), (phone_only.pk, "in_app")]
    )


def test_sms_needs_phone_and_provider(alice, bob, log_sms, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level("INFO", logger="tinhso.notify.channels"):
        with django_capture_on_commit_callbacks(execute=True):
            rows = notify(recipients=[alice, bob], event="e.x", subject="Lịch hẹn", body="B",
                          url="/lich-hen", channels=("sms",))
    assert [(r.recipient_id, r.channel) for r in rows] == [(alice.pk, "sms")]
    row = Notification.objects.get()
    assert row.status == Status.SENT
    # the log provider masks the phone number
    assert "091****678" in caplog.text and "0912345678" not in caplog.text
    assert "Lịch hẹn" in caplog.text


def test_inactive_and_repeated_recipients(alice, bob, django_capture_on_commit_callbacks):
    bob.is_active = False
    bob.save()
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(recipients=[alice, alice, bob], event="e.x", subject="S", body="B", channels=("in_app",))
    assert [r.recipient_id for r in rows] == [alice.pk]


def test_dedupe_key_prevents_duplicates(alice, bob, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipients=[alice], event="dossier.received", subject="S", body="B",
                       dedupe_key="dossier.received:42")
        # the caller retries, and a second recipient is added
        second = notify(recipients=[alice, bob], event="dossier.received", subject="S", body="B",
                        dedupe_key="dossier.received:42")
    assert len(first) == 2
    assert [(r.recipient_id, r.channel) for r in second] == [(bob.pk, "in_app"), (bob.pk, "email")]
    assert Notification.objects.filter(recipient=alice).count() == 2
    assert len(mail.outbox) == 2  # one email each
    # a different key is a different notification
    with django_capture_on_commit_callbacks(execute=True):
        third = notify(recipients=[alice], event="dossier.received", subject="S", body="B",
                       dedupe_key="dossier.received:43")
    assert len(third) == 2


def test_object_link_is_stored(alice, bob):
    with transaction.atomic():
        rows = notify(recipients=[alice], event="e.x", subject="S", body="B", obj=bob, channels=("in_app",))
    row = rows[0]
    assert row.content_type.model == "user"
    assert row.object_id == str(bob.pk)


@pytest.mark.parametrize("url", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)", "/\\evil"])
def test_external_url_is_refused(alice, url):
    with pytest.raises(ValueError):
        notify(recipients=[alice], event="e.x", subject="S", body="B", url=url)
    assert Notification.objects.count() == 0


def test_unknown_channel_is_refused(alice):
    with pytest.raises(ValueError):
        notify(recipients=[alice], event="e.x", subject="S", body="B", channels=("pigeon",))
    assert Notification.objects.count() == 0


def test_render_for_uses_the_recipients_language(alice):
    seen = []

    class Probe:
        def __str__(self):
            seen.append(translation.get_language())
            return "000.00.96.H12-250101-0001"

    alice.preferred_language = "en"
    subject, body = render_for(alice, "dossier.received",
                               {"dossier_code": Probe(), "procedure_name": "Cấp giấy phép & đăng ký", "due_date": "05/01/2026"})
    assert seen == ["en", "en"]
    assert translation.get_language() != "en"  # the override ends with the rendering
    assert "000.00.96.H12-250101-0001" in subject and "\n" not in subject
    assert "Nguyễn Thị An" in body
    # plain text: no HTML escaping
    assert "Cấp giấy phép & đăng ký" in body and "&amp;" not in body
    assert "05/01/2026" in body


@pytest.mark.django_db(transaction=True)
def test_enqueue_failure_after_commit_never_fails_the_caller(monkeypatch):
    """Whatever the broker raises once the change is committed, the caller's request succeeds and
    the rows stay pending for the periodic sweep."""
    from tinhso.notify import services as notify_services
    from tinhso.notify import tasks
    from tinhso.notify.models import Notification

    def broken(*args, **kwargs):
        raise RuntimeError("Acquire on closed pool")

    monkeypatch.setattr(tasks.deliver, "delay", broken)
    from tests.factories import UserFactory

    user = UserFactory(email="a@example.vn")
    with transaction.atomic():
        notify_services.notify(recipients=[user], event="test.event", subject="S", body="B", channels=("email",))
    row = Notification.objects.get(recipient=user, channel="email")
    assert row.status == "pending"
