"""Shared set-up of the staff-workspace, statistics and tracking tests (no tests here).

A provincial department with a clerk, two specialists, a leader; a procedure whose steps are
clerk (receipt) → specialist (appraisal) → leader (approval); dossiers made through the
services, so every row is what the real flow writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tests.files import samples
from tests.matrix import login_as
from tinhso.dossiers import services
from tinhso.procedures.models import Procedure, ProcedureField, ProcedureStep, RequiredDocument

FORM_SCHEMA = {
    "type": "object",
    "properties": {"ho_ten": {"type": "string", "title": "Họ và tên người được khai sinh"}},
    "required": ["ho_ten"],
}


def pdf_upload(name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf(), content_type="application/pdf")


def make_procedure(*, agency, code: str = "1.000001", fee: int = 0) -> Procedure:
    field, _created = ProcedureField.objects.get_or_create(code="ho-tich", defaults={"name": "Hộ tịch"})
    procedure = Procedure.objects.create(
        code=code, name=f"Đăng ký khai sinh {code}", field=field, service_level="full_online",
        implementing_level="province", processing_days=3, form_schema=FORM_SCHEMA,
    )
    procedure.agencies.add(agency)
    RequiredDocument.objects.create(procedure=procedure, order=1, code="to-khai", name="Tờ khai", is_required=True)
    for order, name, role_code, days in ((1, "Tiếp nhận", "clerk", 0), (2, "Thẩm định", "specialist", 2),
                                         (3, "Phê duyệt", "leader", 1)):
        ProcedureStep.objects.create(procedure=procedure, order=order, name=name, role_code=role_code, days=days)
    if fee:
        procedure.fees.create(name="Lệ phí", amount=fee)
    return procedure


@dataclass
class World:
    agency: Any
    other_agency: Any
    procedure: Any
    clerk: Any
    specialist: Any
    specialist2: Any
    leader: Any
    other_clerk: Any
    citizen: Any

    def client_for(self, user) -> Client:
        return login_as(Client(), user)

    def submit(self, *, applicant=None, name: str = "Nguyễn Văn An"):
        return services.dossier_create_and_submit(
            applicant=applicant or self.citizen, procedure=self.procedure, agency=self.agency,
            form_data={"ho_ten": name}, uploads={"to-khai": pdf_upload()}, idempotency_key=None,
        )

    def received(self, **kwargs):
        dossier = self.submit(**kwargs)
        return services.dossier_receive(dossier=dossier, actor=self.clerk)


@pytest.fixture(name="world")
def world_fixture(db) -> World:
    agency = AgencyFactory()
    other = AgencyFactory()

    def official(code: str, where=agency):
        return MembershipFactory(agency=where, role=role(code)).user

    return World(
        agency=agency,
        other_agency=other,
        procedure=make_procedure(agency=agency),
        clerk=official("clerk"),
        specialist=official("specialist"),
        specialist2=official("specialist"),
        leader=official("leader"),
        other_clerk=official("clerk", other),
        citizen=UserFactory(full_name="Nguyễn Văn An"),
    )
