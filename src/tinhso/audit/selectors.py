"""Reading the audit trail."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import NotAllowed


def can_view_audit(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and (user.is_superuser or user.has_perm("audit.view_auditevent"))
    )


def object_history(*, obj: models.Model) -> QuerySet[AuditEvent]:
    """Every event about ``obj``, newest first.

    No permission check: for apps that already decided the viewer may see ``obj`` (e.g. a
    dossier's history shown to the official processing it).
    """
    return (
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .select_related("actor")
        .order_by("-id")
    )


def audit_event_list_for_object(*, user, obj: models.Model) -> QuerySet[AuditEvent]:
    """Events about ``obj`` for an auditor or system administrator; others get NotAllowed."""
    if not can_view_audit(user):
        raise NotAllowed(_("Bạn không có quyền xem nhật ký kiểm toán."))
    return object_history(obj=obj)
