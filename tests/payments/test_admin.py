"""Admin: payee accounts editable (audited), intents and events read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import AgencyFactory, UserFactory
from tests.matrix import login_as
from tinhso.audit.models import AuditEvent
from tinhso.payments.models import PayeeAccount


@pytest.fixture
def admin_client(db):
    admin = UserFactory(is_superuser=True, is_staff=True, kind="official")
    return login_as(Client(), admin)


def test_intent_and_event_admin_read_only(admin_client, intent):
    assert admin_client.get("/admin/payments/paymentintent/").status_code == 200
    page = admin_client.get(f"/admin/payments/paymentintent/{intent.pk}/change/")
    assert page.status_code == 200 and intent.bill_number in page.content.decode()
    assert admin_client.get("/admin/payments/paymentintent/add/").status_code == 403
    assert admin_client.get("/admin/payments/paymentevent/").status_code == 200
    assert admin_client.get("/admin/payments/paymentevent/add/").status_code == 403


def test_payee_account_added_through_admin_is_audited(admin_client):
    agency = AgencyFactory()
    response = admin_client.post(
        "/admin/payments/payeeaccount/add/",
        {"agency": agency.pk, "bank_bin": "970436", "bank_name": "Vietcombank", "account_number": "0123456789",
         "account_name": "SO THU NGHIEM", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PayeeAccount.objects.get(agency=agency).bank_bin == "970436"
    assert AuditEvent.objects.filter(action="payment.payee_account_create").count() == 1


def test_payee_account_bad_bin_rejected(admin_client):
    agency = AgencyFactory()
    response = admin_client.post(
        "/admin/payments/payeeaccount/add/",
        {"agency": agency.pk, "bank_bin": "97043", "bank_name": "X", "account_number": "01",
         "account_name": "X", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not PayeeAccount.objects.exists()
