"""Writes to the procedure catalogue.

Who may edit: superusers, and officials holding the ``agency_admin`` role in one of the
procedure's agencies in charge (commune-level procedures without agencies: superusers only).
``actor=None`` means the system itself (demo loader, management commands).

Every write is one transaction with one audit event, and keeps the search index in step:
published procedures are indexed, unpublished ones removed. Rules checked on every write:
fees ≥ 0, document codes unique, step roles exist, a "specific" step names its agency, the
form schema is valid (formschema.validate_schema), and when a procedure has steps their days
add up to ``processing_days``; a published procedure must have steps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, ValidationFailed
from tinhso.orgs.models import Agency
from tinhso.procedures import fees as fee_rules
from tinhso.procedures import formschema
from tinhso.procedures.models import (
    ImplementingLevel,
    Procedure,
    ProcedureFee,
    ProcedureField,
    ProcedureStep,
    RequiredDocument,
    ServiceLevel,
    StepAgency,
)

AGENCY_ADMIN = "agency_admin"
CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,29}$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_FEE = 2_000_000_000
MAX_DAYS = 365
MAX_ROWS = 50
SEARCH_KIND = "procedure"

TEXT_FIELDS = ("name", "applicants", "conditions", "legal_basis", "result")
UPDATABLE = frozenset({*TEXT_FIELDS, "field", "service_level", "implementing_level", "processing_days",
                       "agencies", "counting_rule", "form_schema"})


# --- permission -------------------------------------------------------------------------------


def _is_superuser(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active
                and actor.is_superuser)


def _admin_scope(actor) -> frozenset[int]:
    from tinhso.orgs.selectors import agency_scope

    return agency_scope(user=actor, roles=[AGENCY_ADMIN])


def can_edit(*, actor, procedure: Procedure) -> bool:
    """Whether ``actor`` may change ``procedure`` (see the module docstring)."""
    if actor is None or _is_superuser(actor):
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    scope = _admin_scope(actor)
    return bool(scope) and procedure.agencies.filter(pk__in=scope).exists()


def _require_edit(actor, procedure: Procedure) -> None:
    if not can_edit(actor=actor, procedure=procedure):
        raise NotAllowed(_("Bạn không có quyền sửa thủ tục hành chính này."))


def _require_agencies_in_scope(actor, agencies: Sequence[Agency]) -> None:
    """A non-superuser may only put agencies they administer in charge of a procedure."""
    if actor is None or _is_superuser(actor):
        return
    scope = _admin_scope(actor)
    if not agencies or any(a.pk not in scope for a in agencies):
        raise NotAllowed(_("Bạn chỉ được quản lý thủ tục của cơ quan mình phụ trách."))


def _require_superuser_or_system(actor) -> None:
    if actor is not None and not _is_superuser(actor):
        raise NotAllowed(_("Chỉ quản trị hệ thống được thực hiện thao tác này."))


# --- validation -------------------------------------------------------------------------------


def _text(value: Any, limit: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    return text[:limit] if limit else text


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,10}\s*", value):
        return int(value)
    return None


def clean_fees(fees: Iterable[Mapping], *, form_schema: Mapping | None = None,
               check_fields: bool = True) -> tuple[list[dict], list[str]]:
    """Check fee lines. A line's ``quantity_field`` (optional) must name an integer field of
    ``form_schema`` (unless ``check_fields`` is false: the caller checks it later): the line then
    costs ``amount`` × the value the applicant enters."""
    out, errors = [], []
    for i, fee in enumerate(fees, start=1):
        name = _text(fee.get("name"), 255)
        amount = _int(fee.get("amount"))
        quantity_field = _text(fee.get("quantity_field"), 100)
        if not name:
            errors.append(_("Khoản phí %(i)d: cần tên khoản phí, lệ phí.") % {"i": i})
        if amount is None or not 0 <= amount <= MAX_FEE:
            errors.append(_("Khoản phí %(i)d: số tiền phải là số nguyên không âm (đồng).") % {"i": i})
        out.append({"name": name, "amount": amount or 0, "note": _text(fee.get("note"), 255),
                    "quantity_field": quantity_field,
                    "quantity_unit": _text(fee.get("quantity_unit"), 60) if quantity_field else ""})
    if check_fields:
        errors += fee_rules.quantity_field_problems(out, form_schema)
    if len(out) > MAX_ROWS:
        errors.append(_("Tối đa %(n)d khoản phí.") % {"n": MAX_ROWS})
    return out, errors


def clean_documents(documents: Iterable[Mapping]) -> tuple[list[dict], list[str]]:
    out, errors, seen = [], [], set()
    for i, doc in enumerate(documents, start=1):
        code = _text(doc.get("code"), 40).lower()
        name = _text(doc.get("name"), 500)
        order = _int(doc.get("order")) or i
        if not SLUG_RE.match(code):
            errors.append(_("Giấy tờ %(i)d: mã chỉ gồm chữ thường không dấu, số, '-' và '_'.") % {"i": i})
        elif code in seen:
            errors.append(_("Giấy tờ %(i)d: mã «%(code)s» bị trùng.") % {"i": i, "code": code})
        seen.add(code)
        if not name:
            errors.append(_("Giấy tờ %(i)d: cần tên giấy tờ.") % {"i": i})
        is_required = doc.get("is_required", True)
        out.append({
            "code": code, "name": name, "order": order, "description": _text(doc.get("description")),
            "copies": _text(doc.get("copies"), 100), "is_required": bool(is_required),
            "template": doc.get("template"),
        })
    if len(out) > MAX_ROWS:
        errors.append(_("Tối đa %(n)d thành phần hồ sơ.") % {"n": MAX_ROWS})
    return out, errors


def clean_steps(steps: Iterable[Mapping]) -> tuple[list[dict], list[str]]:
    from tinhso.accounts.models import Role

    roles = set(Role.objects.values_list("code", flat=True))
    out, errors = [], []
    for i, step in enumerate(steps, start=1):
        name = _text(step.get("name"), 255)
        role_code = _text(step.get("role_code"), 40)
        days = _int(step.get("days"))
        rule = _text(step.get("agency_rule")) or StepAgency.RECEIVING
        agency = step.get("agency")
        if not name:
            errors.append(_("Bước %(i)d: cần nội dung công việc.") % {"i": i})
        if role_code not in roles:
            errors.append(_("Bước %(i)d: vai trò «%(role)s» không tồn tại.") % {"i": i, "role": role_code})
        if days is None or not 0 <= days <= MAX_DAYS:
            errors.append(_("Bước %(i)d: số ngày làm việc phải là số nguyên không âm.") % {"i": i})
        if rule not in StepAgency.values:
            errors.append(_("Bước %(i)d: cơ quan thực hiện không hợp lệ.") % {"i": i})
        elif rule == StepAgency.SPECIFIC and not isinstance(agency, Agency):
            errors.append(_("Bước %(i)d: cần chọn cơ quan chỉ định.") % {"i": i})
        elif rule == StepAgency.RECEIVING:
            agency = None
        out.append({"order": i, "name": name, "role_code": role_code, "days": days or 0,
                    "agency_rule": rule, "agency": agency})
    if len(out) > MAX_ROWS:
        errors.append(_("Tối đa %(n)d bước xử lý.") % {"n": MAX_ROWS})
    return out, errors


def _check_days(processing_days: int, steps: Sequence[Mapping], *, published: bool) -> list[str]:
    if not steps:
        return [_("Thủ tục công khai cần có ít nhất một bước xử lý.")] if published else []
    total = sum(int(s["days"]) for s in steps)
    if total != processing_days:
        return [_("Tổng số ngày của các bước (%(total)d) phải bằng thời hạn giải quyết (%(days)d ngày làm việc).")
                % {"total": total, "days": processing_days}]
    return []


def clean_procedure(values: Mapping[str, Any]) -> tuple[dict, dict[str, str]]:
    """Check the procedure's own fields; returns (cleaned, errors by field)."""
    from tinhso.workflow.calendar import CountingRule

    errors: dict[str, str] = {}
    cleaned = dict(values)
    for key in TEXT_FIELDS:
        if key in values:
            cleaned[key] = _text(values[key], 500 if key in ("name", "result") else None)
    if "name" in values and not cleaned["name"]:
        errors["name"] = _("Cần nhập tên thủ tục.")
    if "field" in values and not isinstance(values["field"], ProcedureField):
        errors["field"] = _("Cần chọn lĩnh vực.")
    if "service_level" in values and values["service_level"] not in ServiceLevel.values:
        errors["service_level"] = _("Mức độ dịch vụ công không hợp lệ.")
    if "implementing_level" in values and values["implementing_level"] not in ImplementingLevel.values:
        errors["implementing_level"] = _("Cấp thực hiện không hợp lệ.")
    if "processing_days" in values:
        days = _int(values["processing_days"])
        if days is None or not 0 <= days <= MAX_DAYS:
            errors["processing_days"] = _("Thời hạn giải quyết phải là số ngày làm việc (0–%(n)d).") % {"n": MAX_DAYS}
        cleaned["processing_days"] = days or 0
    if "counting_rule" in values:
        cleaned["counting_rule"] = values["counting_rule"] or {}
        try:
            CountingRule.from_dict(cleaned["counting_rule"])
        except ValidationFailed as exc:
            errors["counting_rule"] = str(exc.message)
    if "form_schema" in values:
        cleaned["form_schema"] = values["form_schema"] or {}
        try:
            formschema.validate_schema(cleaned["form_schema"])
        except ValidationFailed as exc:
            problems = (exc.details or {}).get("schema") or []
            errors["form_schema"] = " ".join([str(exc.message), *map(str, problems[:5])])
    if "agencies" in values:
        agencies = list(values["agencies"] or [])
        if any(not isinstance(a, Agency) for a in agencies):
            errors["agencies"] = _("Cơ quan thực hiện không hợp lệ.")
        cleaned["agencies"] = agencies
    return cleaned, errors


