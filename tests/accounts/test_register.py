import pytest

from tinhso.accounts.models import BusinessProfile, CitizenProfile, User, UserKind
from tinhso.audit.models import AuditEvent

GOOD = "Mat-khau-Tot-2026"


def _post(client, **overrides):
    data = {"kind": "citizen", "full_name": "Lê Văn Tám", "username": "0977 123 456", "password1": GOOD,
            "password2": GOOD, **overrides}
    return client.post("/accounts/register/", data)


def test_register_page_is_accessible(client, db):
    html = client.get("/accounts/register/").content.decode()
    assert "Số điện thoại hoặc thư điện tử" in html
    assert 'autocomplete="new-password"' in html and 'autocomplete="name"' in html


def test_citizen_registers_by_phone_and_is_logged_in(client, db):
    response = _post(client)
    assert response.status_code == 302
    user = User.objects.get(phone="0977123456")
    assert user.kind == UserKind.CITIZEN and user.email is None
    assert user.check_password(GOOD)
    assert CitizenProfile.objects.filter(user=user).exists()
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.filter(action="user.registered", actor=user).exists()


def test_business_registers_by_email_with_tax_code(client, db):
    response = _post(client, kind="business", username="Chu.Ho@Example.vn", business_name="Hộ kinh doanh Tám",
                     tax_code="2000123456", household_business="on")
    assert response.status_code == 302
    user = User.objects.get(email="chu.ho@example.vn")
    profile = BusinessProfile.objects.get(user=user)
    assert profile.household_business and profile.tax_code == "2000123456"


@pytest.mark.parametrize("typed", ["+84977123456", "0977.123.456"])
def test_duplicate_phone_in_another_spelling_is_refused(client, db, typed):
    _post(client)
    client.logout()
    response = _post(client, username=typed, full_name="Người khác")
    assert response.status_code == 409
    assert "Số điện thoại này đã được đăng ký" in response.content.decode()
    assert User.objects.count() == 1


def test_duplicate_email_ignores_case(client, db):
    _post(client, username="tam@example.vn")
    client.logout()
    response = _post(client, username="TAM@example.VN")
    assert response.status_code == 409
    assert "Thư điện tử này đã được đăng ký" in response.content.decode()
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"password1": "12345678", "password2": "12345678"}, "quá ngắn"),
        ({"password2": "khac-mat-khau-9"}, "Hai mật khẩu không khớp."),
        ({"username": "0123"}, "Nhập số điện thoại di động Việt Nam"),
        ({"full_name": ""}, "bắt buộc"),
        ({"kind": "business", "business_name": ""}, "tên doanh nghiệp"),
        ({"kind": "business", "business_name": "A", "tax_code": "12345"}, "Mã số thuế gồm 10 chữ số"),
        ({"kind": "official"}, "lựa chọn hợp lệ"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_stored(client, db, overrides, message):
    response = _post(client, **overrides)
    assert response.status_code in (400, 422)
    assert message.lower() in response.content.decode().lower()
    assert User.objects.count() == 0
    assert "_auth_user_id" not in client.session


def test_manager_keeps_phone_only_users_without_email(db):
    user = User.objects.create_user(phone="+84 977 555 444", password=GOOD, full_name="Chỉ có số")
    user.refresh_from_db()
    assert user.phone == "0977555444" and user.email is None
    assert user.get_username() == "0977555444"
    admin = User.objects.create_superuser(email="QT@Example.VN", password=GOOD, full_name="Quản trị")
    assert admin.email == "qt@example.vn" and admin.kind == UserKind.OFFICIAL
