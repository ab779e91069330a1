"""Fee rules as data: what a dossier of a procedure costs, given its application form.

Each ``ProcedureFee`` line is either fixed (charged once) or multiplied by an integer field of
the form (``quantity_field``, e.g. 8.000 đ × ``so_ban_sao`` paper copies of the birth extract —
Thông tư 281/2016/TT-BTC). A missing, blank, negative or non-integer value counts as 0, so a
citizen asking for no copy pays nothing for copies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from tinhso.procedures import formschema

MAX_QUANTITY = 100_000


class FeeLine(NamedTuple):
    name: str
    unit_amount: int
    quantity: int
    amount: int


@dataclass(frozen=True)
class FeeBreakdown:
    total: int
    lines: list[FeeLine] = field(default_factory=list)


def _quantity(value: Any) -> int:
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isdigit() and len(text) <= 9 else 0
    if not isinstance(value, int):
        return 0
    return max(0, min(value, MAX_QUANTITY))


def compute_fee(*, procedure, form_data: Mapping | None) -> FeeBreakdown:
    """The fee of a dossier of ``procedure`` whose form says ``form_data`` (every line, the
    free and zero ones too, in the catalogue's order)."""
    data = form_data if isinstance(form_data, Mapping) else {}
    lines = []
    for fee in procedure.fees.all():
        quantity = _quantity(data.get(fee.quantity_field)) if fee.quantity_field else 1
        lines.append(FeeLine(fee.name, int(fee.amount), quantity, int(fee.amount) * quantity))
    return FeeBreakdown(total=sum(line.amount for line in lines), lines=lines)


def integer_fields(schema: Mapping | None) -> dict[str, str]:
    """The integer fields of a form schema: name → title."""
    return {name: str(prop.get("title") or name) for name, prop in formschema.fields(schema)
            if prop.get("type") == "integer"}


def quantity_field_problems(fees: Iterable[Mapping], schema: Mapping | None) -> list[str]:
    """Messages for fee lines whose ``quantity_field`` is not an integer field of ``schema``."""
    allowed = integer_fields(schema)
    names = {name for name, _prop in formschema.fields(schema)}
    problems = []
    for i, fee in enumerate(fees, start=1):
        name = fee.get("quantity_field") or ""
        if not name or name in allowed:
            continue
        if name in names:
            problems.append(_("Khoản phí %(i)d: trường «%(f)s» của tờ khai không phải số nguyên.")
                            % {"i": i, "f": name})
        else:
            problems.append(_("Khoản phí %(i)d: tờ khai không có trường «%(f)s».") % {"i": i, "f": name})
    return problems


def unit_text(fee, schema: Mapping | None = None) -> str:
    """``8.000 đ/bản sao trích lục`` for a per-unit line (``8.000 đ × <field title>`` without a
    unit), ``8.000 đ`` or ``Miễn phí`` for a fixed one."""
    from tinhso.procedures.selectors import format_vnd

    amount = format_vnd(fee.amount)
    if not fee.quantity_field or not fee.amount:
        return amount
    if fee.quantity_unit:
        return f"{amount}/{fee.quantity_unit}"
    title = integer_fields(schema).get(fee.quantity_field, fee.quantity_field)
    return f"{amount} × «{title}»"


def fee_summary(fees, schema: Mapping | None = None) -> str:
    """One line for people: ``Miễn phí; 8.000 đ/bản sao trích lục``, ``100.000 đ``,
    ``2.000 đ/trang``, ``100.000 đ + 5.000 đ/phiếu`` …"""
    from tinhso.procedures.selectors import format_vnd

    fees = list(fees)
    fixed = [f for f in fees if not f.quantity_field]
    fixed_total = sum(f.amount for f in fixed)
    parts = [format_vnd(fixed_total)] if fixed else []
    parts += [unit_text(f, schema) for f in fees if f.quantity_field and f.amount]
    return (" + " if fixed_total else "; ").join(parts) or format_vnd(0)


def procedure_fee_summary(procedure) -> str:
    """:func:`fee_summary` of a procedure (for the catalogue and the application pages)."""
    return fee_summary(procedure.fees.all(), procedure.form_schema)
