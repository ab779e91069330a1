"""Idempotent submission and public tracking."""

from __future__ import annotations

import pytest

from tests.dossiers.factories import FORM_DATA, received_dossier, submitted_dossier, upload, uploads
from tests.factories import UserFactory
from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.dossiers import services
from tinhso.dossiers.models import Dossier
from tinhso.dossiers.selectors import dossier_track

pytestmark = pytest.mark.django_db


def test_same_key_returns_the_same_dossier(agency, free_procedure, citizen):
    a = submitted_dossier(free_procedure, agency, citizen, idempotency_key="k-1")
    b = submitted_dossier(free_procedure, agency, citizen, idempotency_key="k-1")
    assert a.pk == b.pk and Dossier.objects.count() == 1
    # another applicant may use the same key for their own dossier
    c = submitted_dossier(free_procedure, agency, UserFactory(), idempotency_key="k-1")
    assert c.pk != a.pk


def test_same_key_different_payload_conflicts(agency, free_procedure, citizen):
    submitted_dossier(free_procedure, agency, citizen, idempotency_key="k-2")
    with pytest.raises(ValidationFailed) as exc:
        services.dossier_create_and_submit(
            applicant=citizen, procedure=free_procedure, agency=agency,
            form_data={**FORM_DATA, "full_name": "Người khác"}, uploads=uploads(), idempotency_key="k-2")
    assert exc.value.code == "idempotency_conflict" and exc.value.status == 422
    assert Dossier.objects.count() == 1


def test_submit_endpoint_style_idempotency(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency,
                                    form_data=dict(FORM_DATA))
    for code in ("don", "cccd"):
        services.dossier_attach(dossier=d, actor=citizen, requirement_code=code, uploaded=upload())
    first = services.dossier_submit(dossier=d, actor=citizen, idempotency_key="s-1")
    again = services.dossier_submit(dossier=d, actor=citizen, idempotency_key="s-1")
    assert first.code == again.code
    other = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency,
                                        form_data=dict(FORM_DATA))
    with pytest.raises(ValidationFailed) as exc:
        services.dossier_submit(dossier=other, actor=citizen, idempotency_key="s-1")
    assert exc.value.code == "idempotency_conflict"


def test_tracking_shows_status_without_personal_data(agency, team, free_procedure):
    applicant = UserFactory(full_name="Trần Thị Bí Mật")
    d = received_dossier(free_procedure, agency, team, applicant)
    view = dossier_track(code=d.code.lower(), secret=d.tracking_secret.lower())
    assert view["code"] == d.code and view["status"] == "processing"
    assert view["procedure"] == free_procedure.name and view["agency"] == agency.name
    assert [h["status"] for h in view["history"]] == ["submitted", "processing"]
    text = repr(view)
    for private in ("Trần Thị Bí Mật", applicant.email, d.tracking_secret, team.clerk.full_name, "Nguyễn Văn An"):
        assert private not in text


@pytest.mark.parametrize("mutate", ["secret", "code", "empty"])
def test_tracking_mismatch_is_not_found(agency, free_procedure, mutate):
    d = submitted_dossier(free_procedure, agency)
    code, secret = d.code, d.tracking_secret
    if mutate == "secret":
        secret = "AAAAAAAA" if secret != "AAAAAAAA" else "BBBBBBBB"
    elif mutate == "code":
        code = code[:-1] + ("9" if code[-1] != "9" else "8")
    else:
        code, secret = "", ""
    with pytest.raises(NotFound):
        dossier_track(code=code, secret=secret)


def test_drafts_cannot_be_tracked(agency, free_procedure, citizen):
    d = services.dossier_save_draft(applicant=citizen, procedure=free_procedure, agency=agency, form_data={})
    with pytest.raises(NotFound):
        dossier_track(code="", secret=d.tracking_secret)
