"""The officials' dossier workspace: queues with counts and filters, bulk assignment, the dossier
page with the actions the official may take now, and counter intake.

Views are thin: every read goes through ``tinhso.dossiers.selectors`` (scoped by the official's
agencies), every write through ``tinhso.dossiers.services``; domain errors become messages.
The MFA requirement for officials is enforced by ``StaffMFAMiddleware`` before any view runs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from tinhso.core.errors import DomainError, NotAllowed, NotFound, ValidationFailed
from tinhso.orgs.models import Membership
from tinhso.orgs.selectors import agency_scope

from . import selectors as dossier_selectors
from . import services as dossier_services
from .machine import DossierFlow
from .models import Channel, Dossier, DossierStep, Status

PAGE_SIZE = 25
BULK_MAX = 100
Q_MAX_LENGTH = 100

QUEUES: tuple[tuple[str, Any], ...] = (
    ("to_receive", gettext_lazy("Chờ tiếp nhận")),
    ("to_process", gettext_lazy("Đang xử lý — việc của tôi")),
    ("to_assign", gettext_lazy("Chờ phân công")),
    ("to_approve", gettext_lazy("Chờ phê duyệt")),
    ("to_return", gettext_lazy("Chờ trả kết quả")),
    ("due_soon", gettext_lazy("Sắp đến hạn")),
    ("overdue", gettext_lazy("Quá hạn")),
)
QUEUE_KEYS = tuple(k for k, _label in QUEUES)
ASSIGNABLE_ROLES = ("clerk", "specialist", "leader")
DUE_SOON_WORKING_DAYS = 2


def staff_required(view: Callable) -> Callable:
    """Logged in, and holding at least one current membership (an official of some agency)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not agency_scope(user=request.user):
            raise PermissionDenied(_("Chỉ cán bộ đang được phân công tại một cơ quan mới dùng được trang này."))
        # The MFA middleware already stops officials; this also covers a membership held by an
        # account of another kind.
        is_verified = getattr(request.user, "is_verified", None)
        if not (callable(is_verified) and is_verified()):
            raise PermissionDenied(_("Cần xác thực hai lớp trước khi làm việc với hồ sơ."))
        return view(request, *args, **kwargs)

    return wrapper


def _get_dossier(request: HttpRequest, public_id) -> Dossier:
    """The dossier if it belongs to one of the official's agencies; 404 otherwise (never tell an
    outsider that a dossier exists)."""
    try:
        return dossier_selectors.dossier_get_for_staff(user=request.user, public_id=public_id)
    except (NotFound, NotAllowed):
        raise Http404(_("Không tìm thấy hồ sơ.")) from None


def _error_text(exc: DomainError) -> str:
    return str(exc.message)


# --- queues ------------------------------------------------------------------------------------


def _parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _filtered_queue(request: HttpRequest, queue: str) -> tuple[Any, dict[str, str]]:
    params = request.GET
    q = (params.get("q") or "").strip()[:Q_MAX_LENGTH]
    procedure = (params.get("procedure") or "").strip()[:30]
    qs = queue_queryset(user=request.user, queue=queue, procedure=procedure or None)
    if q:
        qs = search_queue(qs, q)
    status = (params.get("status") or "").strip()
    if status in Status.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    channel = (params.get("channel") or "").strip()
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    else:
        channel = ""
    date_from, date_to = _parse_date(params.get("from")), _parse_date(params.get("to"))
    if date_from:
        qs = qs.filter(received_at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=timezone.get_current_timezone()))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
        qs = qs.filter(received_at__lt=end)
    filters = {
        "q": q,
        "procedure": procedure,
        "status": status,
        "channel": channel,
        "from": date_from.isoformat() if date_from else "",
        "to": date_to.isoformat() if date_to else "",
    }
    return qs, filters


SEARCH_SCAN_MAX = 5000


