"""Reads of consultations and ideas, each with its access rule built in.

* **Public**: :func:`public_consultations`, :func:`public_consultation_get`, :func:`public_ideas`,
  :func:`public_idea_get` return dataclasses built from explicit column lists — never a model
  instance — so a template cannot reach an author's email or phone. The author's name is shown
  only when they chose to (default yes); hidden ideas keep their place with "nội dung đã bị ẩn"
  and no title, body, image or name. Drafts and withdrawn ideas are never public.
* **Staff** (scoped by ``orgs.agency_scope`` with :data:`IDEA_ROLES`): :func:`staff_consultations`,
  :func:`consultation_get_for_staff`, :func:`staff_ideas`, :func:`idea_get_for_staff`,
  :func:`idea_actions`. Anything outside the scope is NotFound (existence is not revealed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, CharField, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import NotFound, ValidationFailed
from tinhso.orgs.selectors import agency_scope, user_has_role
from tinhso.search.text import fold

from .machine_ideas import ConsultationFlow, IdeaFlow
from .models_ideas import (
    CONSULTATION_DOCUMENT_PURPOSE,
    IDEA_IMAGE_PURPOSE,
    Consultation,
    ConsultationDocument,
    ConsultationStatus,
    Idea,
    IdeaStatus,
    IdeaSupport,
    ImplementationStatus,
    ImplementationUpdate,
)

IDEA_ROLES = ("report_handler", "clerk", "specialist", "leader")
PARTICIPANT_KINDS = ("citizen", "business")
PUBLIC_CONSULTATION_STATUSES = (ConsultationStatus.OPEN, ConsultationStatus.CLOSED, ConsultationStatus.ANSWERED)
IDEA_SORTS = ("supported", "newest")
STAFF_QUEUES = ("to_answer", "evaluating", "accepted", "rejected", "hidden", "all")
MAX_PAGE_SIZE = 50


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


def consultation_not_found() -> NotFound:
    return NotFound(_("Không tìm thấy đợt lấy ý kiến."), code="consultation_not_found")


def idea_not_found() -> NotFound:
    return NotFound(_("Không tìm thấy góp ý."), code="idea_not_found")


# --- access rules ------------------------------------------------------------------------------


def can_manage(*, user, consultation: Consultation) -> bool:
    """An official of the owning agency (current membership with one of IDEA_ROLES)."""
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(
        user=user, agency=consultation.agency_id, roles=IDEA_ROLES)


def can_participate(user) -> bool:
    """Logged-in citizens and businesses post and support ideas (officials answer them)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and getattr(user, "kind", "") in PARTICIPANT_KINDS)


def is_publicly_visible(idea: Idea) -> bool:
    return idea.status != IdeaStatus.WITHDRAWN and idea.consultation.status != ConsultationStatus.DRAFT


def can_read_file(*, user, file) -> bool:
    """Policy for ``files.views.download`` (logged-in users): documents of published
    consultations and images of visible ideas for anyone; drafts for the owning agency; a
    hidden or withdrawn idea's image for its author and the agency."""
    if file.purpose == CONSULTATION_DOCUMENT_PURPOSE:
        link = ConsultationDocument.objects.filter(file=file).select_related("consultation").first()
        if link is None:
            return False
        c = link.consultation
        return c.status != ConsultationStatus.DRAFT or can_manage(user=user, consultation=c)
    if file.purpose == IDEA_IMAGE_PURPOSE:
        idea = Idea.objects.filter(image=file).select_related("consultation").first()
        if idea is None:
            return False
        if idea.author_id == user.pk or can_manage(user=user, consultation=idea.consultation):
            return True
        return is_publicly_visible(idea) and not idea.is_hidden
    return False


# --- public ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicConsultation:
    public_id: uuid.UUID
    title: str
    summary: str
    agency_name: str
    commune_name: str
    status: str
    status_label: str
    phase: str  # upcoming | accepting | expired | closed | answered
    phase_label: str
    opens_at: datetime
    closes_at: datetime
    idea_count: int

    @property
    def accepting(self) -> bool:
        return self.phase == "accepting"


@dataclass(frozen=True)
class PublicDocument:
    public_id: uuid.UUID
    name: str
    kind: str
    size: int


