"""Every write on field reports. Each public function is one transaction: it locks the report
row, checks who may act, fires :class:`~tinhso.feedback.machine.ReportFlow` (which writes the
TransitionLog and the audit event ``report.<transition>``) and writes the outbox rows for the
reporter and the officials concerned.

See docs/feedback.md for the lifecycle, routing, deadlines and privacy rules.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.audit.services import record_event
from tinhso.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from tinhso.orgs.selectors import user_has_role
from tinhso.search.text import fold
from tinhso.workflow.calendar import add_working_days

from . import attributes as attrs
from . import codes, location, routing
from .machine import ReportFlow, is_reporter
from .models import (
    MAX_DESCRIPTION,
    OPEN,
    Answer,
    Category,
    Channel,
    Note,
    Rating,
    RefusalReason,
    Report,
    ReportPhoto,
    ResponseTemplate,
    RoutingRule,
    RoutingTarget,
    Status,
    Support,
)
from .photos import ANSWER_PHOTO_PURPOSE, MAX_PHOTOS, REPORT_PHOTO_PURPOSE
from .selectors import HANDLER_ROLES, LEADER, TEMPLATE_ROLES, can_handle, can_supervise

logger = logging.getLogger(__name__)

MAX_KEY_LENGTH = 100
NEARBY_RADIUS_M = 200
# Far more than a person types; refused before anything else is looked at.
MAX_INPUT_CHARS = 64 * 1024


# --- settings ----------------------------------------------------------------------------------


def reopen_days() -> int:
    return int(getattr(settings, "TINHSO_FEEDBACK_REOPEN_DAYS", 7))


def autoclose_days() -> int:
    return int(getattr(settings, "TINHSO_FEEDBACK_AUTOCLOSE_DAYS", 14))


def reopen_window_open(report: Report, *, now: datetime | None = None) -> bool:
    """Whether the reporter may still reopen a resolved report (``TINHSO_FEEDBACK_REOPEN_DAYS``
    calendar days after the resolution)."""
    now = now or timezone.now()
    return report.resolved_at is not None and now <= report.resolved_at + timedelta(days=reopen_days())


# --- helpers -----------------------------------------------------------------------------------


def _lock(report: Report) -> Report:
    locked = Report.objects.select_for_update().filter(pk=report.pk).first()
    if locked is None:
        raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
    return locked


def _sync(target: Report, source: Report) -> Report:
    """Copy the saved state into the caller's instance too (they may keep using it)."""
    if target is not source:
        target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
        target._state.fields_cache = dict(source._state.fields_cache)
        target.__dict__.pop("_prefetched_objects_cache", None)
    return source


def _fire(report: Report, transition: str, *, actor, note: str = "", data: dict | None = None, request=None,
          also_save: Iterable[str] = ()):
    # The caller holds the row lock (``_lock``): the machine uses the state it read.
    return ReportFlow.fire(report, transition, actor=actor, note=note, data=data, request=request, locked=True,
                           also_save=tuple(also_save))


def _text(value, *, field: str, required_message: str | None = None, limit: int = MAX_DESCRIPTION) -> str:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(_("Nội dung không hợp lệ."), details={"field": field})
    value = (value or "").strip()
    if not value and required_message:
        raise ValidationFailed(required_message, code="required", details={"field": field})
    if len(value) > limit:
        raise ValidationFailed(
            _("Nội dung quá dài: tối đa %(limit)d ký tự, bạn đã nhập %(count)d ký tự.")
            % {"limit": limit, "count": len(value)},
            code="too_long", details={"field": field, "limit": limit},
        )
    return value


def officials_of(*, agency_id: int, roles: Sequence[str] = HANDLER_ROLES):
    """Active users with a current membership holding one of ``roles`` at the agency."""
    today = timezone.localdate()
    return (
        get_user_model().objects.filter(
            is_active=True, memberships__agency_id=agency_id, memberships__role__code__in=list(roles),
            memberships__is_active=True, memberships__agency__is_active=True,
        )
        .filter(Q(memberships__valid_until__isnull=True) | Q(memberships__valid_until__gte=today))
        .distinct()
    )


def _reporter_url(report: Report) -> str:
    return f"/phan-anh/{report.public_id}/"


def _staff_url(report: Report) -> str:
    return f"/staff/phan-anh/{report.public_id}/"


def _send(report: Report, event: str, n, *, subject: str, body: str = "", reporter: bool = True,
          officials: Iterable = ()) -> None:
    """Outbox rows for the reporter (their account; or the contact email of a report sent
    without an account) and for ``officials``. Inside the caller's transaction."""
    from tinhso.notify.services import notify

    key = f"report.{event}:{report.pk}:{n}"
    if reporter and report.reporter_id:
        notify(recipients=[report.reporter], event=f"report.{event}", subject=subject, body=body,
               url=_reporter_url(report), obj=report, dedupe_key=key)
    elif reporter and report.contact_email:
        from .tasks import email_contact

        pk = report.pk
        transaction.on_commit(lambda: _enqueue_contact_email(email_contact, pk, subject, body))
    staff = [u for u in officials if u is not None and u.pk != report.reporter_id]
    if staff:
        notify(recipients=staff, event=f"report.{event}", subject=subject, body=body, url=_staff_url(report),
               obj=report, dedupe_key=key)