def search_queue(qs, q: str):
    """Dossiers of ``qs`` whose code contains ``q`` or whose applicant's name contains it,
    ignoring diacritics ("nguyen van a" finds "Nguyễn Văn A"). Names are folded in Python over
    the distinct applicants of the (already scoped and filtered) queue, at most SEARCH_SCAN_MAX
    of them: there is no folded name column to query."""
    from tinhso.search.text import fold

    folded = fold(q)
    if not folded:
        return qs
    applicants = qs.order_by().values_list("applicant_id", "applicant__full_name").distinct()[:SEARCH_SCAN_MAX]
    ids = {pk for pk, name in applicants if folded in fold(name)}
    return qs.filter(Q(code__icontains=q.strip()) | Q(applicant_id__in=ids))


def _open_steps():
    return DossierStep.objects.filter(started_at__isnull=False, finished_at__isnull=True)


def queue_queryset(*, user, queue: str, procedure: str | None = None):
    """One tab of the workspace, on top of ``selectors.staff_queue``:

    * due_soon counts working days (the workflow calendar), not calendar days;
    * to_process / to_approve keep only dossiers whose current step is assigned to the user
      or to nobody ("việc của tôi");
    * to_assign (not in the selector): dossiers in progress whose current step, at an agency
      where the user is a leader or a clerk, has no assignee yet — what bulk assignment is for.
    """
    in_progress = (Status.PROCESSING, Status.AWAITING_APPROVAL)
    if queue == "due_soon":
        # Due within 2 *working* days (the selector counts calendar days): by 17:00 of the
        # second working day after today, so a Friday look-ahead reaches Tuesday.
        from tinhso.workflow.calendar import add_working_days

        now = timezone.now()
        qs = dossier_selectors.staff_dossiers(user=user).filter(
            status__in=in_progress, paused_at__isnull=True, due_at__gte=now,
            due_at__lte=add_working_days(now, DUE_SOON_WORKING_DAYS),
        )
        if procedure:
            qs = qs.filter(procedure__code=procedure)
        return qs.order_by("due_at", "submitted_at", "id")
    if queue == "to_assign":
        managed = agency_scope(user=user, roles=("leader", "clerk"))
        if not managed:
            return Dossier.objects.none()
        step_ids = _open_steps().filter(agency_id__in=managed, assignee__isnull=True).values("dossier_id")
        qs = dossier_selectors.staff_dossiers(user=user).filter(pk__in=step_ids, status__in=in_progress)
        if procedure:
            qs = qs.filter(procedure__code=procedure)
        return qs.order_by("due_at", "submitted_at", "id")
    qs = dossier_selectors.staff_queue(user=user, queue=queue, procedure=procedure)
    if queue in ("to_process", "to_approve"):
        taken = _open_steps().filter(assignee__isnull=False).exclude(assignee=user).values("dossier_id")
        qs = qs.exclude(pk__in=taken)
    return qs


def queue_counts(*, user) -> dict[str, int]:
    return {key: queue_queryset(user=user, queue=key).count() for key in QUEUE_KEYS}


def assignee_choices(*, user, agency_ids=None, roles=ASSIGNABLE_ROLES) -> list[Membership]:
    """Officials the user may assign steps to (one row per membership): anyone of the agencies
    where the user is a leader or a clerk, and the user themselves elsewhere (taking a step)."""
    scope = agency_scope(user=user) if agency_ids is None else frozenset(agency_ids)
    if not scope:
        return []
    managed = scope & agency_scope(user=user, roles=("leader", "clerk"))
    today = timezone.localdate()
    return list(
        Membership.objects.filter(agency_id__in=scope, is_active=True, agency__is_active=True, user__is_active=True,
                                  role__code__in=roles)
        .filter(Q(agency_id__in=managed) | Q(user=user))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("user", "agency", "role")
        .order_by("agency__name", "role__code", "user__full_name")
    )