def _raise(errors: dict[str, Any]) -> None:
    if errors:
        first = next(iter(errors.values()))
        message = first[0] if isinstance(first, list) else first
        raise ValidationFailed(
            _("Thông tin thủ tục không hợp lệ: %(first)s") % {"first": message}, details=errors
        )


def _raise_list(key: str, errors: list[str]) -> None:
    if errors:
        _raise({key: errors})


# --- writing helpers ----------------------------------------------------------------------------


def _touch(procedure: Procedure) -> None:
    """Move ``updated_at`` when a part of the procedure (fees, documents, steps, a template)
    changes: readers that cache a procedure key it by ``updated_at`` (see
    ``selectors.procedure_get_for_submission``)."""
    procedure.updated_at = timezone.now()
    Procedure.objects.filter(pk=procedure.pk).update(updated_at=procedure.updated_at)


def _write_fees(procedure: Procedure, fees: list[dict]) -> None:
    _touch(procedure)
    procedure.fees.all().delete()
    ProcedureFee.objects.bulk_create([ProcedureFee(procedure=procedure, **f) for f in fees])


def _write_documents(procedure: Procedure, documents: list[dict]) -> None:
    """Replace the documents, keeping the template of a document whose code stays."""
    _touch(procedure)
    existing = {d.code: d for d in procedure.required_documents.all()}
    keep = {d["code"] for d in documents}
    procedure.required_documents.exclude(code__in=keep).delete()
    for d in documents:
        values = {k: v for k, v in d.items() if k != "template" or v is not None}
        old = existing.get(d["code"])
        if old is None:
            RequiredDocument.objects.create(procedure=procedure, **values)
        else:
            for k, v in values.items():
                setattr(old, k, v)
            old.save()