def _enqueue_contact_email(task, pk: int, subject: str, body: str) -> None:
    try:
        task.delay(pk, subject, body)
    except Exception as exc:  # noqa: BLE001 - after commit: never fail the caller's request
        logger.warning("feedback: could not enqueue the contact email of report %s (%s)", pk, exc)


def _handlers(report: Report):
    if report.assignee_id:
        return [report.assignee]
    return list(officials_of(agency_id=report.agency_id))


def _require_handler(actor, report: Report) -> None:
    if not can_handle(user=actor, report=report):
        if can_supervise(user=actor, report=report):
            raise NotAllowed(_("Chỉ cơ quan được giao xử lý mới thực hiện được thao tác này."))
        raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")


# --- categories, rules, templates (system admins, agency staff) ----------------------------------


def _require_superuser(actor) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser):
        raise NotAllowed(_("Chỉ quản trị hệ thống mới thực hiện được thao tác này."))


CATEGORY_FIELDS = ("name", "description", "group", "keywords", "sla_days", "attributes", "is_active", "order")


def category_save(*, actor, code: str, category: Category | None = None, request=None, **fields) -> Category:
    """Create (``category`` None) or update a category; ``attributes`` are validated Open311
    definitions. System admins only (``actor=None`` for the demo loader)."""
    if actor is not None:
        _require_superuser(actor)
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ValueError(f"unknown category fields: {sorted(unknown)}")
    code = (code or "").strip()
    if not code or not all(c.isalnum() or c in "-_" for c in code) or len(code) > 60:
        raise ValidationFailed(_("Mã lĩnh vực chỉ gồm chữ, số, «-» và «_» (tối đa 60 ký tự)."),
                               details={"field": "code"})
    if "attributes" in fields:
        fields["attributes"] = attrs.clean_definitions(fields["attributes"])
    if "name" in fields:
        fields["name"] = _text(fields["name"], field="name", required_message=_("Cần nhập tên lĩnh vực."), limit=255)
    sla = fields.get("sla_days")
    if sla is not None and (isinstance(sla, bool) or not isinstance(sla, int) or not 0 <= sla <= 365):
        raise ValidationFailed(_("Thời hạn xử lý phải từ 0 đến 365 ngày làm việc."), details={"field": "sla_days"})
    with transaction.atomic():
        if category is None:
            if Category.objects.filter(code=code).exists():
                raise Conflict(_("Mã lĩnh vực đã tồn tại."), code="duplicate_code")
            if not fields.get("name"):
                raise ValidationFailed(_("Cần nhập tên lĩnh vực."), details={"field": "name"})
            category = Category(code=code)
            action = "report_category.create"
        else:
            category = Category.objects.select_for_update().get(pk=category.pk)
            if code != category.code and Category.objects.filter(code=code).exists():
                raise Conflict(_("Mã lĩnh vực đã tồn tại."), code="duplicate_code")
            category.code = code
            action = "report_category.update"
        for key, value in fields.items():
            setattr(category, key, value)
        category.name_folded = fold(" ".join([category.name, category.keywords, category.group]))
        category.save()
        record_event(actor=actor, action=action, obj=category, request=request,
                     details={"code": category.code, "fields": sorted(fields)})
    return category


def routing_rule_save(*, actor, category: Category | None, commune, target: str, agency=None, supervisor=None,
                      is_active: bool = True, note: str = "", rule: RoutingRule | None = None,
                      request=None) -> RoutingRule:
    """Create or update a routing rule (system admins; ``actor=None`` for the demo loader).
    One active rule per (category, commune)."""
    if actor is not None:
        _require_superuser(actor)
    if target not in RoutingTarget.values:
        raise ValidationFailed(_("Cơ quan xử lý không hợp lệ."), details={"field": "target"})
    if target == RoutingTarget.AGENCY and agency is None:
        raise ValidationFailed(_("Cần chọn cơ quan được chỉ định."), details={"field": "agency"})
    with transaction.atomic():
        clash = RoutingRule.objects.filter(category=category, commune=commune, is_active=True)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if is_active and clash.exists():
            raise Conflict(_("Đã có quy tắc đang áp dụng cho lĩnh vực và địa bàn này."), code="duplicate_rule")
        rule = rule or RoutingRule()
        rule.category, rule.commune, rule.target = category, commune, target
        rule.agency = agency if target == RoutingTarget.AGENCY else None
        rule.supervisor, rule.is_active, rule.note = supervisor, is_active, (note or "")[:255]
        rule.save()
        record_event(actor=actor, action="report_rule.save", obj=rule, request=request,
                     details={"category": category.code if category else None,
                              "commune": getattr(commune, "code", None), "target": target,
                              "agency": agency.code if agency else None})
    return rule


