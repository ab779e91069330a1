from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from tests.accounts.conftest import login
from tests.factories import OfficialFactory, UserFactory
from tinhso.accounts.models import BusinessProfile, CitizenProfile, UserKind
from tinhso.accounts.selectors import (
    business_tax_code_reveal,
    citizen_by_national_id,
    citizen_national_id_reveal,
)
from tinhso.accounts.services import business_profile_update, citizen_profile_update
from tinhso.audit.models import AuditEvent
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed

NID = "079012341234"


@pytest.fixture
def citizen_with_id(citizen):
    citizen_profile_update(actor=citizen, user=citizen, national_id=NID, date_of_birth=date(1990, 5, 1),
                           address="Khóm 3", commune=None)
    return citizen


def _raw(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return repr(cursor.fetchall())


def test_national_id_is_encrypted_in_the_database(citizen_with_id):
    raw = _raw("SELECT * FROM accounts_citizenprofile")
    assert NID not in raw
    profile = CitizenProfile.objects.get(user=citizen_with_id)
    assert profile.national_id == NID
    assert profile.national_id_masked == "0790****1234"
    assert len(profile.national_id_index) == 64 and NID not in profile.national_id_index
    assert NID not in _raw("SELECT details FROM audit_auditevent")


def test_lookup_by_national_id_uses_the_blind_index(citizen_with_id):
    assert citizen_by_national_id(NID) == citizen_with_id
    assert citizen_by_national_id("079012349999") is None


def test_national_id_is_masked_on_the_profile_page(client, citizen_with_id):
    login(client, "0912345678")
    html = client.get("/accounts/profile/").content.decode()
    assert "0790****1234" in html
    assert NID not in html


def test_empty_national_id_field_keeps_the_stored_value(client, citizen_with_id):
    login(client, "0912345678")
    response = client.post("/accounts/profile/", {
        "section": "citizen", "citizen-national_id": "", "citizen-date_of_birth": "1990-05-01",
        "citizen-address": "Khóm 5",
    })
    assert response.status_code == 302
    profile = CitizenProfile.objects.get(user=citizen_with_id)
    assert profile.national_id == NID and profile.address == "Khóm 5"


def test_duplicate_national_id_is_refused(citizen_with_id):
    other = UserFactory()
    with pytest.raises(Conflict):
        citizen_profile_update(actor=other, user=other, national_id=NID, date_of_birth=None, address="", commune=None)
    assert not CitizenProfile.objects.filter(user=other).exclude(national_id="").exists()


@pytest.mark.parametrize("bad", ["12345", "07901234123a", "0790123412345"])
def test_malformed_national_id_is_refused(citizen, bad, client):
    with pytest.raises(ValidationFailed):
        citizen_profile_update(actor=citizen, user=citizen, national_id=bad, date_of_birth=None, address="", commune=None)
    login(client, "0912345678")
    response = client.post("/accounts/profile/", {"section": "citizen", "citizen-national_id": bad})
    assert response.status_code == 422
    assert "12 chữ số" in response.content.decode()
    assert not CitizenProfile.objects.filter(user=citizen).exclude(national_id="").exists()


def test_someone_else_cannot_edit_a_profile(citizen_with_id):
    other = UserFactory()
    with pytest.raises(NotAllowed):
        citizen_profile_update(actor=other, user=citizen_with_id, national_id="", date_of_birth=None, address="",
                               commune=None)
    assert CitizenProfile.objects.get(user=citizen_with_id).national_id == NID


def test_reveal_by_the_owner_is_audited(citizen_with_id):
    assert citizen_national_id_reveal(actor=citizen_with_id, user=citizen_with_id) == NID
    event = AuditEvent.objects.get(action="profile.national_id_revealed")
    assert event.actor == citizen_with_id and NID not in str(event.details)


def test_reveal_is_denied_without_permission_and_writes_nothing(citizen_with_id):
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        citizen_national_id_reveal(actor=UserFactory(), user=citizen_with_id)
    with pytest.raises(NotAllowed):
        citizen_national_id_reveal(actor=None, user=citizen_with_id)
    assert AuditEvent.objects.count() == before


def test_official_with_permission_must_be_otp_verified(citizen_with_id):
    official = OfficialFactory()
    official.user_permissions.add(Permission.objects.get(codename="reveal_national_id"))
    official = type(official).objects.get(pk=official.pk)
    official.is_verified = lambda: False
    with pytest.raises(NotAllowed):
        citizen_national_id_reveal(actor=official, user=citizen_with_id)
    official.is_verified = lambda: True
    assert citizen_national_id_reveal(actor=official, user=citizen_with_id) == NID


def test_tax_code_is_encrypted_masked_and_unique(db):
    owner = UserFactory(kind=UserKind.BUSINESS)
    business_profile_update(actor=owner, user=owner, name="Hộ kinh doanh Bình An", tax_code="2001234567001",
                            household_business=True, address="")
    profile = BusinessProfile.objects.get(user=owner)
    assert profile.tax_code == "2001234567-001"
    assert "2001234567" not in _raw("SELECT * FROM accounts_businessprofile")
    assert profile.tax_code_masked == "200********001"
    other = UserFactory(kind=UserKind.BUSINESS)
    with pytest.raises(Conflict):
        business_profile_update(actor=other, user=other, name="Khác", tax_code="2001234567-001",
                                household_business=False, address="")
    assert business_tax_code_reveal(actor=owner, user=owner) == "2001234567-001"


def test_encrypted_fields_refuse_pattern_lookups(citizen_with_id):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(CitizenProfile.objects.filter(national_id__startswith="079"))


def test_field_key_setting_changes_the_ciphertext_key(citizen_with_id, settings):
    from tinhso.accounts.crypto import DecryptionFailed

    settings.TINHSO_FIELD_KEY = "another-key-for-this-test-only"
    with pytest.raises(DecryptionFailed):
        CitizenProfile.objects.get(user=citizen_with_id)
    settings.TINHSO_FIELD_OLD_KEYS = [settings.SECRET_KEY]
    assert CitizenProfile.objects.get(user=citizen_with_id).national_id == NID


def test_account_form_updates_name_and_language(client, citizen):
    login(client, "0912345678")
    response = client.post("/accounts/profile/", {
        "section": "account", "account-full_name": "  Nguyễn   Văn An ", "account-preferred_language": "en",
    })
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.full_name == "Nguyễn Văn An" and citizen.preferred_language == "en"


def test_profile_page_of_an_official_shows_memberships(client, official, official_device):
    from tests.accounts.conftest import code_for

    login(client, "canbo.xa@tinhso.gov.vn")
    client.post("/accounts/mfa/challenge/", {"otp_token": code_for(official_device)})
    html = client.get("/accounts/profile/").content.decode()
    assert "Công chức một cửa" in html
    assert "Tạo mã dự phòng mới" in html
