"""Baseline endpoints for the benchmarks (bench/), mounted at /bench/ only when
``settings.TINHSO_BENCH_ENDPOINTS`` is true (never in a normal installation).

* ``GET /bench/constant`` — a constant JSON object: the cost of the stack itself (gunicorn,
  middleware, JSON response) next to which the public tracking lookup is measured.
* ``POST /bench/bare-insert`` — the same JSON body as ``POST /api/v1/dossiers``
  (``procedure_code``, ``agency``, ``form_data``) with the same bearer token, and only the bare
  inserts of a submission, in one transaction: the dossier row (status submitted), its
  transition-log row and the applicant's notification rows (in-app and e-mail outbox). No
  validation, no code counter, no audit chain, no lookup of the officials to notify, no broker
  message: the floor a real submission is compared with.

Writes here bypass ``services.py`` on purpose (they are the measuring stick, not a feature).
"""

from __future__ import annotations

import json
import uuid

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

CONSTANT = {"status": "ok", "service": "tinhso", "bench": True}


@require_GET
def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse(CONSTANT)


def _bearer_user(request: HttpRequest):
    from tinhso.accounts.auth import ApiTokenAuth

    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    return ApiTokenAuth().authenticate(request, token.strip()) and request.user


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> JsonResponse:
    from django.contrib.contenttypes.models import ContentType

    from tinhso.dossiers.models import Dossier
    from tinhso.notify.models import Notification
    from tinhso.orgs.models import Agency
    from tinhso.procedures.models import Procedure
    from tinhso.workflow.models import TransitionLog

    user = _bearer_user(request)
    if user is None:
        return JsonResponse({"error": {"code": "not_authenticated", "message": "", "details": None}}, status=401)
    try:
        body = json.loads(request.body or b"{}")
        procedure = Procedure.objects.get(code=str(body["procedure_code"]))
        agency = Agency.objects.get(public_id=uuid.UUID(str(body["agency"])))
    except (ValueError, KeyError, TypeError, Procedure.DoesNotExist, Agency.DoesNotExist):
        return JsonResponse({"error": {"code": "bad_request", "message": "", "details": None}}, status=400)
    now = timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.create(procedure=procedure, applicant=user, agency=agency, status="submitted",
                                         form_data=body.get("form_data") or {}, submitted_at=now)
        content_type = ContentType.objects.get_for_model(Dossier)
        TransitionLog.objects.create(content_type=content_type, object_id=str(dossier.pk), flow="dossier",
                                     transition="submit", from_state="draft", to_state="submitted", actor=user,
                                     at=now, data={})
        Notification.objects.bulk_create([
            Notification(recipient=user, channel=channel, event="dossier.submitted", subject="Hồ sơ đã được nộp",
                         body=procedure.name, url=f"/ho-so/{dossier.public_id}/", content_type=content_type,
                         object_id=str(dossier.pk), status=status, sent_at=now if status == "sent" else None,
                         dedupe_key=f"bench:{dossier.pk}:{channel}")
            for channel, status in (("in_app", "sent"), ("email", "pending"))
            if channel == "in_app" or user.email
        ])
    return JsonResponse({"id": str(dossier.public_id)}, status=201)


urlpatterns = [
    path("constant", constant, name="constant"),
    path("bare-insert", bare_insert, name="bare_insert"),
]