def _overseers_to_statistics(view: Callable) -> Callable:
    """Superusers and provincial leaders without an agency of their own have no queue, but may
    see the province-wide statistics: send them there instead of a 403 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        from . import stats

        user = request.user
        if user.is_authenticated and not agency_scope(user=user) and stats.stats_scope(user=user) is None:
            return redirect("dossiers_staff:statistics")
        return view(request, *args, **kwargs)

    return wrapper


@require_safe
@_overseers_to_statistics
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    counts = queue_counts(user=request.user)
    current = request.GET.get("queue") or ""
    if current not in QUEUE_KEYS:
        # The first queue with work in it, else the first one.
        current = next((k for k in QUEUE_KEYS if counts[k]), QUEUE_KEYS[0])
    qs, filters = _filtered_queue(request, current)
    qs = qs.select_related("procedure", "applicant", "agency", "current_agency")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in {"queue": current, **filters}.items() if v}
    from tinhso.procedures.selectors import procedures_public

    context = {
        "queues": [{"key": k, "label": label, "count": counts[k], "active": k == current} for k, label in QUEUES],
        "current": current,
        "current_label": dict(QUEUES)[current],
        "page": page,
        "filters": filters,
        "query_string": urlencode(query),
        "statuses": [(s.value, s.label) for s in Status if s != Status.DRAFT],
        "channels": [(c.value, c.label) for c in Channel],
        "procedures": procedures_public().select_related(None).only("code", "name"),
        "assignees": assignee_choices(user=request.user),
        "next_url": request.get_full_path(),
    }
    return render(request, "dossiers/staff/queue.html", context)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _user_by_public_id(raw: str | None):
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.filter(public_id=uuid.UUID(str(raw or "").strip()), is_active=True).first()
    except ValueError:
        return None


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("dossiers_staff:queue"))
    ids = request.POST.getlist("dossiers")[: BULK_MAX + 1]
    if not ids:
        messages.error(request, _("Hãy chọn ít nhất một hồ sơ."))
        return redirect(back)
    if len(ids) > BULK_MAX:
        messages.error(request, _("Mỗi lần phân công tối đa %(n)s hồ sơ.") % {"n": BULK_MAX})
        return redirect(back)
    assignee = _user_by_public_id(request.POST.get("assignee"))
    if assignee is None:
        messages.error(request, _("Hãy chọn cán bộ được phân công."))
        return redirect(back)
    dossiers = []
    for raw in ids:
        try:
            dossiers.append(dossier_selectors.dossier_get_for_staff(user=request.user, public_id=raw))
        except (NotFound, NotAllowed, ValueError):
            messages.error(request, _("Có hồ sơ không tìm thấy hoặc không thuộc phạm vi của bạn."))
            return redirect(back)
    try:
        n = dossier_services.dossier_assign_bulk(dossiers=dossiers, actor=request.user, assignee=assignee, request=request)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Đã phân công %(n)s hồ sơ cho %(name)s.") % {"n": n, "name": assignee.full_name}
        )
    return redirect(back)


# --- one dossier --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A button on the dossier page: the fields its small form asks for, and the service call."""

    name: str
    label: Any
    run: Callable[..., Any]
    reason: bool = False  # a required reason textarea
    note: bool = False  # an optional note textarea
    danger: bool = False
    extra: str = ""  # name of an extra widget the template renders: result_file, method, new_due_at


def _reason(post) -> str:
    return (post.get("reason") or "").strip()


def _note(post) -> str:
    return (post.get("note") or "").strip()


