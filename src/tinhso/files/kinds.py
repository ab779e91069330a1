"""The file kinds Tỉnh số accepts, and per-purpose rules (allowed kinds, size limit)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    extensions: tuple[str, ...]  # first one is used for the stored name
    content_type: str
    inline: bool = False  # may be shown in the browser (?inline=1)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("pdf", "PDF", ("pdf",), "application/pdf", inline=True),
        Kind("jpeg", "JPEG", ("jpg", "jpeg"), "image/jpeg", inline=True),
        Kind("png", "PNG", ("png",), "image/png", inline=True),
        Kind("docx", "DOCX", ("docx",),
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        Kind("xlsx", "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
}
ALL_KINDS: tuple[str, ...] = tuple(KINDS)


@dataclass(frozen=True)
class Purpose:
    name: str
    allowed_kinds: tuple[str, ...] = ALL_KINDS
    max_bytes: int | None = None  # None: settings.TINHSO_UPLOAD_MAX_BYTES


_PURPOSES: dict[str, Purpose] = {}


def register_purpose(name: str, *, allowed_kinds: tuple[str, ...] | list[str] = ALL_KINDS,
                     max_bytes: int | None = None) -> Purpose:
    """Declare the rules of a purpose (call from the owning app's ``AppConfig.ready``)."""
    unknown = set(allowed_kinds) - set(KINDS)
    if unknown:
        raise ValueError(f"Unknown file kinds: {sorted(unknown)}")
    purpose = Purpose(name, tuple(allowed_kinds), max_bytes)
    _PURPOSES[name] = purpose
    return purpose


def get_purpose(name: str) -> Purpose:
    """Rules for a purpose: the registry, then ``TINHSO_FILE_PURPOSES`` overrides from settings
    (``{"avatar": {"allowed_kinds": ["jpeg", "png"], "max_bytes": 2000000}}``)."""
    base = _PURPOSES.get(name, Purpose(name))
    override = (getattr(settings, "TINHSO_FILE_PURPOSES", None) or {}).get(name) or {}
    if override:
        return Purpose(name, tuple(override.get("allowed_kinds", base.allowed_kinds)),
                       override.get("max_bytes", base.max_bytes))
    return base


register_purpose("general")
register_purpose("avatar", allowed_kinds=("jpeg", "png"), max_bytes=2 * 1024 * 1024)
register_purpose("dossier_document")
