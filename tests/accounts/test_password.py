import re

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import PASSWORD, login
from tests.factories import UserFactory
from tinhso.audit.models import AuditEvent

NEW_PASSWORD = "Mat-khau-moi-2026!"
SENT_TEXT = "Nếu số điện thoại hoặc thư điện tử này có tài khoản"


class FakeSms:
    sent: list[tuple[str, str]] = []

    def __init__(self, name):
        self.name = name

    def can_receive(self, user):
        return bool(user.phone)

    def send_text(self, phone, text):
        FakeSms.sent.append((phone, text))


def _link(text: str) -> str:
    return re.search(r"http://testserver(/accounts/password-reset/\S+/)", text).group(1)


def _reset(client: Client, link: str, password: str = NEW_PASSWORD):
    page = client.get(link)
    assert page.status_code == 302  # token moved into the session
    form_url = page["Location"]
    assert "set-password" in form_url
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_reset_by_email_does_not_log_in(client, citizen):
    response = client.post("/accounts/password-reset/", {"username": "Nguyen.An@example.vn"})
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert SENT_TEXT in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nguyen.an@example.vn"]
    done = _reset(client, _link(mail.outbox[0].body))
    assert done["Location"] == "/accounts/password-reset/done/"
    assert "_auth_user_id" not in client.session
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="user.password_reset", actor=citizen).exists()
    # The link works once.
    assert client.get(_link(mail.outbox[0].body)).status_code == 400


def test_unknown_account_gets_the_same_answer_and_no_message(client, db):
    response = client.post("/accounts/password-reset/", {"username": "0987000111"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_reset_by_phone_uses_sms_when_a_provider_is_configured(client, citizen, settings):
    from tinhso.notify.channels import _provider

    _provider.cache_clear()
    settings.TINHSO_NOTIFY_PROVIDERS = {"sms": "tests.accounts.test_password.FakeSms"}
    FakeSms.sent.clear()
    client.post("/accounts/password-reset/", {"username": "+84 912 345 678"})
    assert mail.outbox == []
    assert [p for p, _ in FakeSms.sent] == ["0912345678"]
    _reset(client, _link(FakeSms.sent[0][1]))
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)
    _provider.cache_clear()


def test_reset_by_phone_falls_back_to_email_without_sms(client, citizen, settings):
    settings.TINHSO_NOTIFY_PROVIDERS = {}
    client.post("/accounts/password-reset/", {"username": "0912345678"})
    assert len(mail.outbox) == 1


def test_weak_new_password_is_refused_and_nothing_changes(client, citizen):
    client.post("/accounts/password-reset/", {"username": "nguyen.an@example.vn"})
    response = _reset(client, _link(mail.outbox[0].body), password="12345678")
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


def test_reset_keeps_the_otp_requirement(client, official, official_device):
    client.post("/accounts/password-reset/", {"username": "canbo.xa@tinhso.gov.vn"})
    _reset(client, _link(mail.outbox[0].body))
    assert "_auth_user_id" not in client.session
    assert TOTPDevice.objects.filter(user=official, confirmed=True).count() == 1
    response = login(client, "canbo.xa@tinhso.gov.vn", NEW_PASSWORD)
    assert response["Location"] == "/accounts/mfa/challenge/"
    assert client.get("/staff/").status_code == 302


def test_reset_while_logged_in_ends_that_session(client, official, official_device):
    login(client, "canbo.xa@tinhso.gov.vn")
    client.post("/accounts/password-reset/", {"username": "canbo.xa@tinhso.gov.vn"})
    _reset(client, _link(mail.outbox[0].body))
    assert "_auth_user_id" not in client.session


def test_change_password_keeps_this_session_and_ends_others(client, citizen):
    other = Client()
    login(other, "0912345678")
    login(client, "0912345678")
    response = client.post("/accounts/password-change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200
    assert other.get("/accounts/profile/").status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_change_password_needs_the_current_one(client, citizen):
    login(client, "0912345678")
    response = client.post("/accounts/password-change/", {
        "old_password": "sai-mat-khau", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 400
    assert "Mật khẩu hiện tại không đúng." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)


@pytest.mark.parametrize("inactive", [True])
def test_no_reset_for_inactive_accounts(client, db, inactive):
    UserFactory(email="khoa@example.vn", is_active=not inactive)
    client.post("/accounts/password-reset/", {"username": "khoa@example.vn"})
    assert mail.outbox == []


def test_reset_requests_are_throttled_per_account(client, citizen):
    for _ in range(5):
        response = client.post("/accounts/password-reset/", {"username": "nguyen.an@example.vn"})
        assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mail.outbox) == 3


def test_reset_link_uses_the_configured_base_url(client, citizen, settings):
    settings.TINHSO_BASE_URL = "https://dichvucong.camau.gov.vn"
    client.post("/accounts/password-reset/", {"username": "nguyen.an@example.vn"})
    assert "https://dichvucong.camau.gov.vn/accounts/password-reset/" in mail.outbox[0].body
