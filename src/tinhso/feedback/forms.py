"""The report form of /phan-anh/gui/: reads the posted fields into the arguments of
``services.report_submit`` and maps the core's errors to the fields they concern. The core
validates everything (category, point, description, attributes, photos, contact); this module
only converts HTML inputs (attribute inputs ``attr-<code>``, a local ``datetime-local``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from tinhso.core.errors import DomainError

from .attributes import clean_definitions

ATTR_PREFIX = "attr-"
MAX_FIELD = 64 * 1024  # longer inputs are cut before reaching the core (which refuses them)

# Core field names (ValidationFailed.details["field"]) → the form's inputs.
FIELD_OF = {
    "service_code": "category", "category": "category", "lat": "location", "long": "location",
    "description": "description", "address_string": "address", "commune": "commune", "photos": "photos",
    "file": "photos", "contact_name": "contact_name", "contact_phone": "contact_phone",
    "contact_email": "contact_email",
}


@dataclass
class ReportInput:
    category: str = ""
    description: str = ""
    latitude: str = ""
    longitude: str = ""
    commune: str = ""
    address: str = ""
    attributes: dict = field(default_factory=dict)
    is_anonymous: bool = False
    show_name: bool = False
    contact: dict = field(default_factory=dict)
    key: str = ""
    approximate: bool = False  # the point was taken from the commune (no map)

    def submit_kwargs(self) -> dict:
        return {
            "category": self.category, "latitude": self.latitude or None, "longitude": self.longitude or None,
            "description": self.description, "address_string": self.address, "commune": self.commune or None,
            "attributes": self.attributes, "is_anonymous": self.is_anonymous,
            "show_name": self.show_name and not self.is_anonymous,
        }


def definitions(category) -> list[dict]:
    if category is None:
        return []
    try:
        return [d for d in clean_definitions(category.attributes) if d["variable"]]
    except DomainError:
        return []


def _local_datetime(value: str) -> str:
    """``2026-11-20T08:30`` (datetime-local, Vietnam time) → an aware ISO string."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment)
    return moment.isoformat()


def read_attributes(post, defs: list[dict]) -> dict:
    values: dict = {}
    for d in defs:
        name = ATTR_PREFIX + d["code"]
        if d["datatype"] == "multivaluelist":
            items = [v[:200] for v in post.getlist(name) if v]
            if items:
                values[d["code"]] = items
            continue
        raw = (post.get(name) or "").strip()[:MAX_FIELD]
        if raw:
            values[d["code"]] = _local_datetime(raw) if d["datatype"] == "datetime" else raw
    return values


def read(post, *, category=None) -> ReportInput:
    def text(name: str) -> str:
        return (post.get(name) or "")[:MAX_FIELD]

    return ReportInput(
        category=text("category").strip()[:60], description=post.get("description") or "",
        latitude=text("lat").strip()[:30], longitude=text("long").strip()[:30], commune=text("commune").strip()[:20],
        address=text("address"), attributes=read_attributes(post, definitions(category)),
        is_anonymous=post.get("anonymous") == "1", show_name=post.get("show_name") == "1",
        contact={k: text(f"contact_{k}").strip() for k in ("name", "phone", "email") if text(f"contact_{k}").strip()},
        key=text("idempotency_key").strip()[:100],
    )


def errors_of(exc: DomainError) -> tuple[dict[str, str], dict[str, str], str]:
    """(errors by form field, errors by attribute code, a general message) of a core error."""
    details = exc.details if isinstance(exc.details, dict) else {}
    message = str(exc.message)
    if exc.code == "invalid_attributes" and isinstance(details.get("fields"), dict):
        return {}, {str(k): str(v) for k, v in details["fields"].items()}, message
    if exc.code in ("location_required", "invalid_location", "outside_province"):
        return {"location": message}, {}, message
    if exc.code == "unknown_category":
        return {"category": message}, {}, message
    target = FIELD_OF.get(str(details.get("field") or ""))
    if target is None and exc.status in (413, 415):
        target = "photos"
    if target:
        return {target: message}, {}, message
    return {}, {}, message


def general_message() -> str:
    return _("Phản ánh chưa được gửi. Vui lòng sửa các mục được đánh dấu bên dưới.")
