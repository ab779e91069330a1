from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.factories import OfficialFactory, UserFactory
from tinhso.accounts.models import ApiToken
from tinhso.accounts.services import api_token_create, api_token_revoke
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotAllowed, ValidationFailed

ME = "/api/v1/accounts/me"


@pytest.fixture
def system_user(db):
    return UserFactory(email="he-thong@tinhso.gov.vn", phone=None, is_service_account=True, full_name="Cổng DVC")


@pytest.fixture
def issued(system_user):
    return api_token_create(actor=None, user=system_user, name="Cổng DVC quốc gia", scopes=["procedures:read"],
                            expires_at=timezone.now() + timedelta(days=90))


def _bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def _assert_401(response):
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == "not_authenticated"


def test_token_authenticates_api_calls(issued, system_user):
    token, plaintext = issued
    response = Client().get(ME, **_bearer(plaintext))
    assert response.status_code == 200
    assert response.json()["public_id"] == str(system_user.public_id)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_plaintext_is_never_stored(issued):
    token, plaintext = issued
    assert token.prefix == plaintext[:8]
    assert len(plaintext) >= 40
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        rows = cursor.fetchall()
    assert plaintext not in repr(rows)
    assert plaintext not in repr(list(AuditEvent.objects.values_list("details", flat=True)))


@pytest.mark.parametrize("method", ["get", "patch"])
def test_expired_token_is_rejected(issued, method):
    token, plaintext = issued
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    call = getattr(Client(), method)
    response = call(ME, **_bearer(plaintext)) if method == "get" else call(
        ME, data={"full_name": "Đổi tên"}, content_type="application/json", **_bearer(plaintext))
    _assert_401(response)
    token.user.refresh_from_db()
    assert token.user.full_name == "Cổng DVC"  # a refused write changes nothing


def test_revoked_token_is_rejected(issued):
    token, plaintext = issued
    api_token_revoke(actor=None, token=token)
    _assert_401(Client().get(ME, **_bearer(plaintext)))
    assert AuditEvent.objects.filter(action="api_token.revoked").exists()


@pytest.mark.parametrize("value", ["", "x", "a" * 48, "Basic abc"])
def test_garbage_is_rejected(db, value, issued):
    _assert_401(Client().get(ME, HTTP_AUTHORIZATION=f"Bearer {value}"))


def test_wrong_secret_with_a_real_prefix_is_rejected(issued):
    _token, plaintext = issued
    _assert_401(Client().get(ME, **_bearer(plaintext[:8] + "A" * 40)))


def test_anonymous_api_call_is_rejected(db):
    _assert_401(Client().get(ME))


def test_last_used_is_written_at_most_once_a_minute(issued):
    token, plaintext = issued
    client = Client()
    client.get(ME, **_bearer(plaintext))
    token.refresh_from_db()
    first = token.last_used_at
    client.get(ME, **_bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get(ME, **_bearer(plaintext))
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(minutes=1)


def test_tokens_of_officials_skip_the_otp_challenge(db):
    official = OfficialFactory()
    _token, plaintext = api_token_create(actor=None, user=official, name="Ứng dụng", scopes=[], expires_at=None)
    assert Client().get(ME, **_bearer(plaintext)).status_code == 200


def test_only_system_admins_issue_tokens(system_user):
    citizen = UserFactory()
    with pytest.raises(NotAllowed):
        api_token_create(actor=citizen, user=citizen, name="x", scopes=[], expires_at=None)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "kwargs",
    [{"name": ""}, {"scopes": ["Không hợp lệ"]}, {"expires_at": timezone.now() - timedelta(days=1)}],
)
def test_bad_token_input_stores_nothing(system_user, kwargs):
    args = {"name": "Hệ thống", "scopes": [], "expires_at": None, **kwargs}
    with pytest.raises(ValidationFailed):
        api_token_create(actor=None, user=system_user, **args)
    assert not ApiToken.objects.exists()


def test_command_creates_lists_and_revokes(system_user):
    out = StringIO()
    call_command("api_token", "create", "--user", "HE-THONG@tinhso.gov.vn", "--name", "Cổng DVC",
                 "--scope", "procedures:read", "--days", "30", stdout=out)
    plaintext = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get()
    assert token.prefix == plaintext[:8] and token.scopes == ["procedures:read"]
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    assert Client().get(ME, **_bearer(plaintext)).status_code == 200
    listing = StringIO()
    call_command("api_token", "list", stdout=listing)
    assert token.prefix in listing.getvalue() and plaintext not in listing.getvalue()
    call_command("api_token", "revoke", token.prefix, stdout=StringIO())
    _assert_401(Client().get(ME, **_bearer(plaintext)))


def test_my_tokens_lists_without_secrets(issued):
    token, plaintext = issued
    response = Client().get("/api/v1/accounts/me/tokens", **_bearer(plaintext))
    assert response.status_code == 200
    assert [t["prefix"] for t in response.json()] == [token.prefix]
    assert plaintext not in response.content.decode()


def test_tokens_are_alphanumeric_so_a_prefix_is_never_read_as_an_option(system_user):
    from tinhso.accounts import services

    for _ in range(200):
        _token, plaintext = services.api_token_create(actor=None, user=system_user, name="x", scopes=[], expires_at=None)
        assert plaintext.isalnum() and len(plaintext) == 48
