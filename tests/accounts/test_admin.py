import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory
from tests.matrix import login_as
from tinhso.accounts.models import ApiToken, CitizenProfile
from tinhso.accounts.services import citizen_profile_update, hash_token


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(email="quantri@tinhso.gov.vn", is_staff=True, is_superuser=True)
    return login_as(client, admin, mfa=True)


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/accounts/user/", "/admin/accounts/user/add/", "/admin/accounts/role/",
     "/admin/accounts/apitoken/", "/admin/accounts/apitoken/add/", "/admin/accounts/citizenprofile/",
     "/admin/accounts/businessprofile/", "/admin/accounts/officialprofile/"],
)
def test_admin_pages_open_for_a_verified_superuser(admin_client, url):
    assert admin_client.get(url).status_code == 200


def test_profiles_are_masked_in_the_admin(admin_client, citizen):
    citizen_profile_update(actor=citizen, user=citizen, national_id="079012341234", date_of_birth=None,
                           address="", commune=None)
    profile = CitizenProfile.objects.get(user=citizen)
    for url in ("/admin/accounts/citizenprofile/", f"/admin/accounts/citizenprofile/{profile.pk}/change/"):
        html = admin_client.get(url).content.decode()
        assert "0790****1234" in html and "079012341234" not in html


def test_admin_issues_a_token_shown_once(admin_client, citizen):
    response = admin_client.post("/admin/accounts/apitoken/add/", {
        "name": "Hệ thống thuế", "user": citizen.pk, "scopes_text": "procedures:read, opendata:read",
        "expires_at_0": "", "expires_at_1": "",
    }, follow=True)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    plaintext = re.search(r"sao chép ngay\): ([A-Za-z0-9_-]{40,})", response.content.decode()).group(1)
    assert token.secret_hash == hash_token(plaintext)
    assert token.scopes == ["procedures:read", "opendata:read"]
    assert plaintext not in admin_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()


def test_admin_reset_mfa_action(admin_client, official, official_device):
    response = admin_client.post("/admin/accounts/user/", {
        "action": "reset_mfa", "_selected_action": [official.pk],
    })
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=official).exists()


def test_admin_creates_a_user_with_a_normalised_phone(admin_client):
    response = admin_client.post("/admin/accounts/user/add/", {
        "full_name": "Cán bộ mới", "email": "", "phone": "+84 988 777 666", "kind": "official", "password1": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    from tinhso.accounts.models import User

    user = User.objects.get(phone="0988777666")
    assert user.email is None
    assert not user.has_usable_password()