def _new_due_at(post) -> dt.datetime:
    day = _parse_date(post.get("new_due_date"))
    if day is None:
        raise ValidationFailed(_("Hãy chọn ngày hẹn trả mới."), details={"field": "new_due_date"})
    return dt.datetime.combine(day, dt.time(17, 0), tzinfo=timezone.get_current_timezone())


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("receive", pgettext_lazy("staff action", "Tiếp nhận"), note=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_receive(dossier=d, actor=u, note=_note(p), request=r)),
        Action("request_supplement", gettext_lazy("Yêu cầu bổ sung"), reason=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_request_supplement(
                   dossier=d, actor=u, reason=_reason(p), request=r)),
        Action("refuse", pgettext_lazy("staff action", "Từ chối"), reason=True, danger=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_refuse(dossier=d, actor=u, reason=_reason(p), request=r)),
        Action("complete_step", gettext_lazy("Hoàn thành bước xử lý"), note=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_step_complete(dossier=d, actor=u, note=_note(p), request=r)),
        Action("submit_for_approval", gettext_lazy("Trình phê duyệt"), note=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_step_complete(dossier=d, actor=u, note=_note(p), request=r)),
        Action("approve", gettext_lazy("Phê duyệt"), note=True, extra="result_file",
               run=lambda d, u, p, f, r: dossier_services.dossier_approve(
                   dossier=d, actor=u, note=_note(p), result_file=f.get("result_file"), request=r)),
        Action("reject_approval", gettext_lazy("Trả lại để xử lý lại"), reason=True, danger=True,
               run=lambda d, u, p, f, r: dossier_services.dossier_reject_approval(
                   dossier=d, actor=u, reason=_reason(p), request=r)),
        Action("return_result", pgettext_lazy("staff action", "Trả kết quả"), extra="method",
               run=lambda d, u, p, f, r: dossier_services.dossier_return_result(
                   dossier=d, actor=u, method=(p.get("method") or "").strip(), request=r)),
        Action("record_fee", gettext_lazy("Ghi nhận đã nộp phí tại quầy"),
               run=lambda d, u, p, f, r: dossier_services.dossier_fee_record_at_counter(dossier=d, actor=u, request=r)),
        Action("apologise", gettext_lazy("Lập phiếu xin lỗi và hẹn lại"), reason=True, extra="new_due_at",
               run=lambda d, u, p, f, r: dossier_services.dossier_apologise(
                   dossier=d, actor=u, reason=_reason(p), new_due_at=_new_due_at(p), request=r)),
    )
}


def available_actions(*, dossier: Dossier, user, names: list[str] | None = None) -> list[Action]:
    """The actions ``user`` may take on ``dossier`` now, in the order of the flow."""
    if names is None:
        names = dossier_selectors.dossier_actions(dossier=dossier, user=user)
    return [ACTIONS[n] for n in names if n in ACTIONS]


def _documents(dossier: Dossier) -> list[dict[str, Any]]:
    out = []
    for doc in dossier.documents.select_related("file").all():
        out.append({
            "doc": doc,
            "name": doc.name or doc.requirement_code,
            "url": reverse("files:download", args=[doc.file.public_id]) if doc.file_id else "",
            "file_name": doc.file.original_name if doc.file_id else "",
        })
    return out