@dataclass(frozen=True)
class PublicConsultationDetail:
    consultation: PublicConsultation
    body: str
    result_summary: str
    answered_at: datetime | None
    agency_id: int
    documents: list[PublicDocument] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PublicIdea:
    public_id: uuid.UUID
    title: str  # "" when hidden
    body: str  # "" when hidden
    is_hidden: bool
    author_name: str  # "" unless shown (and never for hidden content)
    status: str
    status_label: str
    support_count: int
    created_at: datetime
    answer: str
    answered_at: datetime | None
    progress: int
    implementation_status: str
    implementation_label: str
    image_id: uuid.UUID | None


@dataclass(frozen=True)
class PublicUpdate:
    status: str
    status_label: str
    progress: int
    note: str
    agency_name: str
    created_at: datetime


@dataclass(frozen=True)
class PublicIdeaDetail:
    idea: PublicIdea
    consultation: PublicConsultation
    updates: list[PublicUpdate] = field(default_factory=list)


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def phase_of(status: str, opens_at: datetime, closes_at: datetime, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if status == ConsultationStatus.OPEN:
        if now < opens_at:
            return "upcoming"
        return "accepting" if now < closes_at else "expired"
    return str(status)


def phase_label(phase: str) -> str:
    labels = {
        "upcoming": _("Sắp mở lấy ý kiến"),
        "accepting": _("Đang lấy ý kiến"),
        "expired": _("Đã hết hạn góp ý"),
        "closed": str(ConsultationStatus.CLOSED.label),
        "answered": str(ConsultationStatus.ANSWERED.label),
        "draft": str(ConsultationStatus.DRAFT.label),
    }
    return str(labels.get(phase, phase))


CONSULTATION_COLUMNS = ("public_id", "title", "summary", "agency__name", "commune__name", "status", "opens_at",
                        "closes_at", "idea_count")


def _consultation_row(row: dict, now: datetime) -> PublicConsultation:
    phase = phase_of(row["status"], row["opens_at"], row["closes_at"], now)
    return PublicConsultation(
        public_id=row["public_id"], title=row["title"], summary=row["summary"], agency_name=row["agency__name"],
        commune_name=row["commune__name"] or "", status=row["status"],
        status_label=ConsultationFlow.state_label(row["status"]), phase=phase, phase_label=phase_label(phase),
        opens_at=row["opens_at"], closes_at=row["closes_at"], idea_count=row["idea_count"],
    )


def _page_args(page, page_size) -> tuple[int, int]:
    try:
        page = max(1, min(int(page or 1), 10_000))
    except (TypeError, ValueError):
        page = 1
    return page, max(1, min(int(page_size or 10), MAX_PAGE_SIZE))


def public_consultations(*, q: str | None = None, agency=None, status: str | None = None, page=1,
                         page_size: int = 10, now: datetime | None = None) -> Page:
    """Published consultations: those accepting ideas first (closing soonest first), then the
    upcoming, then the finished ones (newest first). Filters: ``agency`` (id or Agency),
    ``status`` (open | closed | answered), ``q`` (words of the title or summary, diacritics
    ignored)."""
    now = now or timezone.now()
    page, page_size = _page_args(page, page_size)
    qs = Consultation.objects.filter(status__in=PUBLIC_CONSULTATION_STATUSES)
    if agency:
        try:
            qs = qs.filter(agency_id=int(getattr(agency, "pk", agency)))
        except (TypeError, ValueError):
            raise ValidationFailed(_("Cơ quan không hợp lệ."), details={"field": "agency"}) from None
    if status:
        if status not in PUBLIC_CONSULTATION_STATUSES:
            raise ValidationFailed(_("Trạng thái không hợp lệ."), code="invalid_status", details={"field": "status"})
        qs = qs.filter(status=status)
    for word in fold(q or "").split()[:8]:
        qs = qs.filter(search_text__contains=word)
    qs = qs.annotate(rank=Case(
        When(status=ConsultationStatus.OPEN, opens_at__lte=now, closes_at__gt=now, then=Value(0)),
        When(status=ConsultationStatus.OPEN, opens_at__gt=now, then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    ), soon=Case(
        When(rank=0, then=F("closes_at")), default=None,
    ))
    total = qs.count()
    start = (page - 1) * page_size
    rows = qs.order_by("rank", F("soon").asc(nulls_last=True), "-opens_at", "-id").values(
        *CONSULTATION_COLUMNS)[start:start + page_size]
    return Page(items=[_consultation_row(r, now) for r in rows], total=total, page=page, page_size=page_size)


def _public_consultation_qs() -> QuerySet[Consultation]:
    return Consultation.objects.filter(status__in=PUBLIC_CONSULTATION_STATUSES)


def public_consultation_get(*, public_id, now: datetime | None = None) -> PublicConsultationDetail:
    """One published consultation with its documents and the count of ideas per answer status."""
    pid = _uuid(public_id)
    row = _public_consultation_qs().filter(public_id=pid).values(
        "pk", "agency_id", "body", "result_summary", "answered_at", *CONSULTATION_COLUMNS).first() if pid else None
    if row is None:
        raise consultation_not_found()
    docs = [PublicDocument(public_id=d["file__public_id"], name=d["file__original_name"], kind=d["file__kind"],
                           size=d["file__size"])
            for d in ConsultationDocument.objects.filter(consultation_id=row["pk"], file__deleted_at__isnull=True)
            .order_by("order", "id").values("file__public_id", "file__original_name", "file__kind", "file__size")]
    counts = dict(Idea.objects.filter(consultation_id=row["pk"], hidden_at__isnull=True)
                  .exclude(status=IdeaStatus.WITHDRAWN).order_by().values_list("status").annotate(n=Count("id")))
    return PublicConsultationDetail(
        consultation=_consultation_row(row, now or timezone.now()), body=row["body"],
        result_summary=row["result_summary"], answered_at=row["answered_at"], agency_id=row["agency_id"],
        documents=docs, status_counts=counts,
    )


IDEA_COLUMNS = ("public_id", "title", "body", "hidden_at", "public_author", "status", "support_count", "created_at",
                "answer", "answered_at", "progress", "implementation_status", "image__public_id")


def _public_ideas_qs() -> QuerySet[Idea]:
    return Idea.objects.filter(consultation__status__in=PUBLIC_CONSULTATION_STATUSES).exclude(
        status=IdeaStatus.WITHDRAWN).annotate(public_author=Case(
            When(show_name=True, hidden_at__isnull=True, then=F("author__full_name")),
            default=Value(""), output_field=CharField()))


def _idea_row(row: dict) -> PublicIdea:
    hidden = row["hidden_at"] is not None
    impl = row["implementation_status"] or ""
    return PublicIdea(
        public_id=row["public_id"], title="" if hidden else row["title"], body="" if hidden else row["body"],
        is_hidden=hidden, author_name="" if hidden else (row["public_author"] or ""), status=row["status"],
        status_label=IdeaFlow.state_label(row["status"]), support_count=row["support_count"],
        created_at=row["created_at"], answer=row["answer"], answered_at=row["answered_at"],
        progress=row["progress"], implementation_status=impl,
        implementation_label=str(ImplementationStatus(impl).label) if impl else "",
        image_id=None if hidden else row["image__public_id"],
    )


def public_ideas(*, consultation_public_id, sort: str = "supported", status: str | None = None, page=1,
                 page_size: int = 10) -> Page:
    """Ideas of a published consultation (withdrawn ones left out, hidden ones as placeholders).
    ``sort``: supported (most supported first) | newest; ``status``: an idea status."""
    if sort not in IDEA_SORTS:
        raise ValidationFailed(_("Cách sắp xếp không hợp lệ."), details={"field": "sort"})
    page, page_size = _page_args(page, page_size)
    pid = _uuid(consultation_public_id)
    qs = _public_ideas_qs().filter(consultation__public_id=pid)
    if status:
        if status not in IdeaStatus.values or status == IdeaStatus.WITHDRAWN:
            raise ValidationFailed(_("Trạng thái không hợp lệ."), code="invalid_status", details={"field": "status"})
        qs = qs.filter(status=status)
    order = ("-support_count", "-created_at", "-id") if sort == "supported" else ("-created_at", "-id")
    total = qs.count()
    start = (page - 1) * page_size
    rows = qs.order_by(*order).values(*IDEA_COLUMNS)[start:start + page_size]
    return Page(items=[_idea_row(r) for r in rows], total=total, page=page, page_size=page_size)


def public_idea_get(*, public_id, now: datetime | None = None) -> PublicIdeaDetail:
    """One public idea with its consultation and its implementation timeline (oldest first)."""
    pid = _uuid(public_id)
    row = _public_ideas_qs().filter(public_id=pid).values("pk", "consultation_id", *IDEA_COLUMNS).first() if pid \
        else None
    if row is None:
        raise idea_not_found()
    c = Consultation.objects.filter(pk=row["consultation_id"]).values(*CONSULTATION_COLUMNS).first()
    updates = [PublicUpdate(status=u["status"], status_label=str(ImplementationStatus(u["status"]).label),
                            progress=u["progress"], note=u["note"], agency_name=u["agency__name"],
                            created_at=u["created_at"])
               for u in ImplementationUpdate.objects.filter(idea_id=row["pk"]).order_by("created_at", "id")
               .values("status", "progress", "note", "agency__name", "created_at")]
    return PublicIdeaDetail(idea=_idea_row(row), consultation=_consultation_row(c, now or timezone.now()),
                            updates=updates)


def public_agencies_with_consultations() -> list[tuple[int, str]]:
    """(id, name) of agencies that published at least one consultation (the list filter)."""
    return list(_public_consultation_qs().order_by("agency__name").values_list("agency_id", "agency__name")
                .distinct())


def public_file(*, consultation_public_id=None, idea_public_id=None, file_public_id):
    """A document of a published consultation, or the image of a visible idea (for anonymous
    visitors of the public pages). NotFound otherwise."""
    from tinhso.files.models import StoredFile

    fid = _uuid(file_public_id)
    if fid is None:
        raise NotFound(_("Không tìm thấy tệp."))
    if consultation_public_id is not None:
        ok = ConsultationDocument.objects.filter(
            consultation__public_id=_uuid(consultation_public_id),
            consultation__status__in=PUBLIC_CONSULTATION_STATUSES, file__public_id=fid).exists()
    else:
        ok = _public_ideas_qs().filter(public_id=_uuid(idea_public_id), image__public_id=fid,
                                       hidden_at__isnull=True).exists()
    f = StoredFile.objects.filter(public_id=fid, deleted_at__isnull=True).first() if ok else None
    if f is None:
        raise NotFound(_("Không tìm thấy tệp."))
    return f


def supported_by(*, user, idea_ids) -> set:
    """Public ids (among ``idea_ids``) of the ideas ``user`` supports: for the buttons."""
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = [u for u in (_uuid(i) for i in idea_ids) if u]
    return set(IdeaSupport.objects.filter(user=user, idea__public_id__in=ids).values_list("idea__public_id",
                                                                                          flat=True))


def own_ideas(*, user, idea_ids) -> set:
    if not getattr(user, "is_authenticated", False):
        return set()
    ids = [u for u in (_uuid(i) for i in idea_ids) if u]
    return set(Idea.objects.filter(author=user, public_id__in=ids).values_list("public_id", flat=True))


def ideas_of_author(*, user) -> QuerySet[Idea]:
    """The author's own ideas (their data, withdrawn and hidden included), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Idea.objects.none()
    return Idea.objects.filter(author=user).select_related("consultation").order_by("-created_at", "-id")


# --- staff -------------------------------------------------------------------------------------


def staff_consultations(*, user, status: str | None = None, q: str | None = None) -> QuerySet[Consultation]:
    """Consultations of the official's agencies (any status), newest first, with the number of
    ideas still waiting for an answer (``to_answer``)."""
    scope = agency_scope(user=user, roles=IDEA_ROLES)
    if not scope:
        return Consultation.objects.none()
    qs = Consultation.objects.filter(agency_id__in=scope).select_related("agency", "commune")
    if status in ConsultationStatus.values:
        qs = qs.filter(status=status)
    for word in fold(q or "").split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.annotate(to_answer=Count("ideas", filter=Q(ideas__status=IdeaStatus.PUBLISHED,
                                                         ideas__hidden_at__isnull=True))
                       ).order_by("-created_at", "-id")


def consultation_get_for_staff(*, user, public_id) -> Consultation:
    pid = _uuid(public_id)
    scope = agency_scope(user=user, roles=IDEA_ROLES)
    c = Consultation.objects.filter(public_id=pid, agency_id__in=scope).select_related(
        "agency", "commune", "created_by").first() if pid and scope else None
    if c is None:
        raise consultation_not_found()
    return c


def staff_ideas(*, user, consultation: Consultation | None = None, queue: str = "to_answer",
                q: str | None = None) -> QuerySet[Idea]:
    """Ideas of the official's agencies. Queues: to_answer (published, not hidden), evaluating,
    accepted, rejected, hidden, all (withdrawn included)."""
    if queue not in STAFF_QUEUES:
        raise ValidationFailed(_("Hàng đợi không hợp lệ."), details={"field": "queue"})
    scope = agency_scope(user=user, roles=IDEA_ROLES)
    if not scope:
        return Idea.objects.none()
    qs = Idea.objects.filter(consultation__agency_id__in=scope).select_related("consultation", "author")
    if consultation is not None:
        qs = qs.filter(consultation=consultation)
    if queue == "to_answer":
        qs = qs.filter(status=IdeaStatus.PUBLISHED, hidden_at__isnull=True)
    elif queue == "hidden":
        qs = qs.filter(hidden_at__isnull=False)
    elif queue != "all":
        qs = qs.filter(status=queue)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(body__icontains=q))
    order = ("created_at", "id") if queue == "to_answer" else ("-created_at", "-id")
    return qs.order_by(*order)


def staff_idea_counts(*, user) -> dict[str, int]:
    scope = agency_scope(user=user, roles=IDEA_ROLES)
    if not scope:
        return dict.fromkeys(STAFF_QUEUES, 0)
    qs = Idea.objects.filter(consultation__agency_id__in=scope)
    row = qs.aggregate(
        to_answer=Count("id", filter=Q(status=IdeaStatus.PUBLISHED, hidden_at__isnull=True)),
        evaluating=Count("id", filter=Q(status=IdeaStatus.EVALUATING)),
        accepted=Count("id", filter=Q(status=IdeaStatus.ACCEPTED)),
        rejected=Count("id", filter=Q(status=IdeaStatus.REJECTED)),
        hidden=Count("id", filter=Q(hidden_at__isnull=False)),
        all=Count("id"),
    )
    return {k: row[k] or 0 for k in STAFF_QUEUES}


def idea_get_for_staff(*, user, public_id) -> Idea:
    pid = _uuid(public_id)
    scope = agency_scope(user=user, roles=IDEA_ROLES)
    idea = Idea.objects.filter(public_id=pid, consultation__agency_id__in=scope).select_related(
        "consultation", "consultation__agency", "author", "answered_by", "hidden_by").first() if pid and scope \
        else None
    if idea is None:
        raise idea_not_found()
    return idea


def author_for_staff(*, idea: Idea) -> dict[str, str]:
    """What officials see of the author: the name and account kind (no contact details: the
    answer reaches the author through notifications)."""
    from tinhso.accounts.models import UserKind

    kind = idea.author.kind
    return {"name": idea.author.full_name, "kind": str(UserKind(kind).label) if kind in UserKind.values else kind}


def idea_updates(*, idea: Idea) -> QuerySet[ImplementationUpdate]:
    return ImplementationUpdate.objects.filter(idea=idea).select_related("author", "agency").order_by(
        "created_at", "id")


def idea_history(*, idea: Idea) -> list[dict]:
    """The answer steps for officials: [{"at", "label", "state", "actor", "note"}], oldest first."""
    return [{"at": h.at, "label": IdeaFlow.transition_label(h.transition), "state": IdeaFlow.state_label(h.to_state),
             "actor": h.actor.full_name if h.actor_id else "", "note": h.note} for h in IdeaFlow.history(idea)]


def consultation_actions(*, consultation: Consultation, user) -> list[str]:
    """What the official may do now: edit, publish, close, summarize."""
    if not can_manage(user=user, consultation=consultation):
        return []
    s = consultation.status
    return {
        ConsultationStatus.DRAFT: ["edit", "publish"],
        ConsultationStatus.OPEN: ["close"],
        ConsultationStatus.CLOSED: ["summarize"],
    }.get(s, [])


def idea_actions(*, idea: Idea, user) -> list[str]:
    """What the official may do now on an idea: answer transitions, progress, hide/unhide."""
    if not can_manage(user=user, consultation=idea.consultation):
        return []
    out = [t.name for t in IdeaFlow.available(idea, user) if t.name != "withdraw"]
    if idea.status == IdeaStatus.ACCEPTED:
        out.append("progress")
    if idea.status != IdeaStatus.WITHDRAWN:
        out.append("unhide" if idea.is_hidden else "hide")
    return out
