import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings

from tests.accounts.conftest import PASSWORD, login
from tests.factories import UserFactory
from tinhso.audit.models import AuditEvent

GENERIC = "Số điện thoại/thư điện tử hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần. Vui lòng thử lại sau 15 phút."


def _body_without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_login_page_is_accessible(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert "Số điện thoại hoặc thư điện tử" in page
    assert 'name="username"' in page and 'autocomplete="username"' in page
    assert 'autocomplete="current-password"' in page
    assert '<label for="id_username"' in page


@pytest.mark.parametrize(
    "typed", ["0912345678", "+84912345678", "84912345678", "+84 912 345 678", "0912.345.678", "0912 345 678"]
)
def test_login_by_phone_in_every_format(client, citizen, typed):
    response = login(client, typed)
    assert response.status_code == 302
    assert response["Location"] == "/me/"
    assert client.session["_auth_user_id"] == str(citizen.pk)


@pytest.mark.parametrize("typed", ["nguyen.an@example.vn", "Nguyen.An@Example.VN", "  NGUYEN.AN@EXAMPLE.VN "])
def test_login_by_email_ignores_case(client, citizen, typed):
    assert login(client, typed).status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_login_honours_a_safe_next_only(client, citizen):
    r = client.post("/accounts/login/?next=/accounts/profile/", {"username": "0912345678", "password": PASSWORD})
    assert r["Location"] == "/accounts/profile/"
    client.logout()
    r = client.post("/accounts/login/?next=https://evil.example/", {"username": "0912345678", "password": PASSWORD})
    assert r["Location"] == "/me/"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, citizen):
    wrong = login(client, "0912345678", "sai-mat-khau-123")
    unknown = login(client, "0987000111", "sai-mat-khau-123")
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.content.decode()
    assert _body_without_csrf(wrong).replace("0912345678", "X") == _body_without_csrf(unknown).replace(
        "0987000111", "X"
    )
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_generic_message(client, db):
    UserFactory(phone="0912000111", is_active=False)
    response = login(client, "0912000111")
    assert GENERIC in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_service_accounts_cannot_log_in_with_a_password(client, db):
    UserFactory(phone="0912000222", is_service_account=True)
    assert GENERIC in login(client, "0912000222").content.decode()


def test_login_events_are_audited_without_the_password(client, citizen):
    login(client, "0912345678", "Sai-Mat-Khau-Dac-Biet-99")
    login(client, "0912345678")
    client.post("/accounts/logout/")
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-3:] == ["user.login_failed", "user.login", "user.logout"]
    failed = AuditEvent.objects.get(action="user.login_failed")
    assert failed.details == {"login": "0912345678", "reason": "bad_credentials"}
    assert "Sai-Mat-Khau" not in str(AuditEvent.objects.values_list("details", flat=True))


def test_logout_needs_post(client, citizen):
    login(client, "0912345678")
    page = client.get("/accounts/logout/")
    assert page.status_code == 200 and "_auth_user_id" in client.session
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_lockout_after_the_failure_limit_then_lifts_after_the_cool_off(client, citizen):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert login(client, "0912345678", "sai-mat-khau-123").status_code == 200
    locked = login(client, "+84 912 345 678", "sai-mat-khau-123")  # same account, other spelling
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # Even the right password is refused while locked, with the same clear message.
    still = login(client, "0912345678")
    assert still.status_code == 429 and LOCKED in still.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.login_failed", details__reason="locked_out").exists()

    # 16 minutes later (cool-off is 15): the lock has lifted by itself.
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=16))
    ok = login(client, "0912345678")
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(citizen.pk)
    # and a success resets the counter
    assert not AccessAttempt.objects.filter(username="0912345678").exists()


def test_lockout_is_per_account_and_ip(client, citizen):
    UserFactory(phone="0912000333")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "0912345678", "sai-mat-khau-123")
    assert login(client, "0912000333").status_code == 302  # another account from the same IP


def test_lockout_json_for_api_callers(client, citizen):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(client, "0912345678", "sai-mat-khau-123", HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert int(response["Retry-After"]) == 15 * 60
