from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tinhso.accounts import demo
from tinhso.accounts.models import User
from tinhso.orgs.models import Membership


@pytest.fixture
def demo_loaded(db, settings):
    from tinhso.geo import demo as geo_demo
    from tinhso.orgs import demo as orgs_demo

    lines: list[str] = []
    for module in (geo_demo, orgs_demo, demo):
        module.load(province_code=96, log=lines.append)
    return lines


def test_demo_accounts_roles_and_otp(demo_loaded):
    assert len(demo.ACCOUNTS) == User.objects.filter(
        email__in=demo.DEMO_LOGINS).count() + User.objects.filter(phone__in=demo.DEMO_LOGINS).count()
    citizen = User.objects.get(phone="0912345678")
    assert citizen.check_password(demo.DEMO_PASSWORD) and not citizen.requires_mfa
    admin = User.objects.get(email="admin@tinhso.local")
    assert admin.is_superuser and admin.requires_mfa
    clerk = User.objects.get(email="motcua@tinhso.local")
    membership = Membership.objects.select_related("agency", "role", "unit").get(user=clerk)
    assert membership.role.code == "clerk"
    assert "An Xuyên" in membership.agency.name
    assert membership.unit is not None and membership.unit.kind == "one_stop"
    specialist = Membership.objects.select_related("agency").get(user__email="chuyenvien@tinhso.local")
    assert "Tư pháp" in specialist.agency.name
    assert TOTPDevice.objects.filter(user__kind="official", confirmed=True).count() == sum(1 for a in demo.ACCOUNTS if a.kind == "official")

    # Loading twice changes nothing.
    counts = (User.objects.count(), Membership.objects.count(), TOTPDevice.objects.count())
    demo.load(province_code=96, log=lambda _m: None)
    assert counts == (User.objects.count(), Membership.objects.count(), TOTPDevice.objects.count())

    text = demo.describe_accounts()
    assert "0912345678" in text and "TinhSo@2026" in text and demo.totp_secret_b32("admin@tinhso.local") in text
    assert "tinhso demo_otp" in text


def test_demo_otp_command_code_logs_the_leader_in(demo_loaded, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = Client()
    response = client.post("/accounts/login/", {"username": "lanhdao@tinhso.local", "password": demo.DEMO_PASSWORD})
    assert response["Location"] == "/accounts/mfa/challenge/"
    out = StringIO()
    call_command("demo_otp", "LANHDAO@tinhso.local", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    assert client.post("/accounts/mfa/challenge/", {"otp_token": code})["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_demo_otp_refuses_other_accounts_and_production(demo_loaded, settings):
    with pytest.raises(CommandError):
        call_command("demo_otp", "someone@example.vn", stdout=StringIO())
    settings.TINHSO_ENV = "production"
    with pytest.raises(CommandError):
        call_command("demo_otp", "admin@tinhso.local", stdout=StringIO())
    assert demo.describe_accounts() == ""


def test_demo_is_skipped_in_production(db, settings):
    settings.TINHSO_ENV = "production"
    lines: list[str] = []
    demo.load(province_code=96, log=lines.append)
    assert not User.objects.exists()
    assert "production" in lines[0]


def test_demo_without_agencies_skips_memberships(db):
    lines: list[str] = []
    demo.load(province_code=96, log=lines.append)
    assert User.objects.filter(email__in=demo.DEMO_LOGINS).count() == sum(1 for a in demo.ACCOUNTS if "@" in a.login)
    assert not Membership.objects.exists()
    assert any("bỏ qua" in line for line in lines)
