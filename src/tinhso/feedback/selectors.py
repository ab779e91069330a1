"""Reads of field reports, each with its access rule built in.

* **Public** (pages, map, Open311): :func:`public_reports`, :func:`public_report_get`,
  :func:`reports_in_viewport`, :func:`public_categories`. They return plain dataclasses built
  from an explicit column list — never a model instance — so a template or serializer *cannot*
  reach the reporter's phone, email, contact or the internal notes. The reporter's name is there
  only when they chose to show it (and did not report anonymously). Spam is never public.
* **Reporter**: :func:`reports_of_reporter`, :func:`report_get_for_reporter`.
* **Staff** (scoped by ``orgs.agency_scope``): :func:`staff_reports`, :func:`report_get_for_staff`,
  :func:`staff_queue`, :func:`staff_queue_counts`, :func:`report_actions`, :func:`report_notes`,
  :func:`templates_for`; an anonymous reporter's identity is hidden from officials too.
* **Statistics**: :func:`report_statistics` (grouped queries only).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Avg, Case, CharField, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.orgs.selectors import agency_scope, user_has_role
from tinhso.search.text import fold

from .location import BBox
from .machine import ReportFlow
from .models import DONE, OPEN, Answer, Category, Note, Report, ReportPhoto, ResponseTemplate, Status

HANDLER_ROLES = ("report_handler", "clerk", "specialist", "leader")
LEADER = "leader"
TEMPLATE_ROLES = ("report_handler", "leader")
QUEUES = ("to_assign", "mine", "in_progress", "overdue", "escalated")
MAX_PAGE_SIZE = 100
MAX_VIEWPORT_ROWS = 2000


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def _not_found() -> NotFound:
    return NotFound(_("Không tìm thấy phản ánh."), code="report_not_found")


# --- access rules ------------------------------------------------------------------------------


def can_handle(*, user, report: Report) -> bool:
    """An official of the handling agency (any handler role)."""
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(
        user=user, agency=report.agency_id, roles=HANDLER_ROLES
    )


def can_supervise(*, user, report: Report) -> bool:
    """An official of the supervising agency, once the report was escalated to it."""
    return bool(
        getattr(user, "is_authenticated", False) and report.escalated_at and report.supervisor_id
        and user_has_role(user=user, agency=report.supervisor_id, roles=HANDLER_ROLES)
    )


def staff_can_see(*, user, report: Report) -> bool:
    return can_handle(user=user, report=report) or can_supervise(user=user, report=report)


def is_publicly_visible(report: Report) -> bool:
    return bool(report.is_public)


# --- public ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicReport:
    """What anyone may know about a report (also the Open311 service request)."""

    public_id: uuid.UUID
    code: str
    category_code: str
    category_name: str
    description: str
    latitude: float
    longitude: float
    address: str
    commune_code: str
    commune_name: str
    status: str
    status_label: str
    open311_status: str  # "open" | "closed"
    agency_name: str
    submitted_at: datetime
    updated_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    support_count: int
    reporter_name: str  # "" unless the reporter chose to show it
    status_notes: str  # the latest public answer, or the refusal reason
    photo_id: uuid.UUID | None  # first photo (StoredFile public id)
    media_url: str
    duplicate_of_code: str


@dataclass(frozen=True)
class PublicAnswer:
    body: str
    agency_name: str
    created_at: datetime
    is_resolution: bool
    photo_id: uuid.UUID | None


@dataclass(frozen=True)
class PublicReportDetail:
    report: PublicReport
    answers: list[PublicAnswer] = field(default_factory=list)
    photo_ids: list[uuid.UUID] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # [{"at", "status", "label"}]


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


PUBLIC_COLUMNS = (
    "public_id", "code", "category__code", "category__name", "description", "latitude", "longitude",
    "address_string", "commune__code", "commune__name", "status", "agency__name", "submitted_at", "updated_at",
    "due_at", "resolved_at", "support_count", "public_reporter_name", "last_answer", "refusal_reason",
    "first_photo", "media_url", "duplicate_of__code",
)


def _public_base() -> QuerySet[Report]:
    last_answer = Answer.objects.filter(report=OuterRef("pk")).order_by("-created_at", "-id").values("body")[:1]
    first_photo = ReportPhoto.objects.filter(report=OuterRef("pk"), file__deleted_at__isnull=True).order_by(
        "order", "id").values("file__public_id")[:1]
    return Report.objects.filter(is_public=True).annotate(
        public_reporter_name=Case(
            When(show_name=True, is_anonymous=False, reporter__isnull=False, then=F("reporter__full_name")),
            default=Value(""), output_field=CharField(),
        ),
        last_answer=Subquery(last_answer),
        first_photo=Subquery(first_photo),
    )


def _public_row(row: dict) -> PublicReport:
    from .models import RefusalReason

    status = row["status"]
    notes = row["last_answer"] or ""
    if status == Status.REFUSED and row["refusal_reason"]:
        notes = str(RefusalReason(row["refusal_reason"]).label)
    return PublicReport(
        public_id=row["public_id"], code=row["code"], category_code=row["category__code"],
        category_name=row["category__name"], description=row["description"], latitude=float(row["latitude"]),
        longitude=float(row["longitude"]), address=row["address_string"], commune_code=row["commune__code"] or "",
        commune_name=row["commune__name"] or "", status=status, status_label=ReportFlow.state_label(status),
        open311_status="open" if status in OPEN else "closed", agency_name=row["agency__name"],
        submitted_at=row["submitted_at"], updated_at=row["updated_at"], due_at=row["due_at"],
        resolved_at=row["resolved_at"], support_count=row["support_count"],
        reporter_name=row["public_reporter_name"] or "", status_notes=notes,
        photo_id=_uuid(row["first_photo"]) if row["first_photo"] else None, media_url=row["media_url"],
        duplicate_of_code=row["duplicate_of__code"] or "",
    )


STATUS_GROUPS = {"open": OPEN, "closed": DONE}


def _statuses(status) -> tuple[str, ...] | None:
    """``status``: None, "open", "closed", one status, or a list of them (Open311 accepts
    "open,closed")."""
    if status in (None, "", "null"):
        return None
    items = status.split(",") if isinstance(status, str) else list(status)
    out: list[str] = []
    for item in (str(i).strip() for i in items):
        if item in STATUS_GROUPS:
            out += [str(s) for s in STATUS_GROUPS[item]]
        elif item in Status.values:
            out.append(item)
        elif item:
            raise ValidationFailed(_("Trạng thái không hợp lệ."), code="invalid_status", details={"status": item})
    return tuple(dict.fromkeys(out)) or None


def _filter(qs: QuerySet[Report], *, category=None, commune=None, status=None, since: datetime | None = None,
            until: datetime | None = None, q: str | None = None, agency=None) -> QuerySet[Report]:
    if category:
        codes = [category] if isinstance(category, (str, Category)) else list(category)
        qs = qs.filter(category__code__in=[getattr(c, "code", c) for c in codes])
    if commune:
        qs = qs.filter(commune__code=getattr(commune, "code", commune))
    if agency is not None:
        qs = qs.filter(agency_id=getattr(agency, "pk", agency))
    statuses = _statuses(status)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if since is not None:
        qs = qs.filter(submitted_at__gte=since)
    if until is not None:
        qs = qs.filter(submitted_at__lt=until)
    for word in fold(q or "").split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs


def public_reports(*, category=None, commune=None, status=None, since: datetime | None = None,
                   until: datetime | None = None, q: str | None = None, public_ids=None, page: int = 1,
                   page_size: int = 20) -> Page:
    """Public list, newest first. Filters: category (code, Category or a list of codes), commune
    (code or AdminUnit), status ("open", "closed", a status or a list, comma-separated too),
    submission period ``[since, until)``, ``q`` (words of the code, description or address,
    ignoring diacritics), ``public_ids`` (Open311 ``service_request_id`` list). One page of
    :class:`PublicReport` (``page_size`` ≤ 100) and the total."""
    page_size = max(1, min(int(page_size or 20), MAX_PAGE_SIZE))
    page = max(1, int(page or 1))
    qs = _filter(_public_base(), category=category, commune=commune, status=status, since=since, until=until, q=q)
    if public_ids is not None:
        qs = qs.filter(public_id__in=[u for u in (_uuid(p) for p in public_ids) if u])
    total = qs.count()
    start = (page - 1) * page_size
    rows = qs.order_by("-submitted_at", "-id").values(*PUBLIC_COLUMNS)[start:start + page_size]
    return Page(items=[_public_row(r) for r in rows], total=total, page=page, page_size=page_size)


def public_report_get(*, public_id=None, code: str | None = None) -> PublicReportDetail:
    """One public report by public id or code, with its public answers, photos and status
    history (no actors, no notes). NotFound for unknown or hidden (spam) reports."""
    qs = _public_base()
    pid = _uuid(public_id) if public_id is not None else None
    if pid is not None:
        qs = qs.filter(public_id=pid)
    elif code:
        qs = qs.filter(code=str(code).strip().upper()[:24])
    else:
        raise _not_found()
    row = qs.values("pk", *PUBLIC_COLUMNS).first()
    if row is None:
        raise _not_found()
    pk = row.pop("pk")
    answers = [
        PublicAnswer(body=a["body"], agency_name=a["agency__name"], created_at=a["created_at"],
                     is_resolution=a["is_resolution"], photo_id=a["photo__public_id"])
        for a in Answer.objects.filter(report_id=pk).order_by("created_at", "id").values(
            "body", "agency__name", "created_at", "is_resolution", "photo__public_id")
    ]
    photos = list(ReportPhoto.objects.filter(report_id=pk, file__deleted_at__isnull=True).order_by("order", "id")
                  .values_list("file__public_id", flat=True))
    return PublicReportDetail(report=_public_row(row), answers=answers, photo_ids=photos,
                              history=_public_history(pk, row["submitted_at"]))


def _public_history(pk: int, submitted_at: datetime) -> list[dict[str, Any]]:
    history = [{"at": submitted_at, "status": Status.SUBMITTED.value,
                "label": ReportFlow.state_label(Status.SUBMITTED)}]
    report = Report(pk=pk)
    for log in ReportFlow.history(report).values("at", "to_state"):
        if history[-1]["status"] == log["to_state"]:
            continue
        history.append({"at": log["at"], "status": log["to_state"], "label": ReportFlow.state_label(log["to_state"])})
    return history


def public_report_photo(*, report_public_id, file_public_id):
    """The StoredFile of a photo (reporter's or answer's) of a public report, for the public
    photo view (anonymous visitors); NotFound otherwise."""
    from tinhso.files.models import StoredFile

    rid, fid = _uuid(report_public_id), _uuid(file_public_id)
    report = Report.objects.filter(public_id=rid, is_public=True).first() if rid and fid else None
    if report is None:
        raise _not_found()
    linked = Q(pk__in=ReportPhoto.objects.filter(report=report).values("file_id")) | Q(
        pk__in=Answer.objects.filter(report=report, photo__isnull=False).values("photo_id"))
    file = StoredFile.objects.alive().filter(linked, public_id=fid).first()
    if file is None:
        raise NotFound(_("Không tìm thấy tệp."), code="file_not_found")
    return file


@dataclass(frozen=True)
class MapPoint:
    public_id: uuid.UUID
    code: str
    latitude: float
    longitude: float
    status: str
    category_code: str


def reports_in_viewport(*, bbox, category=None, status=None, since: datetime | None = None,
                        until: datetime | None = None, limit: int = 500) -> list[MapPoint]:
    """Compact rows for the map inside ``bbox`` (BBox, "south,west,north,east" or 4 numbers),
    newest first, at most ``limit`` (≤ 2000). Uses ``feedback_report_map_idx`` (docs/feedback.md)."""
    box = BBox.parse(bbox)
    limit = max(1, min(int(limit or 500), MAX_VIEWPORT_ROWS))
    qs = Report.objects.filter(
        is_public=True, latitude__gte=box.south, latitude__lte=box.north,
        longitude__gte=box.west, longitude__lte=box.east,
    )
    qs = _filter(qs, category=category, status=status, since=since, until=until)
    rows = qs.order_by("-submitted_at").values_list(
        "public_id", "code", "latitude", "longitude", "status", "category__code")[:limit]
    return [MapPoint(p, c, float(la), float(lo), s, cat) for p, c, la, lo, s, cat in rows]


def public_categories() -> QuerySet[Category]:
    """Active categories (Open311 services), in display order."""
    return Category.objects.filter(is_active=True).order_by("order", "name")


def category_get(*, code: str, active_only: bool = True) -> Category:
    qs = Category.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    category = qs.filter(code=str(code or "").strip()).first()
    if category is None:
        raise NotFound(_("Không tìm thấy lĩnh vực phản ánh."), code="unknown_category")
    return category


# --- reporter ----------------------------------------------------------------------------------


def _base() -> QuerySet[Report]:
    return Report.objects.select_related("category", "agency", "commune", "assignee")


def reports_of_reporter(*, user) -> QuerySet[Report]:
    """The reporter's own reports (model instances: their own data), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Report.objects.none()
    return _base().filter(reporter=user).order_by("-submitted_at", "-id")


