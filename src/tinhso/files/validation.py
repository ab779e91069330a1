"""Content-based validation of uploads: magic bytes, allow-list, extension match, OOXML checks.

Nothing here trusts what the client declares (content type, size header, file name): the kind is
detected from the bytes, the file name only has to agree with it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from tinhso.core.errors import TooLarge, UnsupportedMedia, ValidationFailed
from tinhso.files.kinds import KINDS

CHUNK = 64 * 1024
HEAD_BYTES = 8 * 1024
MARKUP_SCAN_BYTES = 4 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Markup or script that a browser might render if it ever sniffed the file: never in an upload.
MARKUP_MARKERS = (b"<script", b"<html", b"<!doctype html", b"<svg", b"<iframe", b"<body", b"<?php",
                  b"javascript:", b"<object", b"<embed")
# Active content in a PDF (names may sit in uncompressed dictionaries only; see docs/files.md).
PDF_ACTIVE = re.compile(rb"/(?:JavaScript|JS|Launch)(?![A-Za-z0-9])")

ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL_BYTES = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_MIN_BYTES = 64 * 1024  # tiny members may compress well without being a bomb
NESTED_MAGIC = (
    b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08",  # zip (docx/xlsx/jar…)
    b"7z\xbc\xaf\x27\x1c", b"Rar!\x1a\x07", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"MSCF",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE compound file: VBA projects, embedded objects
    b"MZ",  # Windows executable
    b"\x7fELF",
)
NESTED_EXTENSIONS = frozenset(
    "zip jar rar 7z gz tgz bz2 xz cab iso docx docm xlsx xlsm xlsb pptx pptm odt ods "
    "exe dll msi com scr bat cmd ps1 vbs js jse wsf hta sh".split()
)
OOXML_MAIN = {
    "docx": (b"wordprocessingml.document.main+xml", "word/"),
    "xlsx": (b"spreadsheetml.sheet.main+xml", "xl/"),
}


@dataclass(frozen=True)
class Inspection:
    kind: str
    name: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return KINDS[self.kind].content_type


def format_message(allowed_kinds) -> str:
    labels = ", ".join(KINDS[k].label for k in allowed_kinds)
    return _("Tệp không đúng định dạng cho phép (%(kinds)s).") % {"kinds": labels}


def size_label(n: int) -> str:
    mb = n / (1024 * 1024)
    return f"{mb:.0f} MB" if mb >= 1 else f"{max(1, n // 1024)} KB"


def sanitise_filename(name: str, *, max_length: int = 150) -> str:
    """A display name safe for headers and file systems: no path, no control or bidi characters,
    NFC-normalised (Vietnamese letters kept), at most ``max_length`` characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\t\n\r\v\f]", " ", name)
    # Category C: control, format (incl. bidi overrides like U+202E), surrogates, private use.
    name = "".join(ch for ch in name if not unicodedata.category(ch).startswith("C"))
    name = re.sub(r'[<>:"|?*;]', "", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext.lower().strip()
    if len(ext) > 10:
        stem, ext = name, ""
    stem = stem.strip(" .") or "tep"
    room = max_length - (len(ext) + 1 if ext else 0)
    stem = stem[:room].rstrip(" .") or "tep"
    return f"{stem}.{ext}" if ext else stem


def extension_of(name: str) -> str:
    _stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot else ""


def _detect(head: bytes) -> str | None:
    """The kind the first bytes announce: 'pdf', 'jpeg', 'png', 'ooxml' (zip), or None."""
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    if head.startswith(b"%PDF-"):
        return "pdf" if mime == "application/pdf" else None
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg" if mime == "image/jpeg" else None
    if head.startswith(PNG_SIGNATURE) and head[12:16] == b"IHDR":
        return "png" if mime == "image/png" else None
    if head.startswith(b"PK\x03\x04"):
        zipish = {None, "application/zip", KINDS["docx"].content_type, KINDS["xlsx"].content_type}
        return "ooxml" if mime in zipish else None
    return None


def _unsafe_member_name(name: str) -> bool:
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return True
    parts = name.split("/")
    return any(part in ("..", ".") for part in parts) or any(p == "" for p in parts[:-1])


def _inspect_ooxml(fileobj: IO[bytes]) -> str:
    """Check an OOXML package as a zip and return 'docx' or 'xlsx'; raise on anything suspicious."""
    bad = _("Tệp Office bị hỏng hoặc không hợp lệ.")
    bomb = _("Tệp nén có dung lượng giải nén bất thường (nghi zip bomb), không được chấp nhận.")
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
            if not infos or len(infos) > ZIP_MAX_MEMBERS:
                raise ValidationFailed(_("Tệp nén có quá nhiều thành phần."), code="zip_members")
            names: set[str] = set()
            total = 0
            for info in infos:
                name = info.filename
                if _unsafe_member_name(name):
                    raise ValidationFailed(_("Tệp nén chứa đường dẫn không an toàn."), code="zip_path")
                if name in names:
                    raise ValidationFailed(bad, code="zip_duplicate")
                names.add(name)
                if info.flag_bits & 0x1:
                    raise ValidationFailed(_("Tệp được mã hóa hoặc đặt mật khẩu, không được chấp nhận."),
                                           code="zip_encrypted")
                base = name.rsplit("/", 1)[-1].lower()
                if base == "vbaproject.bin" or base.endswith(".bin") and "vba" in base:
                    raise UnsupportedMedia(_("Tệp chứa macro, không được chấp nhận."), code="macro")
                if extension_of(base) in NESTED_EXTENSIONS:
                    raise UnsupportedMedia(_("Tệp chứa tệp nén hoặc tệp chạy được bên trong, không được chấp nhận."),
                                           code="zip_nested")
                total += info.file_size
                if total > ZIP_MAX_TOTAL_BYTES or (
                    info.file_size > ZIP_RATIO_MIN_BYTES
                    and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1)
                ):
                    raise ValidationFailed(bomb, code="zip_bomb")
            if min(info.header_offset for info in infos) != 0:
                raise ValidationFailed(bad, code="zip_prefix")  # data hidden before the archive
            if "[Content_Types].xml" not in names:
                raise ValidationFailed(bad, code="ooxml_no_types")
            with zf.open("[Content_Types].xml") as f:
                content_types = f.read(1024 * 1024).lower()
            if b"macroenabled" in content_types or b"vbaproject" in content_types:
                raise UnsupportedMedia(_("Tệp chứa macro, không được chấp nhận."), code="macro")
            kind = None
            for candidate, (main_type, folder) in OOXML_MAIN.items():
                if main_type in content_types and any(n.startswith(folder) for n in names):
                    kind = candidate
            if kind is None:
                raise ValidationFailed(bad, code="ooxml_unknown")
            # Decompress everything (bounded by the sizes checked above): verifies every CRC and
            # finds archives or executables hidden under innocent names.
            for info in infos:
                if info.is_dir():
                    continue
                produced = 0
                with zf.open(info) as member:
                    first = member.read(16)
                    lowered = info.filename.lower()
                    if not lowered.endswith((".xml", ".rels")) and first.startswith(NESTED_MAGIC):
                        raise UnsupportedMedia(
                            _("Tệp chứa tệp nén hoặc tệp chạy được bên trong, không được chấp nhận."),
                            code="zip_nested",
                        )
                    produced += len(first)
                    while chunk := member.read(CHUNK):
                        produced += len(chunk)
                        if produced > info.file_size:
                            raise ValidationFailed(bomb, code="zip_bomb")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError,
            OSError, ValueError) as exc:
        raise ValidationFailed(bad, code="zip_corrupt") from exc
    return kind


