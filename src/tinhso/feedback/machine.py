"""The field-report state machine.

    submitted ─assign→ assigned ─start→ in_progress ─resolve→ resolved ─close→ closed
        │  ↑              │   ↑              │                   │  (rating, or automatically)
        │  └──reassign────┴───┴──reassign────┘                   └─reopen (reporter, within
        └────────────refuse (not_competent | spam | duplicate)──→ refused      the window) → assigned

``assign`` and ``escalate`` also fire inside a state (another official; overdue → the
supervising agency is told). Who may act on which report depends on the handling agency, so
the services check it (under the row lock) before firing; only the reporter's ``reopen`` is
checked here.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tinhso.workflow.machine import StateMachine, Transition

from .models import Status

S = Status


def is_reporter(user, report) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and report.reporter_id == user.pk


def _has_answer(report, *, data=None, **kwargs):
    if not (data or {}).get("answer"):
        return _("Cần nhập nội dung trả lời công khai.")
    return None


class ReportFlow(StateMachine):
    name = "report"
    field = "status"
    object_label = _("phản ánh")
    states = {s.value: s.label for s in Status}
    transitions = [
        Transition("assign", source=[S.SUBMITTED, S.ASSIGNED], target=S.ASSIGNED, label=_("Tiếp nhận, phân công")),
        Transition("assign", source=[S.IN_PROGRESS], target=S.IN_PROGRESS, label=_("Tiếp nhận, phân công")),
        Transition("reassign", source=[S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS], target=S.SUBMITTED,
                   label=_("Chuyển cơ quan khác")),
        Transition("start", source=[S.ASSIGNED], target=S.IN_PROGRESS, label=_("Bắt đầu xử lý")),
        Transition("resolve", source=[S.ASSIGNED, S.IN_PROGRESS], target=S.RESOLVED, label=_("Trả lời, hoàn thành"),
                   guards=[_has_answer]),
        Transition("refuse", source=[S.SUBMITTED, S.ASSIGNED, S.IN_PROGRESS], target=S.REFUSED,
                   label=_("Từ chối")),
        Transition("reopen", source=[S.RESOLVED], target=S.ASSIGNED, label=_("Mở lại phản ánh"),
                   permission=is_reporter),
        Transition("close", source=[S.RESOLVED], target=S.CLOSED, label=_("Đóng phản ánh")),
        Transition("escalate", source=[S.SUBMITTED], target=S.SUBMITTED, label=_("Chuyển cấp trên (quá hạn)")),
        Transition("escalate", source=[S.ASSIGNED], target=S.ASSIGNED, label=_("Chuyển cấp trên (quá hạn)")),
        Transition("escalate", source=[S.IN_PROGRESS], target=S.IN_PROGRESS, label=_("Chuyển cấp trên (quá hạn)")),
    ]