def _can_edit_template(actor, agency) -> bool:
    if agency is None:
        return bool(getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser)
    return user_has_role(user=actor, agency=agency, roles=TEMPLATE_ROLES)


def response_template_create(*, actor, title: str, body: str, agency=None, category: Category | None = None,
                             request=None) -> ResponseTemplate:
    """A template of an agency (its report handlers and leaders) or a shared one (superusers;
    ``actor=None``: the demo loader)."""
    if actor is not None and not _can_edit_template(actor, agency):
        raise NotAllowed(_("Bạn không có quyền quản lý mẫu trả lời của cơ quan này."))
    title = _text(title, field="title", required_message=_("Cần nhập tiêu đề."), limit=200)
    body = _text(body, field="body", required_message=_("Cần nhập nội dung."))
    with transaction.atomic():
        template = ResponseTemplate.objects.create(agency=agency, category=category, title=title, body=body)
        record_event(actor=actor, action="report_template.create", obj=template, request=request)
    return template


def response_template_update(*, actor, template: ResponseTemplate, request=None, **fields) -> ResponseTemplate:
    """Change ``title``, ``body``, ``category`` or ``is_active`` (same rights as creating it)."""
    unknown = set(fields) - {"title", "body", "category", "is_active"}
    if unknown:
        raise ValueError(f"unknown template fields: {sorted(unknown)}")
    with transaction.atomic():
        template = ResponseTemplate.objects.select_for_update().get(pk=template.pk)
        if not _can_edit_template(actor, template.agency):
            raise NotAllowed(_("Bạn không có quyền quản lý mẫu trả lời của cơ quan này."))
        if "title" in fields:
            fields["title"] = _text(fields["title"], field="title", required_message=_("Cần nhập tiêu đề."), limit=200)
        if "body" in fields:
            fields["body"] = _text(fields["body"], field="body", required_message=_("Cần nhập nội dung."))
        for key, value in fields.items():
            setattr(template, key, value)
        template.save()
        record_event(actor=actor, action="report_template.update", obj=template, request=request,
                     details={"fields": sorted(fields)})
    return template


def response_template_delete(*, actor, template: ResponseTemplate, request=None) -> None:
    with transaction.atomic():
        template = ResponseTemplate.objects.select_for_update().get(pk=template.pk)
        if not _can_edit_template(actor, template.agency):
            raise NotAllowed(_("Bạn không có quyền quản lý mẫu trả lời của cơ quan này."))
        record_event(actor=actor, action="report_template.delete", obj=template, request=request,
                     details={"title": template.title})
        template.delete()


# --- submission --------------------------------------------------------------------------------


