import time

from django.conf import settings

from tests.accounts.conftest import login
from tinhso.accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from tinhso.audit.models import AuditEvent


def _shift(client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def test_idle_timeout_logs_out_with_a_message(client, citizen):
    login(client, "0912345678")
    assert client.get("/accounts/profile/").status_code == 200
    _shift(client, LAST_SEEN_KEY, settings.TINHSO_SESSION_IDLE_SECONDS + 5)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "Phiên làm việc đã hết hạn." in page.content.decode()
    assert AuditEvent.objects.filter(action="user.logout", details__reason="timeout_idle").exists()


def test_activity_keeps_the_session(client, citizen):
    login(client, "0912345678")
    _shift(client, LAST_SEEN_KEY, settings.TINHSO_SESSION_IDLE_SECONDS - 120)
    assert client.get("/accounts/profile/").status_code == 200
    # The request refreshed the idle clock.
    assert int(time.time()) - client.session[LAST_SEEN_KEY] < 5


def test_absolute_timeout_even_when_active(client, citizen):
    login(client, "0912345678")
    _shift(client, LOGIN_AT_KEY, settings.SESSION_COOKIE_AGE + 5)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="user.logout", details__reason="timeout_absolute").exists()


def test_expired_api_session_gets_401_json(client, citizen):
    login(client, "0912345678")
    _shift(client, LAST_SEEN_KEY, settings.TINHSO_SESSION_IDLE_SECONDS + 5)
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": {"code": "session_expired", "message": "Phiên làm việc đã hết hạn.", "details": None}
    }


def test_login_rotates_the_session_key(client, citizen):
    client.get("/accounts/login/")
    session = client.session
    session["x"] = 1
    session.save()
    before = client.session.session_key
    login(client, "0912345678")
    assert client.session.session_key != before
