"""Public REST API of the procedure catalogue (mounted at /api/v1/procedures): no authentication."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from tinhso.procedures import selectors
from tinhso.procedures.models import Procedure

router = Router(tags=["procedures"])

LevelParam = Literal["province", "commune", "full_online", "partial_online"]


class FieldOut(Schema):
    code: str
    name: str


class AgencyRef(Schema):
    code: str = Field(..., description="Electronic agency code (QCVN 102:2016)", examples=["000.00.04.H12"])
    name: str


class FeeOut(Schema):
    name: str
    amount: int = Field(..., description="VND (per unit when quantity_field is set); 0 = free of charge")
    note: str
    quantity_field: str = Field("", description="Integer field of form_schema the amount is multiplied by "
                                                "(e.g. so_ban_sao); empty = charged once")
    quantity_unit: str = Field("", description="Unit of the quantity, e.g. \"bản sao trích lục\"")


class DocumentOut(Schema):
    code: str
    name: str
    description: str
    copies: str
    is_required: bool
    template_id: str | None = Field(None, description="Public id of the downloadable template (files API)")

    @staticmethod
    def resolve_template_id(obj) -> str | None:
        return str(obj.template.public_id) if obj.template_id else None


class StepOut(Schema):
    order: int
    name: str
    role_code: str
    agency_rule: Literal["receiving", "specific"]
    agency: AgencyRef | None = None
    days: int


class ProcedureSummaryOut(Schema):
    code: str = Field(..., examples=["1.001193"])
    name: str = Field(..., examples=["Đăng ký khai sinh"])
    field: FieldOut
    service_level: str = Field(..., description="full_online | partial_online")
    implementing_level: str = Field(..., description="province | commune")
    processing_days: int = Field(..., description="Working days")
    url: str

    @staticmethod
    def resolve_url(obj: Procedure) -> str:
        return obj.get_absolute_url()


class ProcedureDetailOut(ProcedureSummaryOut):
    applicants: str
    conditions: str
    legal_basis: str
    result: str
    counting_rule: dict
    form_schema: dict = Field(..., description="JSON Schema (draft 2020-12 subset) of the application form")
    agencies: list[AgencyRef]
    fees: list[FeeOut]
    documents: list[DocumentOut]
    steps: list[StepOut]
    total_fee: int = Field(..., description="VND charged whatever the form says (the fixed lines); a dossier "
                                            "adds amount × quantity for each line with a quantity_field")

    @staticmethod
    def resolve_agencies(obj: Procedure) -> list:
        return list(obj.agencies.all())

    @staticmethod
    def resolve_fees(obj: Procedure) -> list:
        return list(obj.fees.all())

    @staticmethod
    def resolve_documents(obj: Procedure) -> list:
        return list(obj.required_documents.all())

    @staticmethod
    def resolve_steps(obj: Procedure) -> list:
        return list(obj.steps.all())


class Filters(Schema):
    q: str | None = Field(None, max_length=200, description="Words of the name or documents; diacritics optional")
    field: str | None = Field(None, max_length=40, description="Field code, e.g. ho-tich")
    level: LevelParam | None = None


@router.get("", response=list[ProcedureSummaryOut], auth=None, summary="Search the published catalogue",
            description="`q` ignores diacritics (`giay khai sinh` finds Đăng ký khai sinh); paginated "
                        "with `page` (20 per page).")
@paginate(PageNumberPagination, page_size=20)
def list_procedures(request: HttpRequest, filters: Query[Filters]):
    return selectors.procedures_public(q=filters.q, field=filters.field, level=filters.level)


@router.get("/{code}", response=ProcedureDetailOut, auth=None, summary="One published procedure, in full")
def get_procedure(request: HttpRequest, code: str):
    return selectors.procedure_get_published(code=code)


fields_router = Router(tags=["procedures"])


@fields_router.get("", response=list[FieldOut], auth=None, summary="Fields of procedures")
def list_fields(request: HttpRequest):
    return list(selectors.procedure_fields())
