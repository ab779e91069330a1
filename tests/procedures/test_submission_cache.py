"""Submissions read the procedure from the cache; any change of the procedure is seen at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.dossiers.factories import FORM_DATA, ProcedureFactory, uploads
from tests.factories import UserFactory
from tinhso.core.errors import NotFound
from tinhso.dossiers import services as dossier_services
from tinhso.procedures import services
from tinhso.procedures.selectors import procedure_get_for_submission


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin(db):
    return UserFactory(is_superuser=True, is_staff=True)


def _submit(procedure, agency):
    return dossier_services.dossier_create_and_submit(
        applicant=UserFactory(), procedure=procedure_get_for_submission(code=procedure.code), agency=agency,
        form_data=dict(FORM_DATA), uploads=uploads(), idempotency_key=None)


def test_second_read_comes_from_the_cache(agency, django_assert_num_queries):
    procedure = ProcedureFactory(agency=agency, fee=15000)
    first = procedure_get_for_submission(code=procedure.code)
    with django_assert_num_queries(1):  # only the version (updated_at) query
        again = procedure_get_for_submission(code=procedure.code)
        assert [f.amount for f in again.fees.all()] == [f.amount for f in first.fees.all()]
        assert [d.code for d in again.required_documents.all()] == [d.code for d in first.required_documents.all()]
    assert again is not first  # a fresh copy, never a shared object


def test_a_fee_change_is_seen_by_the_next_submission(agency, admin):
    procedure = ProcedureFactory(agency=agency, fee=15000)
    assert _submit(procedure, agency).fee_amount == 15000
    services.procedure_fees_set(actor=admin, procedure=procedure, fees=[{"name": "Lệ phí", "amount": 20000}])
    assert _submit(procedure, agency).fee_amount == 20000


def test_a_new_required_document_is_seen_by_the_next_submission(agency, admin):
    from tinhso.core.errors import ValidationFailed

    procedure = ProcedureFactory(agency=agency, fee=0)
    _submit(procedure, agency)
    docs = [{"code": d.code, "name": d.name, "is_required": d.is_required, "order": d.order}
            for d in procedure.required_documents.all()]
    docs.append({"code": "giay_moi", "name": "Giấy tờ mới bắt buộc", "is_required": True, "order": 99})
    services.procedure_documents_set(actor=admin, procedure=procedure, documents=docs)
    with pytest.raises(ValidationFailed) as exc:
        _submit(procedure, agency)
    assert exc.value.code == "missing_documents" and "giay_moi" in exc.value.details["missing"]


def test_unpublishing_is_seen_at_once(agency, admin):
    procedure = ProcedureFactory(agency=agency, fee=0)
    procedure_get_for_submission(code=procedure.code)
    services.procedure_unpublish(actor=admin, procedure=procedure)
    with pytest.raises(NotFound):
        procedure_get_for_submission(code=procedure.code)