def _clean_key(key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    if len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ValidationFailed(_("Idempotency-Key không hợp lệ (tối đa 100 ký tự)."), code="invalid_idempotency_key")
    return key


def _hash(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _upload_digest(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def _replay(existing: Report, digest: str) -> Report:
    if existing.payload_hash != digest:
        raise ValidationFailed(_("Idempotency-Key này đã được dùng cho một yêu cầu khác."),
                               code="idempotency_conflict", details={"report": str(existing.public_id)})
    return existing


def _category(category) -> Category:
    if isinstance(category, Category):
        if not category.is_active:
            raise ValidationFailed(_("Lĩnh vực phản ánh này hiện không nhận phản ánh."), code="unknown_category",
                                   details={"field": "service_code"})
        return category
    found = Category.objects.filter(code=str(category or "").strip()[:60], is_active=True).first()
    if found is None:
        raise ValidationFailed(_("Lĩnh vực phản ánh không tồn tại hoặc không còn nhận phản ánh."),
                               code="unknown_category", details={"field": "service_code"})
    return found


def _commune(commune):
    from tinhso.geo.models import AdminUnit, Level

    if commune in (None, ""):
        return None
    code = getattr(commune, "code", commune)
    pcode = f"{int(settings.TINHSO_PROVINCE):02d}"
    unit = AdminUnit.objects.filter(code=str(code).strip(), level=Level.COMMUNE, parent__code=pcode,
                                    is_active=True).first()
    if unit is None:
        raise ValidationFailed(_("Xã, phường đã chọn không thuộc tỉnh."), code="invalid_commune",
                               details={"field": "commune"})
    return unit


def _contact(contact: dict | None) -> dict[str, str]:
    contact = dict(contact or {})
    unknown = set(contact) - {"name", "phone", "email"}
    if unknown:
        raise ValidationFailed(_("Thông tin liên hệ không hợp lệ."), details={"fields": sorted(unknown)})
    name = _text(contact.get("name"), field="contact_name", limit=120)
    phone = _text(contact.get("phone"), field="contact_phone", limit=20)
    email = _text(contact.get("email"), field="contact_email", limit=254)
    if phone and not all(c.isdigit() or c in "+ .-()" for c in phone):
        raise ValidationFailed(_("Số điện thoại không hợp lệ."), details={"field": "contact_phone"})
    if email:
        try:
            EmailValidator()(email)
        except Exception as exc:  # noqa: BLE001 - django's ValidationError → ours
            raise ValidationFailed(_("Địa chỉ thư điện tử không hợp lệ."), details={"field": "contact_email"}) from exc
    return {"name": name, "phone": phone, "email": email}


def _media_url(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > 500 or not value.lower().startswith(("https://", "http://")):
        raise ValidationFailed(_("Đường dẫn ảnh không hợp lệ."), details={"field": "media_url"})
    return value


def _guess_commune(lat, lon):
    """Without polygons the commune of a point is not known: take the commune of the nearest
    earlier report within 1 km (a heuristic; the reporter's choice always wins)."""
    box = location.box_around(float(lat), float(lon), 1000)
    rows = Report.objects.filter(
        commune__isnull=False, latitude__gte=box.south, latitude__lte=box.north,
        longitude__gte=box.west, longitude__lte=box.east,
    ).order_by("-submitted_at").values_list("latitude", "longitude", "commune_id")[:200]
    best = min(((location.haversine_m(float(lat), float(lon), float(a), float(b)), c) for a, b, c in rows),
               default=None)
    if best is None or best[0] > 1000:
        return None
    from tinhso.geo.models import AdminUnit

    return AdminUnit.objects.filter(pk=best[1]).first()


def report_submit(*, reporter, category, latitude, longitude, description: str, address_string: str = "",
                  commune=None, attributes: dict | None = None, photos: Sequence[UploadedFile] = (),
                  is_anonymous: bool = False, show_name: bool = False, contact: dict | None = None,
                  media_url: str = "", channel: str = Channel.WEB, idempotency_key: str | None = None,
                  idempotency_scope: str | None = None, request=None) -> Report:
    """File a field report and route it.

    ``reporter`` is the account (None: a report without an account — then ``contact`` may give
    name/phone/email, photos only as ``media_url``). ``category`` is a Category or its code;
    ``commune`` an AdminUnit or its code (guessed from nearby reports when missing).
    Validation (nothing is stored on failure): the category is active (``unknown_category``), the
    point is inside the province (``location_required``, ``invalid_location``,
    ``outside_province``), the description is 1–4000 characters (``too_long``), the attribute
    values match the category (``invalid_attributes``), photos are JPEG/PNG ≤ 10 MB, at most 5.

    Routing (``routing.route``) gives the handling and supervising agencies; the due date is
    ``category.sla_days`` working days after submission. With an ``idempotency_key`` (scoped to
    the account, or to ``idempotency_scope`` e.g. an API client, for reports without account) a
    retry returns the same report; the same key with another payload → ValidationFailed
    ``idempotency_conflict``.
    """
    # Cheap size checks first: a 10 MB description must not reach hashing or the database.
    if isinstance(description, str) and len(description) > MAX_INPUT_CHARS:
        raise ValidationFailed(
            _("Nội dung quá dài: tối đa %(limit)d ký tự, bạn đã nhập %(count)d ký tự.")
            % {"limit": MAX_DESCRIPTION, "count": len(description)},
            code="too_long", details={"field": "description", "limit": MAX_DESCRIPTION},
        )
    authenticated = bool(getattr(reporter, "is_authenticated", False))
    if reporter is not None and not authenticated:
        reporter = None
    if channel not in Channel.values:
        raise ValidationFailed(_("Kênh gửi không hợp lệ."), details={"field": "channel"})
    photos = [p for p in (photos or ()) if p is not None]
    key = _clean_key(idempotency_key)
    scope = f"user:{reporter.pk}" if reporter is not None else (idempotency_scope or "anonymous")[:80]
    description = _text(description, field="description", required_message=_("Cần mô tả vấn đề cần phản ánh."))
    address_string = _text(address_string, field="address_string", limit=255)
    contact_data = _contact(contact)
    media_url = _media_url(media_url)
    digest = _hash({
        "category": getattr(category, "code", category), "lat": str(latitude), "long": str(longitude),
        "description": description, "address": address_string, "commune": getattr(commune, "code", commune),
        "attributes": attributes, "anonymous": bool(is_anonymous), "show_name": bool(show_name),
        "contact": contact_data, "media_url": media_url, "photos": [_upload_digest(p) for p in photos],
    })
    if key:
        existing = Report.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, digest)

    cat = _category(category)
    lat, lon = location.clean_point(latitude, longitude)
    commune_unit = _commune(commune)
    values = attrs.clean_values(cat.attributes, attributes)
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_("Chỉ gửi được tối đa %(n)d ảnh.") % {"n": MAX_PHOTOS}, code="too_many_photos",
                               details={"field": "photos"})
    if photos and reporter is None:
        raise ValidationFailed(_("Cần đăng nhập để gửi ảnh kèm phản ánh."), code="photos_need_account",
                               details={"field": "photos"})
    if commune_unit is None:
        commune_unit = _guess_commune(lat, lon)
    route = routing.route(category=cat, commune=commune_unit)

    stored = []
    if photos:
        from tinhso.files.services import file_upload

        stored = [file_upload(owner=reporter, uploaded=p, purpose=REPORT_PHOTO_PURPOSE, request=request)
                  for p in photos]
    try:
        with transaction.atomic():
            now = timezone.now()
            report = Report(
                code=codes.next_code(when=now), category=cat, description=description, latitude=lat, longitude=lon,
                address_string=address_string, commune=commune_unit, attributes=values, channel=channel,
                media_url=media_url, reporter=reporter, is_anonymous=bool(is_anonymous),
                show_name=bool(show_name) and not is_anonymous, contact_name=contact_data["name"],
                contact_phone=contact_data["phone"], contact_email=contact_data["email"], status=Status.SUBMITTED,
                agency=route.agency, supervisor=route.supervisor, submitted_at=now,
                due_at=add_working_days(now, cat.sla_days), idempotency_scope=scope if key else "",
                idempotency_key=key, payload_hash=digest if key else "",
            )
            report.search_text = fold(" ".join([report.code, description, address_string]))
            report.save(force_insert=True)
            if stored:
                from tinhso.files.services import file_attach

                for i, f in enumerate(stored):
                    file_attach(file=f, obj=report, actor=reporter)
                    ReportPhoto.objects.create(report=report, file=f, order=i)
            _send(report, "submitted", report.code,
                  subject=_("Phản ánh %(code)s đã được gửi") % {"code": report.code},
                  body=_("Phản ánh «%(category)s» đã được chuyển tới %(agency)s. Hạn xử lý: %(due)s.")
                  % {"category": cat.name, "agency": route.agency.name,
                     "due": timezone.localtime(report.due_at).strftime("%d/%m/%Y")},
                  officials=officials_of(agency_id=route.agency.pk))
            record_event(actor=reporter, action="report.submit", obj=report, request=request, details={
                "code": report.code, "category": cat.code, "agency": route.agency.code,
                "rule": route.rule.pk if route.rule else None, "channel": channel, "photos": len(stored),
            })
    except IntegrityError:
        if key:
            existing = Report.objects.filter(idempotency_scope=scope, idempotency_key=key).first()
            if existing is not None:  # a concurrent retry with the same key won the race
                return _replay(existing, digest)
        raise
    return report


# --- duplicates and supports ----------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    public_id: object
    code: str
    category_code: str
    status: str
    description: str
    support_count: int
    submitted_at: datetime
    distance_m: float


def reports_nearby(*, category, latitude, longitude, radius_m: float = NEARBY_RADIUS_M, limit: int = 10,
                   exclude=None) -> list[Nearby]:
    """Open, public reports of the same category within ``radius_m`` metres (200 by default),
    nearest first: shown before filing so the citizen can support one instead. A bounding-box
    prefilter runs in SQL (``feedback_report_nearby_idx``), the exact haversine distance in
    Python over the few candidates. No personal data."""
    cat = _category(category)
    lat, lon = location.clean_point(latitude, longitude)
    radius_m = max(1.0, min(float(radius_m), 5000.0))
    box = location.box_around(float(lat), float(lon), radius_m)
    qs = Report.objects.filter(
        category=cat, status__in=OPEN, is_public=True, latitude__gte=box.south, latitude__lte=box.north,
        longitude__gte=box.west, longitude__lte=box.east,
    )
    if exclude is not None:
        qs = qs.exclude(pk=getattr(exclude, "pk", exclude))
    out = []
    for row in qs.values("public_id", "code", "status", "description", "support_count", "submitted_at",
                         "latitude", "longitude")[:500]:
        d = location.haversine_m(float(lat), float(lon), float(row["latitude"]), float(row["longitude"]))
        if d <= radius_m:
            out.append(Nearby(row["public_id"], row["code"], cat.code, row["status"], row["description"][:300],
                              row["support_count"], row["submitted_at"], round(d, 1)))
    out.sort(key=lambda n: (n.distance_m, n.code))
    return out[: max(1, int(limit))]


def report_support(*, report: Report, user, request=None) -> Support:
    """A logged-in citizen supports an open public report ("tôi cũng gặp vấn đề này"): once per
    person (Conflict ``already_supported``); not their own report."""
    if not getattr(user, "is_authenticated", False):
        raise NotAllowed(_("Cần đăng nhập để cùng phản ánh."))
    with transaction.atomic():
        locked = _lock(report)
        if not locked.is_public:
            raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
        if locked.reporter_id == user.pk:
            raise Conflict(_("Đây là phản ánh của bạn."), code="own_report")
        if locked.status not in OPEN:
            raise Conflict(_("Phản ánh đã được xử lý xong."), code="not_open")
        if Support.objects.filter(report=locked, user=user).exists():
            raise Conflict(_("Bạn đã cùng phản ánh vấn đề này."), code="already_supported")
        support = Support.objects.create(report=locked, user=user)
        Report.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1, updated_at=timezone.now())
        record_event(actor=user, action="report.support", obj=locked, request=request)
    report.support_count = Report.objects.filter(pk=report.pk).values_list("support_count", flat=True).first()
    return support


# --- handling ----------------------------------------------------------------------------------


def report_assign(*, report: Report, actor, assignee=None, note: str = "", request=None) -> Report:
    """An official of the handling agency accepts the report and assigns it (to ``assignee``,
    who must handle reports at that agency, or to themselves). Also moves it to another official
    later on."""
    note = _text(note, field="note")
    original = report
    with transaction.atomic():
        report = _lock(report)
        _require_handler(actor, report)
        assignee = assignee or actor
        if not user_has_role(user=assignee, agency=report.agency_id, roles=HANDLER_ROLES):
            raise ValidationFailed(_("Người được phân công không thuộc cơ quan xử lý phản ánh này."),
                                   code="invalid_assignee", details={"field": "assignee"})
        fields = ["assignee", "updated_at"]
        report.assignee = assignee
        if report.accepted_at is None:
            report.accepted_at = timezone.now()
            fields.append("accepted_at")
        log = _fire(report, "assign", actor=actor, note=note, request=request, also_save=fields,
                    data={"assignee": str(assignee.public_id) if hasattr(assignee, "public_id") else assignee.pk})
        _send(report, "assigned", log.pk, reporter=log.from_state == Status.SUBMITTED,
              subject=_("Phản ánh %(code)s đã được tiếp nhận") % {"code": report.code},
              body=_("%(agency)s đã tiếp nhận phản ánh của bạn.") % {"agency": report.agency.name},
              officials=[assignee] if assignee.pk != actor.pk else ())
    return _sync(original, report)


def report_reassign(*, report: Report, actor, agency, reason: str, request=None) -> Report:
    """Send the report to another agency (it is not theirs): handlers of the current agency, or
    a leader of the supervising agency once escalated. The new agency accepts it again; the
    history (TransitionLog data ``from_agency``/``to_agency``) keeps every hand-over."""
    reason = _text(reason, field="reason", required_message=_("Cần nêu lý do chuyển."))
    if agency is None or not agency.is_active:
        raise ValidationFailed(_("Cần chọn cơ quan nhận."), details={"field": "agency"})
    original = report
    with transaction.atomic():
        report = _lock(report)
        supervising_leader = can_supervise(user=actor, report=report) and user_has_role(
            user=actor, agency=report.supervisor_id, roles=LEADER)
        if not supervising_leader:
            _require_handler(actor, report)
        if agency.pk == report.agency_id:
            raise ValidationFailed(_("Phản ánh đang ở cơ quan này."), code="same_agency", details={"field": "agency"})
        old = report.agency
        report.agency = agency
        report.assignee = None
        report.supervisor = routing.supervisor_for(agency, routing.rule_for(category=report.category,
                                                                            commune=report.commune))
        report.accepted_at = None
        log = _fire(report, "reassign", actor=actor, note=reason, request=request,
                    also_save=("agency", "assignee", "supervisor", "accepted_at", "updated_at"),
                    data={"from_agency": old.code, "to_agency": agency.code})
        _send(report, "reassigned", log.pk, reporter=True,
              subject=_("Phản ánh %(code)s được chuyển tới %(agency)s") % {"code": report.code, "agency": agency.name},
              officials=officials_of(agency_id=agency.pk))
    return _sync(original, report)


def report_start(*, report: Report, actor, note: str = "", request=None) -> Report:
    """The assigned official (or another handler of the agency) starts working on it."""
    note = _text(note, field="note")
    original = report
    with transaction.atomic():
        report = _lock(report)
        _require_handler(actor, report)
        fields = ["updated_at"]
        if report.assignee_id is None:
            report.assignee = actor
            fields.append("assignee")
        log = _fire(report, "start", actor=actor, note=note, request=request, also_save=fields)
        _send(report, "in_progress", log.pk, subject=_("Phản ánh %(code)s đang được xử lý") % {"code": report.code})
    return _sync(original, report)


def _upload_answer_photo(actor, photo, request):
    if photo is None:
        return None
    from tinhso.files.services import file_upload

    return file_upload(owner=actor, uploaded=photo, purpose=ANSWER_PHOTO_PURPOSE, request=request)


def _add_answer(report: Report, actor, body: str, stored, *, resolution: bool) -> Answer:
    answer = Answer.objects.create(report=report, body=body, photo=stored, agency_id=report.agency_id, author=actor,
                                   is_resolution=resolution)
    if stored is not None:
        from tinhso.files.services import file_attach

        file_attach(file=stored, obj=answer, actor=actor)
    return answer


def report_answer(*, report: Report, actor, body: str, photo: UploadedFile | None = None, request=None) -> Answer:
    """A public update of the handling agency without changing the status (Open311 "service
    request update")."""
    body = _text(body, field="body", required_message=_("Cần nhập nội dung trả lời công khai."))
    with transaction.atomic():
        _require_handler(actor, _lock(report))
    stored = _upload_answer_photo(actor, photo, request)  # after the check: a denial stores nothing
    with transaction.atomic():
        locked = _lock(report)
        _require_handler(actor, locked)
        if locked.status not in OPEN:
            raise Conflict(_("Phản ánh đã kết thúc."), code="not_open")
        answer = _add_answer(locked, actor, body, stored, resolution=False)
        Report.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        _send(locked, "answered", answer.pk, subject=_("Phản ánh %(code)s có trả lời mới") % {"code": locked.code},
              body=body)
        record_event(actor=actor, action="report.answer", obj=locked, request=request,
                     details={"answer": answer.pk, "photo": bool(stored)})
    return answer


def report_resolve(*, report: Report, actor, answer: str, photo: UploadedFile | None = None,
                   request=None) -> Answer:
    """The handling agency resolves the report with a public answer (required) and an optional
    photo of the result (JPEG/PNG). The reporter may then rate it, or reopen it within
    ``TINHSO_FEEDBACK_REOPEN_DAYS`` days."""
    body = _text(answer, field="answer", required_message=_("Cần nhập nội dung trả lời công khai."))
    with transaction.atomic():
        locked = _lock(report)
        _require_handler(actor, locked)
        if locked.status not in (Status.ASSIGNED, Status.IN_PROGRESS):
            _fire(locked, "resolve", actor=actor, data={"answer": True})  # raises the machine's Conflict
    stored = _upload_answer_photo(actor, photo, request)
    original = report
    with transaction.atomic():
        report = _lock(report)
        _require_handler(actor, report)
        now = timezone.now()
        report.resolved_at = now
        report.resolution_seconds = max(0, int((now - report.submitted_at).total_seconds()))
        report.resolved_on_time = now <= report.due_at
        fields = ["resolved_at", "resolution_seconds", "resolved_on_time", "updated_at"]
        if report.assignee_id is None:
            report.assignee = actor
            fields.append("assignee")
        log = _fire(report, "resolve", actor=actor, note=body, request=request, also_save=fields,
                    data={"answer": True, "photo": str(stored.public_id) if stored else None})
        answer_row = _add_answer(report, actor, body, stored, resolution=True)
        _send(report, "resolved", log.pk, body=body,
              subject=_("Phản ánh %(code)s đã được xử lý") % {"code": report.code},
              officials=[report.assignee] if report.assignee_id != actor.pk else ())
    _sync(original, report)
    return answer_row


def report_refuse(*, report: Report, actor, reason: str, note: str = "", duplicate_of: Report | None = None,
                  request=None) -> Report:
    """Refuse with a reason: ``not_competent`` (not the province's business), ``spam`` (hidden
    from the public from now on) or ``duplicate`` (``duplicate_of`` = the original, which gets
    a support from this reporter). ``note`` is shown to the reporter."""
    if reason not in RefusalReason.values:
        raise ValidationFailed(_("Lý do từ chối không hợp lệ."), details={"field": "reason"})
    note = _text(note, field="note", required_message=None if reason != RefusalReason.NOT_COMPETENT
                 else _("Cần nêu cơ quan có thẩm quyền hoặc lý do."))
    if reason == RefusalReason.DUPLICATE and duplicate_of is None:
        raise ValidationFailed(_("Cần chọn phản ánh gốc bị trùng."), code="duplicate_required",
                               details={"field": "duplicate_of"})
    original = report
    with transaction.atomic():
        report = _lock(report)
        _require_handler(actor, report)
        fields = ["refusal_reason", "closed_at", "updated_at"]
        report.refusal_reason = reason
        report.closed_at = timezone.now()
        data = {"reason": reason}
        if reason == RefusalReason.DUPLICATE:
            if duplicate_of.pk == report.pk or duplicate_of.duplicate_of_id == report.pk:
                raise ValidationFailed(_("Phản ánh gốc không hợp lệ."), code="invalid_duplicate",
                                       details={"field": "duplicate_of"})
            report.duplicate_of = duplicate_of
            fields.append("duplicate_of")
            data["duplicate_of"] = duplicate_of.code
        if reason == RefusalReason.SPAM:
            report.is_public = False
            fields.append("is_public")
        log = _fire(report, "refuse", actor=actor, note=note, request=request, also_save=fields, data=data)
        if reason == RefusalReason.DUPLICATE and report.reporter_id and report.reporter_id != duplicate_of.reporter_id:
            _support, created = Support.objects.get_or_create(report=duplicate_of, user_id=report.reporter_id)
            if created:
                Report.objects.filter(pk=duplicate_of.pk).update(support_count=F("support_count") + 1)
        label = str(RefusalReason(reason).label)
        _send(report, "refused", log.pk, body=(f"{label}. {note}" if note else label),
              subject=_("Phản ánh %(code)s không được xử lý") % {"code": report.code})
    return _sync(original, report)


def report_reopen(*, report: Report, actor, reason: str, request=None) -> Report:
    """The reporter reopens a resolved report within ``TINHSO_FEEDBACK_REOPEN_DAYS`` days of the
    resolution; it goes back to the official who resolved it with a fresh SLA."""
    reason = _text(reason, field="reason", required_message=_("Cần nêu lý do mở lại."))
    original = report
    with transaction.atomic():
        report = _lock(report)
        if not is_reporter(actor, report):
            raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
        if report.status == Status.RESOLVED and not reopen_window_open(report):
            raise Conflict(_("Đã quá %(days)d ngày kể từ khi xử lý xong: không thể mở lại, vui lòng gửi phản ánh mới.")
                           % {"days": reopen_days()}, code="reopen_window_closed")
        now = timezone.now()
        report.reopen_count += 1
        report.resolved_at = report.resolution_seconds = report.resolved_on_time = None
        report.due_at = add_working_days(now, report.category.sla_days)
        log = _fire(report, "reopen", actor=actor, note=reason, request=request, also_save=(
            "reopen_count", "resolved_at", "resolution_seconds", "resolved_on_time", "due_at", "updated_at"))
        _send(report, "reopened", log.pk, reporter=False, body=reason,
              subject=_("Phản ánh %(code)s được người dân mở lại") % {"code": report.code}, officials=_handlers(report))
    return _sync(original, report)


def report_rate(*, report: Report, actor, score: int, comment: str = "", request=None) -> Rating:
    """The reporter rates the handling once (1–5), after the resolution; a resolved report is
    then closed."""
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(_("Mức độ hài lòng phải từ 1 đến 5."), details={"field": "score"})
    comment = _text(comment, field="comment", limit=2000)
    with transaction.atomic():
        locked = _lock(report)
        if not is_reporter(actor, locked):
            raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
        if locked.status not in (Status.RESOLVED, Status.CLOSED):
            raise Conflict(_("Chỉ đánh giá được sau khi phản ánh đã được xử lý."), code="not_resolved")
        if Rating.objects.filter(report=locked).exists():
            raise Conflict(_("Bạn đã đánh giá phản ánh này."), code="already_rated")
        rating = Rating.objects.create(report=locked, score=score, comment=comment)
        if locked.status == Status.RESOLVED:
            locked.closed_at = timezone.now()
            _fire(locked, "close", actor=actor, request=request, also_save=("closed_at", "updated_at"),
                  data={"by": "rating", "score": score})
        record_event(actor=actor, action="report.rate", obj=locked, request=request, details={"score": score})
    _sync(report, locked)
    return rating


def report_add_note(*, report: Report, actor, body: str, request=None) -> Note:
    """An internal note (officials who see the report: handlers, and the supervisor once
    escalated). Never shown to the reporter or the public."""
    body = _text(body, field="body", required_message=_("Cần nhập nội dung ghi chú."))
    with transaction.atomic():
        locked = _lock(report)
        if not (can_handle(user=actor, report=locked) or can_supervise(user=actor, report=locked)):
            raise NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")
        note = Note.objects.create(report=locked, body=body, author=actor)
        record_event(actor=actor, action="report.note", obj=locked, request=request, details={"note": note.pk})
    return note


# --- periodic jobs -----------------------------------------------------------------------------


def reports_escalate_overdue(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Escalate open reports past their due date to the supervising agency, once per report
    (``escalated_at`` set; a second run does nothing): the ``escalate`` transition, the audit
    event and notifications to the supervisor's officials and the handling agency."""
    now = now or timezone.now()
    ids = list(Report.objects.filter(status__in=OPEN, due_at__lt=now, escalated_at__isnull=True,
                                     supervisor__isnull=False).values_list("pk", flat=True)[:batch])
    done = 0
    for pk in ids:
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(pk=pk).first()
            if report is None or report.escalated_at is not None or report.status not in OPEN or report.due_at >= now:
                continue  # another run (or a resolution) got there first
            report.escalated_at = now
            report.escalation_level += 1
            log = _fire(report, "escalate", actor=None, also_save=("escalated_at", "escalation_level", "updated_at"),
                        data={"supervisor": report.supervisor.code, "due_at": report.due_at.isoformat()})
            officials = list(officials_of(agency_id=report.supervisor_id)) + _handlers(report)
            _send(report, "escalated", log.pk, reporter=False, officials=officials,
                  subject=_("Phản ánh %(code)s quá hạn xử lý, đã chuyển %(agency)s giám sát")
                  % {"code": report.code, "agency": report.supervisor.name})
            done += 1
    return done


def reports_close_resolved(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Close reports resolved more than ``TINHSO_FEEDBACK_AUTOCLOSE_DAYS`` days ago without a
    rating or a reopening (idempotent)."""
    now = now or timezone.now()
    limit = now - timedelta(days=max(autoclose_days(), reopen_days()))
    ids = list(Report.objects.filter(status=Status.RESOLVED, resolved_at__lt=limit).values_list("pk", flat=True)[:batch])
    done = 0
    for pk in ids:
        with transaction.atomic():
            report = Report.objects.select_for_update().filter(pk=pk).first()
            if report is None or report.status != Status.RESOLVED:
                continue
            report.closed_at = now
            _fire(report, "close", actor=None, also_save=("closed_at", "updated_at"), data={"by": "timeout"})
            done += 1
    return done