def report_get_for_reporter(*, user, public_id) -> Report:
    pid = _uuid(public_id)
    report = reports_of_reporter(user=user).filter(public_id=pid).first() if pid else None
    if report is None:
        raise _not_found()
    return report


# --- staff -------------------------------------------------------------------------------------


def staff_reports(*, user) -> QuerySet[Report]:
    """Reports an official may see: handled by one of their agencies, or escalated to an agency
    they belong to as supervisor. Superusers get no implicit scope (orgs rule)."""
    scope = agency_scope(user=user, roles=HANDLER_ROLES)
    if not scope:
        return Report.objects.none()
    return _base().filter(Q(agency_id__in=scope) | Q(supervisor_id__in=scope, escalated_at__isnull=False))


def report_get_for_staff(*, user, public_id) -> Report:
    pid = _uuid(public_id)
    report = staff_reports(user=user).filter(public_id=pid).first() if pid else None
    if report is None:
        raise _not_found()
    return report


def reporter_for_staff(*, report: Report) -> dict[str, str]:
    """The reporter's identity as officials may see it: nothing when anonymous."""
    if report.is_anonymous:
        return {"name": str(_("Người phản ánh ẩn danh")), "phone": "", "email": ""}
    user = report.reporter
    return {
        "name": report.contact_name or (user.full_name if user else ""),
        "phone": report.contact_phone or (getattr(user, "phone", "") or ""),
        "email": report.contact_email or (getattr(user, "email", "") or ""),
    }


