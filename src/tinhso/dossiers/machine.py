"""The dossier state machine (statuses and who may fire which transition).

Transitions whose permission depends on the current processing step (complete_step,
submit_for_approval, approve, reject_approval) are checked by the services, which know the
step; their ``permission`` here is None. For buttons use
:func:`tinhso.dossiers.selectors.dossier_actions`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tinhso.orgs.selectors import user_has_role
from tinhso.workflow.machine import StateMachine, Transition

from .models import Channel, Status

CLERK = "clerk"


def is_applicant(user, dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and dossier.applicant_id == user.pk


def is_clerk(user, dossier) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(
        user=user, agency=dossier.agency_id, roles=CLERK
    )


def can_submit(user, dossier) -> bool:
    if dossier.channel == Channel.COUNTER:
        return is_clerk(user, dossier)
    return is_applicant(user, dossier)


def _not_received(dossier, **kwargs):
    if dossier.received_at is not None:
        return _("Hồ sơ đã được tiếp nhận.")
    return None


def _received(dossier, **kwargs):
    if dossier.received_at is None:
        return _("Hồ sơ chưa được tiếp nhận.")
    return None


def _fee_settled(dossier, **kwargs):
    from .models import FeeStatus

    if dossier.fee_status == FeeStatus.PENDING:
        return _("Người nộp chưa thanh toán phí, lệ phí: chưa thể trả kết quả.")
    return None


S = Status


class DossierFlow(StateMachine):
    name = "dossier"
    field = "status"
    object_label = _("hồ sơ")
    states = {s.value: s.label for s in Status}
    transitions = [
        Transition("submit", source=[S.DRAFT], target=S.SUBMITTED, label=_("Nộp hồ sơ"), permission=can_submit),
        Transition(
            "withdraw", source=[S.DRAFT, S.SUBMITTED, S.SUPPLEMENT_REQUESTED], target=S.WITHDRAWN,
            label=_("Rút hồ sơ"), permission=is_applicant, guards=[_not_received],
        ),
        Transition("receive", source=[S.SUBMITTED], target=S.PROCESSING, label=_("Tiếp nhận"), permission=is_clerk),
        Transition(
            "request_supplement", source=[S.SUBMITTED, S.PROCESSING], target=S.SUPPLEMENT_REQUESTED,
            label=_("Yêu cầu bổ sung"), permission=is_clerk,
        ),
        Transition(
            "resubmit", source=[S.SUPPLEMENT_REQUESTED], target=S.SUBMITTED, label=_("Nộp bổ sung"),
            permission=is_applicant, guards=[_not_received],
        ),
        Transition(
            "resubmit_received", source=[S.SUPPLEMENT_REQUESTED], target=S.PROCESSING, label=_("Nộp bổ sung"),
            permission=is_applicant, guards=[_received],
        ),
        Transition(
            "refuse", source=[S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.PROCESSING], target=S.REFUSED,
            label=_("Từ chối"), permission=is_clerk,
        ),
        Transition("complete_step", source=[S.PROCESSING], target=S.PROCESSING, label=_("Hoàn thành bước xử lý")),
        Transition(
            "submit_for_approval", source=[S.PROCESSING], target=S.AWAITING_APPROVAL, label=_("Trình phê duyệt")
        ),
        Transition("approve", source=[S.AWAITING_APPROVAL], target=S.RESULT_READY, label=_("Phê duyệt")),
        Transition(
            "reject_approval", source=[S.AWAITING_APPROVAL], target=S.PROCESSING, label=_("Trả lại để xử lý lại")
        ),
        Transition(
            "return_result", source=[S.RESULT_READY], target=S.DONE, label=_("Trả kết quả"),
            permission=is_clerk, guards=[_fee_settled],
        ),
    ]

    @classmethod
    def after(cls, ctx) -> None:
        """Keep the statistics read model in step, in the transition's transaction (a no-op
        for a dossier not received yet)."""
        from .stats_store import stats_sync

        stats_sync(dossier=ctx.obj)
