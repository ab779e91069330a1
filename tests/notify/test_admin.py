"""The outbox in the Django admin: read-only, filterable, with the retry-failed action."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts.models import User
from tinhso.audit.models import AuditEvent
from tinhso.notify.models import Notification, Status
from tinhso.notify.services import notify

pytestmark = pytest.mark.django_db


def login_verified(client, user: User) -> None:
    """Log in with a session that passed the TOTP challenge (system admins need MFA)."""
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def admin_client(client, db):
    admin_user = User.objects.create_superuser(email="qt@example.vn", password="mat-khau-dai-123", full_name="Quản trị")
    login_verified(client, admin_user)
    return client


@pytest.fixture
def rows(alice, bob):
    with transaction.atomic():
        notify(recipients=[alice, bob], event="dossier.received", subject="Hồ sơ đã tiếp nhận", body="B",
               channels=("email",))
        notify(recipients=[alice], event="payment.paid", subject="Đã thanh toán", body="B", channels=("in_app",))
    failed = Notification.objects.get(recipient=alice, channel="email")
    Notification.objects.filter(pk=failed.pk).update(status=Status.FAILED, attempts=5, last_error="SMTP down")
    return Notification.objects.order_by("pk")


def test_changelist_filters_and_read_only(admin_client, rows):
    url = reverse("admin:notify_notification_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gửi lại các thông báo thất bại đã chọn" in html
    assert reverse("admin:notify_notification_add") not in html
    response = admin_client.get(url, {"status__exact": "failed"})
    assert response.context["cl"].result_count == 1
    response = admin_client.get(url, {"channel__exact": "in_app", "event__exact": "payment.paid"})
    assert response.context["cl"].result_count == 1
    assert admin_client.get(reverse("admin:notify_notification_add")).status_code == 403
    row = rows.first()
    change_url = reverse("admin:notify_notification_change", args=[row.pk])
    assert admin_client.get(change_url).status_code == 200
    response = admin_client.post(change_url, {"subject": "sửa"})
    assert response.status_code == 403
    assert admin_client.get(reverse("admin:notify_notification_delete", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.subject == "Hồ sơ đã tiếp nhận"


def test_retry_failed_action(admin_client, rows, django_capture_on_commit_callbacks):
    failed = rows.get(status=Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notify_notification_changelist"),
            {"action": "retry_failed", "_selected_action": [r.pk for r in rows]},
            follow=True,
        )
    assert response.status_code == 200
    assert "Đã xếp 1 thông báo vào hàng đợi gửi lại." in response.content.decode()
    failed.refresh_from_db()
    assert failed.status == Status.SENT  # re-queued, then delivered after commit
    assert failed.attempts == 1
    assert AuditEvent.objects.filter(action="notify.retry", object_id=str(failed.pk)).count() == 1


def test_admin_view_only_staff_cannot_retry(client, rows):
    from django.contrib.auth.models import Permission

    viewer = User.objects.create_user(email="xem@example.vn", password="mat-khau-dai-123", full_name="Chỉ xem",
                                      is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notification"))
    login_verified(client, viewer)
    url = reverse("admin:notify_notification_changelist")
    html = client.get(url).content.decode()
    assert "Gửi lại các thông báo thất bại" not in html
    failed = rows.get(status=Status.FAILED)
    client.post(url, {"action": "retry_failed", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.FAILED
    assert not AuditEvent.objects.filter(action="notify.retry").exists()