def _write_steps(procedure: Procedure, steps: list[dict]) -> None:
    _touch(procedure)
    procedure.steps.all().delete()
    ProcedureStep.objects.bulk_create([ProcedureStep(procedure=procedure, **s) for s in steps])


def search_body(procedure: Procedure) -> str:
    docs = " ".join(d.name for d in procedure.required_documents.all())
    return "\n".join(
        part for part in (procedure.code, procedure.field.name, procedure.result, procedure.applicants, docs) if part
    )


def reindex(procedure: Procedure) -> None:
    """Index a published procedure, remove an unpublished one (inside the caller's transaction)."""
    from tinhso.search.services import search_index, search_remove

    if procedure.is_published:
        search_index(obj=procedure, kind=SEARCH_KIND, title=procedure.name, body=search_body(procedure),
                     url=procedure.get_absolute_url())
    else:
        search_remove(obj=procedure)


def search_items():
    """Provider for ``search_reindex``: every published procedure."""
    for p in Procedure.objects.filter(is_published=True).select_related("field").prefetch_related("required_documents"):
        yield {"obj": p, "title": p.name, "body": search_body(p), "url": p.get_absolute_url()}


def _lock(procedure: Procedure) -> Procedure:
    return Procedure.objects.select_for_update().select_related("field").get(pk=procedure.pk)