def inspect_upload(uploaded: UploadedFile, *, allowed_kinds, max_bytes: int | None = None) -> Inspection:
    """Validate an upload and return what it really is. Raises ValidationFailed, TooLarge or
    UnsupportedMedia with a Vietnamese message; reads at most ``max_bytes`` (+1 chunk)."""
    allowed_kinds = tuple(allowed_kinds)
    limit = max_bytes or settings.TINHSO_UPLOAD_MAX_BYTES
    too_large = _("Tệp quá lớn: dung lượng tối đa là %(size)s.") % {"size": size_label(limit)}
    empty = _("Tệp rỗng, vui lòng chọn tệp khác.")
    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > limit:
        raise TooLarge(too_large)
    if declared == 0:
        raise ValidationFailed(empty, code="empty")

    name = sanitise_filename(getattr(uploaded, "name", "") or "")
    ext = extension_of(name)
    allowed_exts = {e for k in allowed_kinds for e in KINDS[k].extensions}
    if ext not in allowed_exts:
        raise UnsupportedMedia(format_message(allowed_kinds))

    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    pdf_active = False
    carry = b""
    for chunk in uploaded.chunks(CHUNK):
        size += len(chunk)
        if size > limit:  # the declared size may lie
            raise TooLarge(too_large)
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        tail = (tail + chunk)[-4096:]
        window = carry + chunk
        if PDF_ACTIVE.search(window):
            pdf_active = True
        carry = window[-16:]
    if size == 0:
        raise ValidationFailed(empty, code="empty")

    detected = _detect(head)
    if detected == "ooxml":
        if not {"docx", "xlsx"} & set(allowed_kinds):
            raise UnsupportedMedia(format_message(allowed_kinds))
        detected = _inspect_ooxml(uploaded)
    if detected is None or detected not in allowed_kinds:
        raise UnsupportedMedia(format_message(allowed_kinds))
    lowered_head = head[:MARKUP_SCAN_BYTES].lower()
    if any(marker in lowered_head for marker in MARKUP_MARKERS):
        raise UnsupportedMedia(_("Tệp chứa mã HTML hoặc mã lệnh (script), không được chấp nhận."),
                               code="markup")
    kind = KINDS[detected]
    if ext not in kind.extensions:
        raise UnsupportedMedia(
            _("Phần mở rộng .%(ext)s không khớp với nội dung tệp (%(kind)s).") % {"ext": ext, "kind": kind.label},
            code="extension_mismatch",
        )
    if detected == "pdf":
        if b"%%EOF" not in tail:
            raise ValidationFailed(_("Tệp PDF bị hỏng hoặc không đầy đủ."), code="pdf_truncated")
        if pdf_active:
            raise UnsupportedMedia(_("Tệp PDF chứa mã lệnh (JavaScript), không được chấp nhận."),
                                   code="pdf_active")
    uploaded.seek(0)
    return Inspection(kind=detected, name=name, size=size, sha256=digest.hexdigest())
