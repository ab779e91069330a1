"""Hooks the dossiers app registers with building blocks: who may read dossier files, and the
"my dossiers" section of the citizen's page."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from tinhso.core.errors import NotFound


def can_read_dossier_file(user, file) -> bool:
    """A document or result file attached to a dossier: its applicant and scoped officials."""
    from .models import Dossier
    from .selectors import dossier_get_for_viewer

    if file.attached_type_id != ContentType.objects.get_for_model(Dossier).pk or not file.attached_id:
        return False
    dossier = Dossier.objects.filter(pk=file.attached_id).only("public_id").first()
    if dossier is None:
        return False
    try:
        dossier_get_for_viewer(user=user, public_id=dossier.public_id)
    except NotFound:
        return False
    return True


def my_page_context(request) -> dict | None:
    from .selectors import dossiers_of_applicant

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return {"dossiers": list(dossiers_of_applicant(user=user)[:5])}
