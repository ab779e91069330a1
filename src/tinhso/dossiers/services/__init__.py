"""Every write on dossiers (a package: ``_base`` helpers, ``submission``, ``desk``, ``processing``,
``fees``; import from here). Each public function is one transaction: it locks the dossier row,
checks who may act, fires the state machine (which writes the TransitionLog and the audit event)
and enqueues notifications to the applicant and the officials who act next.

See docs/dossiers.md for the lifecycle, the deadline rules and the fee rule.
"""

from __future__ import annotations

from ._base import (
    DOCUMENT_PURPOSE,
    EDITABLE,
    FEE_PURPOSE,
    LEADER,
    MAX_FORM_BYTES,
    MAX_KEY_LENGTH,
    RESULT_PURPOSE,
    officials_with_role,
    receiving_agencies_for,
    validate_form,
)
from .desk import (
    dossier_receive,
    dossier_refuse,
    dossier_request_supplement,
    dossier_resubmit,
    dossier_withdraw,
)
from .fees import compute_dossier_fee, dossier_fee_record_at_counter, on_fee_paid
from .processing import (
    dossier_apologise,
    dossier_approve,
    dossier_assign,
    dossier_assign_bulk,
    dossier_rate,
    dossier_reject_approval,
    dossier_return_result,
    dossier_step_complete,
    dossiers_mark_overdue,
)
from .submission import (
    NUMBERED_FIELDS,
    dossier_attach,
    dossier_create_and_submit,
    dossier_record_at_counter,
    dossier_save_draft,
    dossier_submit,
)

__all__ = [
    "DOCUMENT_PURPOSE",
    "EDITABLE",
    "FEE_PURPOSE",
    "LEADER",
    "MAX_FORM_BYTES",
    "MAX_KEY_LENGTH",
    "NUMBERED_FIELDS",
    "RESULT_PURPOSE",
    "compute_dossier_fee",
    "dossier_apologise",
    "dossier_approve",
    "dossier_assign",
    "dossier_assign_bulk",
    "dossier_attach",
    "dossier_create_and_submit",
    "dossier_fee_record_at_counter",
    "dossier_rate",
    "dossier_receive",
    "dossier_record_at_counter",
    "dossier_refuse",
    "dossier_reject_approval",
    "dossier_request_supplement",
    "dossier_resubmit",
    "dossier_return_result",
    "dossier_save_draft",
    "dossier_step_complete",
    "dossier_submit",
    "dossier_withdraw",
    "dossiers_mark_overdue",
    "officials_with_role",
    "on_fee_paid",
    "receiving_agencies_for",
    "validate_form",
]
