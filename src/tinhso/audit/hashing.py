"""Canonical form and hash of an audit event (shared by recording and verification)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

# The fields covered by the hash, besides prev_hash. actor_id is deliberately absent: it is
# nulled when a user is deleted, while actor_repr keeps who acted.
HASHED_FIELDS = (
    "seq",
    "public_id",
    "occurred_at",
    "actor_repr",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "ip",
    "user_agent",
    "details",
)


def normalise_json(value: Any) -> Any:
    """The value exactly as it will come back from a JSON column (UUIDs, dates → strings)."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def normalise_ip(value: str | None) -> str | None:
    """A canonical text form of an IP address that PostgreSQL's inet and SQLite both return unchanged."""
    if not value:
        return None
    try:
        addr = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    return addr.compressed


def _iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def canonical_payload(values: dict[str, Any], prev_hash: str) -> str:
    payload = {name: values[name] for name in HASHED_FIELDS}
    # The chain number is covered from chain 2 on; chain 1 keeps the original form (no "chain"
    # key), so trails written before there were several chains still verify.
    chain = int(values.get("chain") or 1)
    if chain != 1:
        payload["chain"] = chain
    payload["seq"] = int(payload["seq"])
    payload["public_id"] = str(payload["public_id"])
    payload["occurred_at"] = _iso_utc(payload["occurred_at"])
    payload["ip"] = payload["ip"] or None
    payload["prev_hash"] = prev_hash or ""
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def compute_hash(values: dict[str, Any], prev_hash: str) -> str:
    return hashlib.sha256(canonical_payload(values, prev_hash).encode("utf-8")).hexdigest()


def event_hash(event) -> str:
    """Recompute the hash of a stored event from its fields."""
    values = {name: getattr(event, name) for name in HASHED_FIELDS}
    values["chain"] = event.chain
    return compute_hash(values, event.prev_hash)