# --- fields -------------------------------------------------------------------------------------


def procedure_field_ensure(*, actor, code: str, name: str, order: int = 100,
                           request: HttpRequest | None = None) -> ProcedureField:
    """The field with ``code``, created (superuser or system only) when missing."""
    code = _text(code, 40).lower()
    existing = ProcedureField.objects.filter(code=code).first()
    if existing is not None:
        return existing
    _require_superuser_or_system(actor)
    if not SLUG_RE.match(code) or not _text(name):
        raise ValidationFailed(_("Lĩnh vực cần có mã (chữ thường không dấu) và tên."),
                               details={"field": _("Lĩnh vực không hợp lệ.")})
    with transaction.atomic():
        field = ProcedureField.objects.create(code=code, name=_text(name, 200), order=order)
        record_event(actor=actor, action="procedure.field_create", obj=field, request=request,
                     details={"code": code, "name": field.name})
    return field


def procedure_field_update(*, actor, field: ProcedureField, name: str, order: int,
                           request: HttpRequest | None = None) -> ProcedureField:
    """Rename or reorder a field (superuser or system only)."""
    _require_superuser_or_system(actor)
    if not _text(name):
        raise ValidationFailed(_("Cần nhập tên lĩnh vực."), details={"name": _("Cần nhập tên lĩnh vực.")})
    with transaction.atomic():
        field.name, field.order = _text(name, 200), int(order)
        field.save(update_fields=["name", "order"])
        record_event(actor=actor, action="procedure.field_update", obj=field, request=request,
                     details={"code": field.code, "name": field.name, "order": field.order})
    return field


# --- procedures ---------------------------------------------------------------------------------