def _form_rows(dossier: Dossier, revealed: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The form's answers for the page; national IDs are masked (``masked``) unless ``revealed``
    (the audited reveal) carries their full value."""
    from tinhso.accounts.crypto import mask_identifier
    from tinhso.procedures.formschema import display_value, field_labels

    schema = dossier.procedure.form_schema or {}
    labels = field_labels(schema)
    protected = set(dossier_selectors.national_id_field_names(schema))
    data = dossier.form_data or {}
    rows = []
    for name in labels:
        if name not in data:
            continue
        if name in protected and data[name] not in (None, ""):
            if revealed and name in revealed:
                rows.append({"label": labels[name], "value": revealed[name], "revealed": True})
            else:
                rows.append({"label": labels[name], "value": mask_identifier(str(data[name])), "masked": True})
            continue
        rows.append({"label": labels[name], "value": display_value(schema, name, data[name])})
    rows += [{"label": name, "value": str(value)} for name, value in data.items() if name not in labels]
    return rows


def _applicant_facts(dossier: Dossier) -> dict[str, str]:
    applicant = dossier.applicant
    profile = getattr(applicant, "citizen_profile", None)
    return {
        "name": applicant.full_name,
        "phone": applicant.phone or "",
        "email": applicant.email or "",
        "national_id": profile.national_id_masked if profile is not None and profile.national_id else "",
        "address": getattr(profile, "address", "") if profile is not None else "",
    }


@require_safe
@staff_required
def detail(request: HttpRequest, public_id) -> HttpResponse:
    return _render_detail(request, _get_dossier(request, public_id))


@require_POST
@staff_required
def reveal_national_id(request: HttpRequest, public_id) -> HttpResponse:
    """Show the full national IDs of the form once (this response only, never stored), after
    writing the audit event; a later GET shows them masked again."""
    dossier = _get_dossier(request, public_id)
    try:
        revealed = dossier_selectors.dossier_national_ids_reveal(actor=request.user, dossier=dossier, request=request)
    except NotFound as exc:
        messages.error(request, _error_text(exc))
        return redirect("dossiers_staff:detail", public_id=dossier.public_id)
    response = _render_detail(request, dossier, revealed=revealed)
    response["Cache-Control"] = "private, no-store"
    return response


def _render_detail(request: HttpRequest, dossier: Dossier, *, revealed: dict[str, str] | None = None) -> HttpResponse:
    steps = list(dossier.steps.select_related("agency", "assignee").order_by("order"))
    current_step = next((s for s in steps if s.started_at is not None and s.finished_at is None), None)
    names = dossier_selectors.dossier_actions(dossier=dossier, user=request.user)
    step_assignees = list(dossier_selectors.assignable_officials(dossier=dossier)) if "assign" in names else []
    history = list(DossierFlow.history(dossier))
    form_rows = _form_rows(dossier, revealed)
    for log in history:
        log.from_label = DossierFlow.state_label(log.from_state)
        log.to_label = DossierFlow.state_label(log.to_state)
        log.action_label = DossierFlow.transition_label(log.transition)
    context = {
        "dossier": dossier,
        "applicant": _applicant_facts(dossier),
        "form_rows": form_rows,
        "has_masked": any(r.get("masked") for r in form_rows),
        "documents": _documents(dossier),
        "steps": steps,
        "current_step": current_step,
        "step_assignees": step_assignees,
        "history": history,
        "actions": available_actions(dossier=dossier, user=request.user, names=names),
        "result_methods": [("counter", _("Tại bộ phận một cửa")), ("online", _("Trực tuyến")), ("post", _("Qua dịch vụ bưu chính"))],
        "today": timezone.localdate(),
    }
    return render(request, "dossiers/staff/detail.html", context)


@require_POST
@staff_required
def act(request: HttpRequest, public_id, action: str) -> HttpResponse:
    dossier = _get_dossier(request, public_id)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    url = reverse("dossiers_staff:detail", args=[dossier.public_id])
    if spec.reason and not _reason(request.POST):
        messages.error(request, _("Vui lòng nhập lý do."))
        return redirect(url)
    try:
        spec.run(dossier, request.user, request.POST, request.FILES, request)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã thực hiện: %(action)s.") % {"action": spec.label})
    return redirect(url)


@require_POST
@staff_required
def assign(request: HttpRequest, public_id) -> HttpResponse:
    dossier = _get_dossier(request, public_id)
    url = reverse("dossiers_staff:detail", args=[dossier.public_id])
    assignee = _user_by_public_id(request.POST.get("assignee"))
    if assignee is None:
        messages.error(request, _("Hãy chọn cán bộ được phân công."))
        return redirect(url)
    try:
        dossier_services.dossier_assign(dossier=dossier, actor=request.user, assignee=assignee, request=request)
    except DomainError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Đã phân công cho %(name)s.") % {"name": assignee.full_name})
    return redirect(url)


# --- staff panel (portal) ------------------------------------------------------------------------


def staff_panel_context(request: HttpRequest) -> dict[str, Any] | None:
    from .views_intake import clerk_agencies

    """Queue counts for the staff workspace home (``/staff/``); hidden for non-officials."""
    user = request.user
    if not agency_scope(user=user):
        return None
    counts = queue_counts(user=user)
    base = reverse("dossiers_staff:queue")
    return {
        "queues": [{"key": k, "label": label, "count": counts[k], "url": f"{base}?queue={k}"} for k, label in QUEUES],
        "queue_url": base,
        "intake_url": reverse("dossiers_staff:intake") if clerk_agencies(user) else "",
        "stats_url": reverse("dossiers_staff:statistics"),
    }


def register_panel() -> None:
    """Add the dossier panel to the staff workspace (idempotent: the key replaces itself)."""
    from tinhso.portal.registry import register_staff_panel

    register_staff_panel(
        "dossiers", gettext_lazy("Hồ sơ thủ tục hành chính"), "dossiers/staff/panel.html", staff_panel_context, 10
    )
