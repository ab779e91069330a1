import base64
import re

import pyotp
import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import code_for, login
from tests.factories import UserFactory
from tinhso.audit.models import AuditEvent

GENERIC_OTP = "Mã xác thực không đúng hoặc đã hết hạn."


@pytest.fixture(autouse=True)
def _no_throttle_delay(settings):
    # django-otp doubles a delay after each wrong code; tests that follow a wrong code with a
    # right one would otherwise depend on the clock.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_official_without_device_goes_to_enrolment(client, official):
    response = login(client, "canbo.xa@tinhso.gov.vn")
    assert response.status_code == 302 and response["Location"] == "/accounts/mfa/enrol/"
    # Any other page sends them back there.
    assert client.get("/staff/")["Location"].startswith("/accounts/mfa/enrol/")
    assert client.get("/accounts/profile/")["Location"].startswith("/accounts/mfa/enrol/")


def test_enrolment_page_has_inline_svg_and_secret_and_no_script(client, official):
    login(client, "canbo.xa@tinhso.gov.vn")
    page = client.get("/accounts/mfa/enrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "<path" in html
    device = TOTPDevice.objects.get(user=official, confirmed=False)
    secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in html
    body = html.split("<main", 1)[1]
    assert "<script" not in body and "style=" not in body
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    # Reloading keeps the same pending device.
    client.get("/accounts/mfa/enrol/")
    assert TOTPDevice.objects.filter(user=official).count() == 1


def test_enrolment_wrong_then_right_code(client, official):
    login(client, "canbo.xa@tinhso.gov.vn")
    client.get("/accounts/mfa/enrol/")
    device = TOTPDevice.objects.get(user=official)
    wrong = client.post("/accounts/mfa/enrol/", {"otp_token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 400 and GENERIC_OTP in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    right = client.post("/accounts/mfa/enrol/", {"otp_token": code_for(device)})
    assert right.status_code == 200
    html = right.content.decode()
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", html)
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.session[DEVICE_ID_SESSION_KEY]
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="user.mfa_enrolled", actor=official).exists()


def test_official_with_device_goes_to_challenge(client, official, official_device):
    response = login(client, "canbo.xa@tinhso.gov.vn")
    assert response["Location"] == "/accounts/mfa/challenge/"
    page = client.get("/accounts/mfa/challenge/").content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    assert client.get("/staff/")["Location"] == "/accounts/mfa/challenge/?next=%2Fstaff%2F"


def test_wrong_otp_is_rejected_right_otp_opens_the_workspace(client, official, official_device):
    login(client, "canbo.xa@tinhso.gov.vn")
    right = code_for(official_device)
    wrong = client.post("/accounts/mfa/challenge/", {"otp_token": "123456" if right != "123456" else "654321"})
    assert wrong.status_code == 400
    assert GENERIC_OTP in wrong.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/staff/").status_code == 302
    assert AuditEvent.objects.filter(action="user.mfa_failed", actor=official).count() == 1

    key_before = client.session.session_key
    ok = client.post("/accounts/mfa/challenge/", {"otp_token": code_for(official_device)})
    assert ok.status_code == 302 and ok["Location"] == "/staff/"
    assert client.session.session_key != key_before  # rotated at MFA verification
    assert client.get("/staff/").status_code == 200


def test_next_is_kept_through_the_challenge(client, official, official_device):
    client.post("/accounts/login/?next=/accounts/profile/",
                {"username": "canbo.xa@tinhso.gov.vn", "password": "Matkhau@12345"})
    ok = client.post("/accounts/mfa/challenge/", {"otp_token": code_for(official_device)})
    assert ok["Location"] == "/accounts/profile/"


def test_backup_code_works_once(client, official, official_device):
    from tinhso.accounts.mfa import mfa_backup_codes_regenerate

    codes = mfa_backup_codes_regenerate(user=official)
    login(client, "canbo.xa@tinhso.gov.vn")
    assert client.post("/accounts/mfa/challenge/", {"otp_token": codes[0]}).status_code == 302
    client.post("/accounts/logout/")
    login(client, "canbo.xa@tinhso.gov.vn")
    again = client.post("/accounts/mfa/challenge/", {"otp_token": codes[0]})
    assert again.status_code == 400
    assert StaticToken.objects.filter(device__user=official).count() == 9


def test_too_many_wrong_codes_end_the_session(client, official, official_device):
    login(client, "canbo.xa@tinhso.gov.vn")
    right = code_for(official_device)
    bad = "000000" if right != "000000" else "111111"
    for _ in range(9):
        assert client.post("/accounts/mfa/challenge/", {"otp_token": bad}).status_code == 400
    last = client.post("/accounts/mfa/challenge/", {"otp_token": bad})
    assert last.status_code == 302 and last["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_citizens_are_not_asked_for_otp(client, citizen):
    login(client, "0912345678")
    assert client.get("/me/").status_code == 200


def test_session_api_call_before_otp_gets_401_json(client, official, official_device):
    login(client, "canbo.xa@tinhso.gov.vn")
    response = client.get("/api/v1/accounts/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "mfa_required"
    client.post("/accounts/mfa/challenge/", {"otp_token": code_for(official_device)})
    assert client.get("/api/v1/accounts/me").status_code == 200


def test_mfa_pages_and_logout_stay_reachable(client, official, official_device):
    login(client, "canbo.xa@tinhso.gov.vn")
    assert client.get("/accounts/mfa/challenge/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


@pytest.fixture
def staff_admin(db):
    return UserFactory(phone="0912999888", email="qt@tinhso.gov.vn", is_staff=True, is_superuser=True)


def test_admin_requires_otp_verification(client, staff_admin):
    device = TOTPDevice.objects.create(user=staff_admin, name="App", confirmed=True)
    client.force_login(staff_admin)  # password accepted, OTP not yet
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/" not in response["Location"].split("?")[0]
    client.post("/accounts/mfa/challenge/", {"otp_token": code_for(device)})
    assert client.get("/admin/").status_code == 200


def test_admin_site_itself_refuses_unverified_staff(rf, staff_admin):
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = staff_admin
    staff_admin.is_verified = lambda: False
    assert admin.site.has_permission(request) is False
    staff_admin.is_verified = lambda: True
    assert admin.site.has_permission(request) is True


def test_admin_login_page_redirects_to_our_login(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_enrolment_code_computed_by_pyotp_matches_qr_secret(client, official):
    login(client, "canbo.xa@tinhso.gov.vn")
    html = client.get("/accounts/mfa/enrol/").content.decode()
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", html).group(1).replace(" ", "")
    response = client.post("/accounts/mfa/enrol/", {"otp_token": pyotp.TOTP(secret).now()})
    assert response.status_code == 200 and "Mã dự phòng" in response.content.decode()