def procedure_create(
    *,
    actor,
    code: str,
    name: str,
    field: ProcedureField,
    service_level: str,
    implementing_level: str,
    processing_days: int,
    agencies: Sequence[Agency] = (),
    applicants: str = "",
    conditions: str = "",
    legal_basis: str = "",
    result: str = "",
    counting_rule: dict | None = None,
    form_schema: dict | None = None,
    fees: Iterable[Mapping] = (),
    documents: Iterable[Mapping] = (),
    steps: Iterable[Mapping] = (),
    is_published: bool = False,
    request: HttpRequest | None = None,
) -> Procedure:
    """Create a procedure with its fees, documents and steps (all validated together)."""
    agencies = list(agencies)
    _require_agencies_in_scope(actor, agencies)
    values, errors = clean_procedure({
        "name": name, "field": field, "service_level": service_level, "implementing_level": implementing_level,
        "processing_days": processing_days, "agencies": agencies, "applicants": applicants,
        "conditions": conditions, "legal_basis": legal_basis, "result": result,
        "counting_rule": counting_rule, "form_schema": form_schema,
    })
    code = _text(code, 30)
    if not CODE_RE.match(code):
        errors["code"] = _("Mã thủ tục chỉ gồm chữ, số, dấu chấm, gạch ngang; tối đa 30 ký tự.")
    fee_rows, fee_errors = clean_fees(fees, form_schema=values.get("form_schema") if "form_schema" not in errors
                                      else None)
    doc_rows, doc_errors = clean_documents(documents)
    step_rows, step_errors = clean_steps(steps)
    for key, errs in (("fees", fee_errors), ("documents", doc_errors), ("steps", step_errors)):
        if errs:
            errors[key] = errs
    if "processing_days" not in errors and "steps" not in errors:
        days_errors = _check_days(values["processing_days"], step_rows, published=is_published)
        if days_errors:
            errors["steps"] = days_errors
    _raise(errors)
    with transaction.atomic():
        if Procedure.objects.filter(code=code).exists():
            raise Conflict(_("Mã thủ tục %(code)s đã tồn tại.") % {"code": code},
                           details={"code": _("Mã đã được dùng.")})
        agencies = values.pop("agencies")
        procedure = Procedure.objects.create(code=code, is_published=bool(is_published), **values)
        procedure.agencies.set(agencies)
        _write_fees(procedure, fee_rows)
        _write_documents(procedure, doc_rows)
        _write_steps(procedure, step_rows)
        reindex(procedure)
        record_event(actor=actor, action="procedure.create", obj=procedure, request=request,
                     details={"code": code, "published": procedure.is_published, "fees": len(fee_rows),
                              "documents": len(doc_rows), "steps": len(step_rows)})
    return procedure


def procedure_update(*, actor, procedure: Procedure, request: HttpRequest | None = None, **changes) -> Procedure:
    """Change the procedure's own fields (see ``UPDATABLE``; the code never changes)."""
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        raise ValidationFailed(_("Không sửa được các trường: %(f)s.") % {"f": ", ".join(unknown)},
                               details={"unknown": unknown})
    _require_edit(actor, procedure)
    if "agencies" in changes:
        _require_agencies_in_scope(actor, list(changes["agencies"] or []))
    values, errors = clean_procedure(changes)
    _raise(errors)
    with transaction.atomic():
        locked = _lock(procedure)
        if "processing_days" in values:
            steps = list(locked.steps.values("days"))
            _raise_list("processing_days", _check_days(values["processing_days"], steps,
                                                       published=locked.is_published))
        if "form_schema" in values:
            fee_rows = list(locked.fees.values("quantity_field"))
            _raise_list("form_schema", fee_rules.quantity_field_problems(fee_rows, values["form_schema"]))
        agencies = values.pop("agencies", None)
        changed = sorted(values) + (["agencies"] if agencies is not None else [])
        for key, value in values.items():
            setattr(locked, key, value)
        locked.save()
        if agencies is not None:
            locked.agencies.set(agencies)
        reindex(locked)
        record_event(actor=actor, action="procedure.update", obj=locked, request=request,
                     details={"code": locked.code, "changed": changed})
    return locked


def procedure_fees_set(*, actor, procedure: Procedure, fees: Iterable[Mapping],
                       request: HttpRequest | None = None) -> Procedure:
    _require_edit(actor, procedure)
    rows, errors = clean_fees(fees, check_fields=False)  # against the locked row's form below
    _raise({"fees": errors} if errors else {})
    with transaction.atomic():
        locked = _lock(procedure)
        _raise_list("fees", fee_rules.quantity_field_problems(rows, locked.form_schema))
        _write_fees(locked, rows)
        record_event(actor=actor, action="procedure.fees_set", obj=locked, request=request,
                     details={"code": locked.code,
                              "fees": [[r["name"], r["amount"], r["quantity_field"]] for r in rows]})
    return locked