def staff_queue(*, user, queue: str, category=None, commune=None, q: str | None = None,
                now: datetime | None = None) -> QuerySet[Report]:
    """One work queue, scoped to the official's agencies:

    to_assign — submitted reports at their agencies (accept and assign);
    mine — assigned / in progress, assigned to them;
    in_progress — assigned / in progress at their agencies;
    overdue — open reports at their agencies past the due date;
    escalated — open reports escalated to an agency they belong to as supervisor.
    """
    if queue not in QUEUES:
        raise ValidationFailed(_("Hàng đợi không hợp lệ."), code="invalid_queue", details={"queue": queue})
    now = now or timezone.now()
    scope = agency_scope(user=user, roles=HANDLER_ROLES)
    if not scope:
        return Report.objects.none()
    qs = _base()
    if queue == "to_assign":
        qs = qs.filter(agency_id__in=scope, status=Status.SUBMITTED)
    elif queue == "mine":
        qs = qs.filter(agency_id__in=scope, assignee=user, status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
    elif queue == "in_progress":
        qs = qs.filter(agency_id__in=scope, status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
    elif queue == "overdue":
        qs = qs.filter(agency_id__in=scope, status__in=OPEN, due_at__lt=now)
    else:
        qs = qs.filter(supervisor_id__in=scope, escalated_at__isnull=False, status__in=OPEN)
    qs = _filter(qs, category=category, commune=commune, q=q)
    return qs.order_by("due_at", "submitted_at", "id")


def staff_queue_counts(*, user, now: datetime | None = None) -> dict[str, int]:
    """Counts of every queue in one grouped query over the official's reports."""
    now = now or timezone.now()
    scope = agency_scope(user=user, roles=HANDLER_ROLES)
    if not scope:
        return dict.fromkeys(QUEUES, 0)
    mine_agency = Q(agency_id__in=scope)
    working = Q(status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
    return Report.objects.filter(mine_agency | Q(supervisor_id__in=scope, escalated_at__isnull=False)).aggregate(
        to_assign=Count("pk", filter=mine_agency & Q(status=Status.SUBMITTED)),
        mine=Count("pk", filter=mine_agency & working & Q(assignee=user)),
        in_progress=Count("pk", filter=mine_agency & working),
        overdue=Count("pk", filter=mine_agency & Q(status__in=OPEN, due_at__lt=now)),
        escalated=Count("pk", filter=Q(supervisor_id__in=scope, escalated_at__isnull=False, status__in=OPEN)),
    )


def report_actions(*, report: Report, user, now: datetime | None = None) -> list[str]:
    """Names of the service calls ``user`` may make on ``report`` now (for buttons); the
    services check again under the row lock."""
    from .services import reopen_window_open

    if not getattr(user, "is_authenticated", False):
        return []
    actions: list[str] = []
    status = report.status
    if report.reporter_id == user.pk:
        if status == Status.RESOLVED and reopen_window_open(report, now=now):
            actions.append("reopen")
        if status in (Status.RESOLVED, Status.CLOSED) and not hasattr_rating(report):
            actions.append("rate")
    elif status in OPEN and report.is_public and not report.supports.filter(user=user).exists():
        actions.append("support")
    if can_handle(user=user, report=report):
        if status in OPEN:
            actions += ["assign", "reassign", "refuse", "note", "answer"]
        if status == Status.ASSIGNED:
            actions.append("start")
        if status in (Status.ASSIGNED, Status.IN_PROGRESS):
            actions.append("resolve")
        if status in DONE:
            actions.append("note")
    elif can_supervise(user=user, report=report):
        actions.append("note")
        if status in OPEN and user_has_role(user=user, agency=report.supervisor_id, roles=LEADER):
            actions.append("reassign")
    return list(dict.fromkeys(actions))


def hasattr_rating(report: Report) -> bool:
    from .models import Rating

    return Rating.objects.filter(report=report).exists()


def report_notes(*, report: Report, user) -> QuerySet[Note]:
    """Internal notes, for officials who see the report only (NotFound otherwise)."""
    if not staff_can_see(user=user, report=report):
        raise _not_found()
    return Note.objects.filter(report=report).select_related("author").order_by("created_at", "id")


def report_history(*, report: Report):
    """TransitionLog rows (with actors and notes): for the staff page. The public gets
    ``public_report_get(...).history``."""
    return ReportFlow.history(report)


def handlers_of(*, agency_id: int):
    """Officials who may be assigned reports of the agency."""
    from .services import officials_of

    return officials_of(agency_id=agency_id, roles=HANDLER_ROLES).order_by("full_name")


def templates_for(*, user, report: Report | None = None, agency=None) -> QuerySet[ResponseTemplate]:
    """Active answer templates an official may use: shared ones and their agencies' ones, for
    the report's category (or any category)."""
    scope = agency_scope(user=user, roles=HANDLER_ROLES)
    if not scope:
        return ResponseTemplate.objects.none()
    agencies = {report.agency_id} & scope if report is not None else (
        {getattr(agency, "pk", agency)} & scope if agency is not None else set(scope))
    qs = ResponseTemplate.objects.filter(is_active=True).filter(Q(agency__isnull=True) | Q(agency_id__in=agencies))
    if report is not None:
        qs = qs.filter(Q(category__isnull=True) | Q(category_id=report.category_id))
    return qs.order_by("title", "id")


# --- statistics --------------------------------------------------------------------------------

GROUPS = {
    "agency": ("agency_id", "agency__name"),
    "commune": ("commune__code", "commune__name"),
    "category": ("category__code", "category__name"),
}


def report_statistics(*, user, since: datetime, until: datetime, group_by: str = "agency",
                      agency_ids=None) -> list[dict[str, Any]]:
    """Figures per agency, commune or category for reports submitted in ``[since, until)``:
    received, resolved (on time / late), still open (of which overdue now), refused, average
    resolution time in hours, ratings and satisfaction (ratings 4–5 / ratings), supports.

    Officials see their agencies; superusers and leaders of the provincial People's Committee
    see the whole province. One grouped query (no per-row Python work).
    """
    if group_by not in GROUPS:
        raise ValidationFailed(_("Cách nhóm số liệu không hợp lệ."), code="invalid_group")
    qs = Report.objects.filter(submitted_at__gte=since, submitted_at__lt=until)
    if not _sees_whole_province(user):
        scope = agency_scope(user=user, roles=HANDLER_ROLES)
        if not scope:
            return []
        qs = qs.filter(agency_id__in=scope)
    if agency_ids:
        qs = qs.filter(agency_id__in=list(agency_ids))
    key, label = GROUPS[group_by]
    now = timezone.now()
    resolved = Q(resolved_at__isnull=False, status__in=(Status.RESOLVED, Status.CLOSED))
    rows = qs.values(key, label).annotate(
        received=Count("pk"),
        resolved=Count("pk", filter=resolved),
        on_time=Count("pk", filter=resolved & Q(resolved_on_time=True)),
        late=Count("pk", filter=resolved & Q(resolved_on_time=False)),
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=Q(status__in=OPEN, due_at__lt=now)),
        refused=Count("pk", filter=Q(status=Status.REFUSED)),
        avg_seconds=Avg("resolution_seconds", filter=resolved),
        rated=Count("rating", filter=Q(rating__isnull=False)),
        satisfied=Count("rating", filter=Q(rating__score__gte=4)),
        avg_score=Avg("rating__score"),
        supports=Count("pk", filter=Q(support_count__gt=0)),
    ).order_by(label)
    out = []
    for r in rows:
        out.append({
            "key": r[key], "name": r[label] or str(_("Chưa xác định")),
            "received": r["received"], "resolved": r["resolved"], "on_time": r["on_time"], "late": r["late"],
            "open": r["open"], "overdue": r["overdue"], "refused": r["refused"],
            "avg_hours": round(r["avg_seconds"] / 3600, 1) if r["avg_seconds"] is not None else None,
            "on_time_rate": round(100 * r["on_time"] / r["resolved"], 1) if r["resolved"] else None,
            "rated": r["rated"], "satisfied": r["satisfied"],
            "satisfaction_rate": round(100 * r["satisfied"] / r["rated"], 1) if r["rated"] else None,
            "avg_score": round(float(r["avg_score"]), 2) if r["avg_score"] is not None else None,
        })
    return out


def _sees_whole_province(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser and user.is_active:
        return True
    from .routing import provincial_committee

    committee = provincial_committee()
    return committee is not None and user_has_role(user=user, agency=committee, roles=LEADER)
