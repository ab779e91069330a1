"""Test data of the dossiers app: a procedure with 3 steps, a fee, 2 documents and a form, the
officials who process it, and helpers to push a dossier through its lifecycle.

    proc = ProcedureFactory(agency=agency)           # receiving agency = ``agency``
    team = Team.build(agency)                         # clerk, specialist, leader (+ MFA clients)
    d = submitted_dossier(proc, agency, applicant)
"""

from __future__ import annotations

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from factory.django import DjangoModelFactory

from tests.factories import AgencyFactory, MembershipFactory, UserFactory, role
from tests.files.samples import pdf
from tinhso.procedures.models import (
    ImplementingLevel,
    Procedure,
    ProcedureFee,
    ProcedureField,
    ProcedureStep,
    RequiredDocument,
    ServiceLevel,
)

FORM_SCHEMA = {
    "type": "object",
    "properties": {
        "full_name": {"type": "string", "title": "Họ và tên", "maxLength": 100},
        "content": {"type": "string", "title": "Nội dung đề nghị", "x-widget": "textarea"},
    },
    "required": ["full_name"],
}
FORM_DATA = {"full_name": "Nguyễn Văn An", "content": "Đề nghị cấp giấy."}
FEE = 50_000


class ProcedureFieldFactory(DjangoModelFactory):
    class Meta:
        model = ProcedureField
        django_get_or_create = ("code",)

    code = "ho-tich"
    name = "Hộ tịch"


class ProcedureFactory(DjangoModelFactory):
    """A provincial procedure received by ``agency`` (a new department unless given): steps
    clerk 1 day at the receiving agency → specialist 2 days → leader 1 day (processing 4 days);
    fee ``FEE``; documents ``don`` and ``cccd`` (both required). ``step2_agency`` puts the
    specialist step at another agency (a transfer). ``fee=0`` gives a free procedure."""

    class Meta:
        model = Procedure
        skip_postgeneration_save = True

    # Not model fields: taken out in _create and used by the post-generation hook.
    agency = factory.SubFactory(AgencyFactory)
    step2_agency = None
    fee = FEE
    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm {n}")
    field = factory.SubFactory(ProcedureFieldFactory)
    service_level = ServiceLevel.FULL_ONLINE
    implementing_level = ImplementingLevel.PROVINCE
    processing_days = 4
    counting_rule = factory.LazyFunction(dict)
    form_schema = factory.LazyFunction(lambda: dict(FORM_SCHEMA))
    is_published = True

    @factory.post_generation
    def setup(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy hook signature
        if not create:
            return
        obj.agencies.add(obj._agency)
        ProcedureStep.objects.create(procedure=obj, order=1, name="Tiếp nhận, chuyển hồ sơ", role_code="clerk",
                                     agency_rule="receiving", days=1)
        step2 = obj._step2_agency
        ProcedureStep.objects.create(procedure=obj, order=2, name="Thẩm định hồ sơ", role_code="specialist",
                                     agency_rule="specific" if step2 else "receiving", agency=step2, days=2)
        ProcedureStep.objects.create(procedure=obj, order=3, name="Phê duyệt kết quả", role_code="leader",
                                     agency_rule="receiving", days=1)
        if obj._fee:
            ProcedureFee.objects.create(procedure=obj, name="Lệ phí", amount=obj._fee)
        RequiredDocument.objects.create(procedure=obj, order=1, code="don", name="Đơn đề nghị", is_required=True)
        RequiredDocument.objects.create(procedure=obj, order=2, code="cccd", name="Bản sao căn cước", is_required=True)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        agency = kwargs.pop("agency")
        step2 = kwargs.pop("step2_agency")
        fee = kwargs.pop("fee")
        obj = super()._create(model_class, *args, **kwargs)
        obj._agency, obj._step2_agency, obj._fee = agency, step2, fee
        return obj


def upload(name: str = "don.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf(), content_type="application/pdf")


def uploads() -> dict:
    return {"don": upload("don.pdf"), "cccd": upload("cccd.pdf")}


class Team:
    """clerk, specialist and leader at ``agency`` (and a specialist at ``other`` if given)."""

    def __init__(self, agency, other=None):
        self.agency = agency
        self.clerk = MembershipFactory(agency=agency, role=role("clerk")).user
        self.specialist = MembershipFactory(agency=agency, role=role("specialist")).user
        self.leader = MembershipFactory(agency=agency, role=role("leader")).user
        self.other_specialist = MembershipFactory(agency=other, role=role("specialist")).user if other else None


def payee_account(agency):
    from tinhso.payments.models import PayeeAccount

    return PayeeAccount.objects.create(agency=agency, bank_bin="970403", bank_name="Sacombank",
                                       account_number="0011012345678", account_name="KHO BAC NHA NUOC")


def submitted_dossier(procedure, agency, applicant=None, **kwargs):
    from tinhso.dossiers import services

    applicant = applicant or UserFactory()
    return services.dossier_create_and_submit(
        applicant=applicant, procedure=procedure, agency=agency, form_data=dict(FORM_DATA), uploads=uploads(),
        idempotency_key=kwargs.pop("idempotency_key", None), **kwargs,
    )


def received_dossier(procedure, agency, team, applicant=None):
    from tinhso.dossiers import services

    d = submitted_dossier(procedure, agency, applicant)
    return services.dossier_receive(dossier=d, actor=team.clerk)
