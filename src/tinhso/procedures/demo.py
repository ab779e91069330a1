"""Demo catalogue loader: idempotent by procedure code (existing procedures are left as an
administrator may have edited them; search documents are refreshed)."""

from __future__ import annotations

from collections.abc import Callable

from tinhso.orgs.models import Agency
from tinhso.procedures import services
from tinhso.procedures.demo_data import FIELDS, PROCEDURES
from tinhso.procedures.models import Procedure


def _agency(abbreviation: str, province_code: int) -> Agency | None:
    from tinhso.orgs.selectors import public_agencies

    pcode = f"{int(province_code):02d}"
    return public_agencies(level="province", admin_unit_code=pcode).filter(abbreviation=abbreviation).first()


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    fields = {code: services.procedure_field_ensure(actor=None, code=code, name=name, order=order)
              for code, name, order in FIELDS}
    created = skipped = 0
    for spec in PROCEDURES:
        existing = Procedure.objects.filter(code=spec["code"]).first()
        if existing is not None:
            services.reindex(existing)
            skipped += 1
            continue
        agencies = [a for a in (_agency(key, province_code) for key in spec.get("agencies", ())) if a]
        if spec.get("agencies") and not agencies:
            log(f"  (bỏ qua {spec['code']}: chưa có cơ quan {', '.join(spec['agencies'])} — nạp dữ liệu cơ quan trước)")
            continue
        steps = []
        for st in spec["steps"]:
            agency = _agency(st["agency_key"], province_code) if st.get("agency_key") else None
            steps.append({
                "name": st["name"], "role_code": st["role_code"], "days": st["days"],
                "agency_rule": "specific" if agency else "receiving", "agency": agency,
            })
        services.procedure_create(
            actor=None,
            code=spec["code"],
            name=spec["name"],
            field=fields[spec["field"]],
            service_level=spec["service_level"],
            implementing_level=spec["implementing_level"],
            processing_days=spec["processing_days"],
            agencies=agencies,
            applicants=spec.get("applicants", ""),
            conditions=spec.get("conditions", ""),
            legal_basis=spec.get("legal_basis", ""),
            result=spec.get("result", ""),
            counting_rule=spec.get("counting_rule"),
            form_schema=spec.get("form"),
            fees=spec.get("fees", ()),
            documents=spec.get("documents", ()),
            steps=steps,
            is_published=True,
        )
        created += 1
    log(f"✓ {created + skipped} thủ tục hành chính ({created} mới) trong {len(fields)} lĩnh vực")
