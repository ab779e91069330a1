"""The one write of the Open311 API: a service request becomes a field report.

The report is filed through the core (``services.report_submit``) without a reporter account
(the person is only a contact, never shown publicly), on the channel ``open311``, with
idempotency keys scoped to the API client. The same transaction appends the audit event
``open311.request`` naming the API client (the token's account and the token's public id), so
every report sent by a machine can be traced to the key that sent it.
"""

from __future__ import annotations

from django.db import transaction

from tinhso.audit.services import record_event

from .. import services as core
from ..models import Channel, Report
from .auth import idempotency_scope


def request_submit(*, client, service_code: str, latitude, longitude, description: str, address_string: str = "",
                   address_id: str | None = None, attributes: dict | None = None, contact: dict | None = None,
                   media_url: str = "", idempotency_key: str | None = None, request=None) -> Report:
    """File the report for the API client ``client`` (an ``ApiToken`` with the ``open311``
    scope). Raises the core's errors (ValidationFailed …); nothing is stored then."""
    scope = idempotency_scope(client)
    key = (idempotency_key or "").strip() or None
    with transaction.atomic():
        replay = bool(key) and Report.objects.filter(idempotency_scope=scope, idempotency_key=key).exists()
        report = core.report_submit(
            reporter=None, category=service_code, latitude=latitude, longitude=longitude, description=description,
            address_string=address_string, commune=address_id, attributes=attributes, contact=contact,
            media_url=media_url, channel=Channel.OPEN311, idempotency_key=key, idempotency_scope=scope,
            request=request,
        )
        if not replay:
            record_event(actor=client.user, action="open311.request", obj=report, request=request,
                         details={"token": str(client.public_id), "code": report.code})
    return report
