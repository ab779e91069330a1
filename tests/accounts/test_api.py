from tests.accounts.conftest import login


def test_me_for_a_citizen_session(client, citizen):
    login(client, "0912345678")
    body = client.get("/api/v1/accounts/me").json()
    assert body["public_id"] == str(citizen.public_id)
    assert body["phone_masked"] == "0912***678"
    assert body["email_masked"] == "ng***@example.vn"
    assert body["kind"] == "citizen" and body["memberships"] == []


def test_session_writes_need_the_csrf_token(citizen):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.patch("/api/v1/accounts/me", {"full_name": "X"}, content_type="application/json")
    assert response.status_code == 403
    citizen.refresh_from_db()
    assert citizen.full_name != "X"


def test_anonymous_gets_401(client, db):
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_patch_me(client, citizen):
    login(client, "0912345678")
    response = client.patch("/api/v1/accounts/me", {"full_name": "Nguyễn Văn Ân", "preferred_language": "en"},
                            content_type="application/json")
    assert response.status_code == 200
    assert response.json()["full_name"] == "Nguyễn Văn Ân"
    bad = client.patch("/api/v1/accounts/me", {"preferred_language": "fr"}, content_type="application/json")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_error"
    citizen.refresh_from_db()
    assert citizen.preferred_language == "en"


def test_me_lists_memberships_of_an_official(client, official, official_device):
    from tests.accounts.conftest import code_for

    login(client, "canbo.xa@tinhso.gov.vn")
    client.post("/accounts/mfa/challenge/", {"otp_token": code_for(official_device)})
    body = client.get("/api/v1/accounts/me").json()
    assert [m["role"] for m in body["memberships"]] == ["clerk"]
    assert body["requires_mfa"] is True