def procedure_documents_set(*, actor, procedure: Procedure, documents: Iterable[Mapping],
                            request: HttpRequest | None = None) -> Procedure:
    _require_edit(actor, procedure)
    rows, errors = clean_documents(documents)
    _raise({"documents": errors} if errors else {})
    with transaction.atomic():
        locked = _lock(procedure)
        _write_documents(locked, rows)
        reindex(locked)
        record_event(actor=actor, action="procedure.documents_set", obj=locked, request=request,
                     details={"code": locked.code, "documents": [r["code"] for r in rows]})
    return locked


def procedure_steps_set(*, actor, procedure: Procedure, steps: Iterable[Mapping], processing_days: int | None = None,
                        request: HttpRequest | None = None) -> Procedure:
    """Replace the steps (optionally changing ``processing_days`` at the same time, since the
    days of the steps must add up to it)."""
    _require_edit(actor, procedure)
    rows, errors = clean_steps(steps)
    _raise({"steps": errors} if errors else {})
    with transaction.atomic():
        locked = _lock(procedure)
        days = locked.processing_days
        if processing_days is not None:
            days = _int(processing_days)
            if days is None or not 0 <= days <= MAX_DAYS:
                _raise({"processing_days": _("Thời hạn giải quyết không hợp lệ.")})
        _raise_list("steps", _check_days(days, rows, published=locked.is_published))
        _write_steps(locked, rows)
        if days != locked.processing_days:
            locked.processing_days = days
            locked.save(update_fields=["processing_days", "updated_at"])
        record_event(actor=actor, action="procedure.steps_set", obj=locked, request=request,
                     details={"code": locked.code, "processing_days": days,
                              "steps": [[r["role_code"], r["days"]] for r in rows]})
    return locked


def procedure_publish(*, actor, procedure: Procedure, request: HttpRequest | None = None) -> Procedure:
    """Make the procedure public (it must have steps adding up to its processing time)."""
    _require_edit(actor, procedure)
    with transaction.atomic():
        locked = _lock(procedure)
        if locked.is_published:
            return locked
        _raise_list("steps", _check_days(locked.processing_days, list(locked.steps.values("days")), published=True))
        try:
            formschema.validate_schema(locked.form_schema)
        except ValidationFailed as exc:
            _raise({"form_schema": str(exc.message)})
        locked.is_published = True
        locked.save(update_fields=["is_published", "updated_at"])
        reindex(locked)
        record_event(actor=actor, action="procedure.publish", obj=locked, request=request,
                     details={"code": locked.code})
    return locked


def procedure_unpublish(*, actor, procedure: Procedure, request: HttpRequest | None = None) -> Procedure:
    """Withdraw the procedure from the public catalogue (existing dossiers are not affected)."""
    _require_edit(actor, procedure)
    with transaction.atomic():
        locked = _lock(procedure)
        if not locked.is_published:
            return locked
        locked.is_published = False
        locked.save(update_fields=["is_published", "updated_at"])
        reindex(locked)
        record_event(actor=actor, action="procedure.unpublish", obj=locked, request=request,
                     details={"code": locked.code})
    return locked


TEMPLATE_PURPOSE = "procedure_template"


def procedure_template_upload(*, actor, procedure: Procedure, document_code: str, uploaded,
                              request: HttpRequest | None = None) -> RequiredDocument:
    """Upload the downloadable template (mẫu đơn, tờ khai) of one required document."""
    from tinhso.files.services import file_attach, file_upload

    _require_edit(actor, procedure)
    document = procedure.required_documents.filter(code=document_code).first()
    if document is None:
        raise ValidationFailed(_("Không có thành phần hồ sơ mã «%(code)s».") % {"code": document_code})
    if actor is None:
        raise ValidationFailed(_("Cần người tải lên mẫu đơn."))
    with transaction.atomic():
        stored = file_upload(owner=actor, uploaded=uploaded, purpose=TEMPLATE_PURPOSE, request=request)
        file_attach(file=stored, obj=document, actor=actor, request=request)
        document.template = stored
        document.save(update_fields=["template"])
        _touch(procedure)
        record_event(actor=actor, action="procedure.template_set", obj=procedure, request=request,
                     details={"code": procedure.code, "document": document.code, "file": str(stored.public_id)})
    return document
