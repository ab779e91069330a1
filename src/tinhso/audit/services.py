"""Recording audit events: the only way rows enter the audit chain."""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from tinhso.audit.hashing import compute_hash, normalise_ip, normalise_json
from tinhso.audit.models import AuditChainHead, AuditEvent
from tinhso.core.http import client_ip, user_agent

REDACTED_WORDS = frozenset(
    {"password", "passwd", "pwd", "token", "otp", "secret", "pin", "cvv", "apikey", "authorization", "cookie"}
)
# Substrings long enough never to hit innocent keys ("newpassword", "accesstoken").
REDACTED_SUBSTRINGS = ("password", "passwd", "token", "secret", "apikey", "api_key")

SYSTEM_ACTOR = "system"
# Parallel hash chains (settings.TINHSO_AUDIT_CHAINS): enough for the threads of a few app
# workers to append without queueing on one head row.
DEFAULT_CHAINS = 8
MAX_CHAINS = 64


def _is_secret_key(key: str) -> bool:
    text = str(key)
    lowered = text.lower()
    if any(part in lowered for part in REDACTED_SUBSTRINGS):
        return True
    # "otpCode", "otp_code", "sms-otp" → words; "footprint" is not an OTP.
    words = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text).lower())
    return any(word in REDACTED_WORDS for word in words)


def strip_secrets(value: Any) -> Any:
    """Drop every key that looks like a secret (passwords, tokens, OTPs), at any depth."""
    if isinstance(value, dict):
        return {k: strip_secrets(v) for k, v in value.items() if not _is_secret_key(k)}
    if isinstance(value, list | tuple):
        return [strip_secrets(v) for v in value]
    return value


def _actor_repr(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return SYSTEM_ACTOR
    name = getattr(actor, "full_name", "") or actor.get_username() or ""
    public_id = getattr(actor, "public_id", None) or actor.pk
    return f"{name} [{public_id}]"[:250]


def chain_count() -> int:
    return max(1, min(int(getattr(settings, "TINHSO_AUDIT_CHAINS", DEFAULT_CHAINS)), MAX_CHAINS))


def current_chain() -> int:
    """The chain this thread appends to (1…N): fixed per process and thread, so a transaction
    only ever locks one chain head (no lock-order deadlock), and concurrent requests served by
    different threads or processes mostly lock different heads."""
    count = chain_count()
    if count == 1:
        return 1
    key = f"{os.getpid()}:{threading.get_ident()}".encode()
    return 1 + int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "big") % count


def _lock_head(chain: int) -> AuditChainHead:
    """Lock the head row of ``chain`` (creating it if missing) for the rest of the transaction."""
    head = AuditChainHead.objects.select_for_update().filter(pk=chain).first()
    if head is None:
        # ON CONFLICT DO NOTHING: a concurrent creator wins and we wait for it, then lock.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=chain)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=chain)
    return head


def record_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    details: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEvent:
    """Append one event to the audit chain.

    Call it inside the transaction of the change it records, preferably as the last step: the
    head of the thread's chain stays locked until that transaction ends, so appends to one chain
    are serialised.
    """
    if not action or len(action) > 100:
        raise ValueError("An audit action is a non-empty string of at most 100 characters.")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None  # AnonymousUser
    values: dict[str, Any] = {
        "public_id": uuid.uuid4(),
        "occurred_at": timezone.now(),
        "actor_repr": _actor_repr(actor),
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk)[:64] if obj is not None and obj.pk is not None else "",
        "object_repr": str(obj)[:250] if obj is not None else "",
        "ip": normalise_ip(client_ip(request)),
        "user_agent": user_agent(request)[:300],
        "details": normalise_json(strip_secrets(details or {})),
    }
    # No savepoint of its own: an append that fails must roll back the caller's change anyway.
    with transaction.atomic(savepoint=False):
        chain = current_chain()
        head = _lock_head(chain)
        values["chain"] = chain
        values["seq"] = head.last_seq + 1
        prev_hash = head.last_hash
        digest = compute_hash(values, prev_hash)
        event = AuditEvent(actor=actor, prev_hash=prev_hash, hash=digest, **values)
        event.save(force_insert=True)
        head.last_seq = values["seq"]
        head.last_hash = digest
        head.save(update_fields=["last_seq", "last_hash"])
    return event
