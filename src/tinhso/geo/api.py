"""Public API of administrative units (mounted at /api/v1/geo): no authentication needed."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from tinhso.geo import selectors
from tinhso.geo.models import AdminUnit

router = Router(tags=["geo"])

LevelParam = Literal["province", "commune", "hamlet"]


class AdminUnitOut(Schema):
    code: str = Field(..., description="Official code: 2 digits for a province, 5 for a commune/ward; "
                                         "hamlets: '<commune code>-NN'.", examples=["32002"])
    level: LevelParam = Field(..., description="province | commune (xã, phường, đặc khu) | hamlet (ấp, khóm)")
    kind: str = Field(..., description="Division type in Vietnamese: tỉnh, thành phố, phường, xã, đặc khu, ấp, khóm",
                      examples=["phường"])
    name: str = Field(..., examples=["An Xuyên"])
    full_name: str = Field(..., examples=["Phường An Xuyên"])
    parent_code: str | None = Field(None, description="Code of the unit above (null for a province)")
    is_demo: bool = Field(False, description="Created by the demo data set (e.g. illustrative hamlets)")

    @staticmethod
    def resolve_parent_code(obj: AdminUnit) -> str | None:
        return obj.parent.code if obj.parent_id else None


@router.get(
    "/units",
    response=list[AdminUnitOut],
    auth=None,
    summary="List administrative units",
    description="Active units, filtered by level, parent code and a name query that ignores "
    "diacritics (`q=an xuyen` finds Phường An Xuyên). Paginated with `limit`/`offset`.",
)
@paginate
def list_units(
    request: HttpRequest,
    level: LevelParam | None = None,
    parent: str | None = Query(None, max_length=20, description="code of the parent unit, e.g. 96"),
    q: str | None = Query(None, max_length=100, description="words of the name, with or without diacritics"),
):
    return selectors.units(level=level, parent_code=parent, q=q)


@router.get(
    "/units/{code}",
    response=AdminUnitOut,
    auth=None,
    summary="One administrative unit",
    description="404 with the error shape when no unit has this code.",
)
def get_unit(request: HttpRequest, code: str):
    return selectors.unit_get(code=code)


@router.get(
    "/units/{code}/children",
    response=list[AdminUnitOut],
    auth=None,
    summary="Units directly below a unit",
    description="Communes of a province or hamlets of a commune, by code. Paginated.",
)
@paginate
def list_children(request: HttpRequest, code: str):
    return selectors.children(unit=selectors.unit_get(code=code))
