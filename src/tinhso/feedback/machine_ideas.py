"""State machines of consultations and ideas (góp ý, hiến kế).

Consultation::

    draft ─publish→ open ─close→ closed ─summarize→ answered
                     (early by an official, or automatically at ``closes_at``)

Idea (the agency's official answer)::

    published ─evaluate→ evaluating ─accept→ accepted   (then implementation updates)
        │                    └──────reject→ rejected    (reason required)
        ├──accept / reject (directly)
        └──withdraw (the author, before any answer) → withdrawn

Who may act depends on the owning agency, so the services check it under the row lock before
firing; only the author's ``withdraw`` is checked here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tinhso.workflow.machine import StateMachine, Transition

from .models_ideas import ConsultationStatus, IdeaStatus

C = ConsultationStatus
S = IdeaStatus


def is_author(user, idea) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and idea.author_id == user.pk


def _has_answer(idea, *, data=None, **kwargs):
    if not (data or {}).get("answer"):
        return _("Cần nêu lý do không tiếp thu ý kiến.")
    return None


def _has_summary(consultation, *, data=None, **kwargs):
    if not (data or {}).get("summary"):
        return _("Cần nhập kết quả tổng hợp ý kiến.")
    return None


class ConsultationFlow(StateMachine):
    name = "consultation"
    field = "status"
    object_label = _("đợt lấy ý kiến")
    states = {s.value: s.label for s in ConsultationStatus}
    transitions = [
        Transition("publish", source=[C.DRAFT], target=C.OPEN, label=_("Công bố, mở lấy ý kiến")),
        Transition("close", source=[C.OPEN], target=C.CLOSED, label=_("Kết thúc lấy ý kiến")),
        Transition("summarize", source=[C.CLOSED], target=C.ANSWERED, label=_("Công bố kết quả tổng hợp"),
                   guards=[_has_summary]),
    ]


class IdeaFlow(StateMachine):
    name = "idea"
    field = "status"
    object_label = _("góp ý")
    states = {s.value: s.label for s in IdeaStatus}
    transitions = [
        Transition("evaluate", source=[S.PUBLISHED], target=S.EVALUATING, label=_("Đang xem xét")),
        Transition("accept", source=[S.PUBLISHED, S.EVALUATING], target=S.ACCEPTED, label=_("Tiếp thu")),
        Transition("reject", source=[S.PUBLISHED, S.EVALUATING], target=S.REJECTED, label=_("Không tiếp thu"),
                   guards=[_has_answer]),
        Transition("withdraw", source=[S.PUBLISHED], target=S.WITHDRAWN, label=_("Rút góp ý"),
                   permission=is_author),
    ]


ANSWER_TRANSITIONS = ("evaluate", "accept", "reject")
