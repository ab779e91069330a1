"""Uploads are judged by their bytes: the attack corpus is refused with a clear Vietnamese
message and leaves nothing behind; real small files of every allowed kind are accepted."""

import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tinhso.audit.models import AuditEvent
from tinhso.core.errors import TooLarge, UnsupportedMedia, ValidationFailed
from tinhso.files.models import StoredFile
from tinhso.files.services import file_upload
from tinhso.files.validation import sanitise_filename

from . import samples

pytestmark = pytest.mark.django_db

FORMAT = "Tệp không đúng định dạng cho phép (PDF, JPEG, PNG, DOCX, XLSX)."
MARKUP = "Tệp chứa mã HTML hoặc mã lệnh (script), không được chấp nhận."
BOMB = "Tệp nén có dung lượng giải nén bất thường (nghi zip bomb), không được chấp nhận."
MACRO = "Tệp chứa macro, không được chấp nhận."
NESTED = "Tệp chứa tệp nén hoặc tệp chạy được bên trong, không được chấp nhận."
BROKEN_OFFICE = "Tệp Office bị hỏng hoặc không hợp lệ."


def upload(owner, name, content, **kwargs):
    # The client-declared content type is a lie on purpose: it must not matter.
    return file_upload(owner=owner, uploaded=SimpleUploadedFile(name, content, content_type="application/pdf"),
                       purpose=kwargs.pop("purpose", "general"), **kwargs)


ATTACKS = [
    pytest.param("thu-moi.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", UnsupportedMedia, FORMAT,
                 id="html-renamed-pdf"),
    pytest.param("anh.png", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
                 b"<script>alert(1)</script></svg>", UnsupportedMedia, FORMAT, id="svg-with-script-as-png"),
    pytest.param("anh.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', UnsupportedMedia, FORMAT, id="svg"),
    pytest.param("trang.html", b"<html></html>", UnsupportedMedia, FORMAT, id="html"),
    pytest.param("gif-html.pdf", b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(1)</script>",
                 UnsupportedMedia, FORMAT, id="gif-header-html-as-pdf"),
    pytest.param("jpeg-html.pdf", samples.jpeg()[:20] + b"<html><script>alert(1)</script>", UnsupportedMedia,
                 MARKUP, id="jpeg-header-html-as-pdf"),
    pytest.param("jpeg-script.jpg", samples.jpeg()[:20] + b"<script>alert(1)</script>" + samples.jpeg()[20:],
                 UnsupportedMedia, MARKUP, id="jpeg-polyglot-script"),
    pytest.param("pdf-html.pdf", b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF",
                 UnsupportedMedia, MARKUP, id="pdf-header-html-polyglot"),
    pytest.param("js.pdf", samples.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript "
                                                 b"/JS (app.alert(1)) >>"),
                 UnsupportedMedia, "Tệp PDF chứa mã lệnh (JavaScript), không được chấp nhận.", id="pdf-javascript"),
    pytest.param("cut.pdf", samples.pdf()[:-10], ValidationFailed, "Tệp PDF bị hỏng hoặc không đầy đủ.",
                 id="truncated-pdf"),
    pytest.param("zip-bomb.docx", samples.zip_bomb_docx(), ValidationFailed, BOMB, id="zip-bomb-docx"),
    pytest.param("ratio.docx", samples.ratio_bomb_docx(), ValidationFailed, BOMB, id="high-ratio-member"),
    pytest.param("lying.docx", samples.lying_size_docx(), ValidationFailed, BROKEN_OFFICE, id="lying-member-size"),
    pytest.param("empty.pdf", b"", ValidationFailed, "Tệp rỗng, vui lòng chọn tệp khác.", id="empty"),
    pytest.param("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", UnsupportedMedia, FORMAT,
                 id="path-traversal-no-extension"),
    pytest.param("invoice.pdf.exe", samples.pdf(), UnsupportedMedia, FORMAT, id="double-extension-exe"),
    pytest.param("invoice\u202efdp.exe", samples.pdf(), UnsupportedMedia, FORMAT, id="rtl-override-exe"),
    pytest.param("a.exe.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, UnsupportedMedia, FORMAT,
                 id="double-extension-exe-content"),
    pytest.param("anh.png", samples.jpeg(), UnsupportedMedia, "Phần mở rộng .png không khớp với nội dung tệp (JPEG).",
                 id="jpeg-named-png"),
    pytest.param("bang.xlsx", samples.docx(), UnsupportedMedia,
                 "Phần mở rộng .xlsx không khớp với nội dung tệp (DOCX).", id="docx-named-xlsx"),
    pytest.param("macro.docx", samples.docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64}),
                 UnsupportedMedia, MACRO, id="docx-with-vbaproject"),
    pytest.param("macro.docx", samples.ooxml({"[Content_Types].xml": samples.DOCM_TYPES, "_rels/.rels": samples.RELS,
                                              "word/document.xml": samples.DOCUMENT}),
                 UnsupportedMedia, MACRO, id="docm-renamed-docx"),
    pytest.param("nested.docx", samples.docx(**{"word/embeddings/sheet.xlsx": samples.xlsx()}), UnsupportedMedia,
                 NESTED, id="nested-archive-by-name"),
    pytest.param("hidden.docx", samples.docx(**{"word/media/image1.png": samples.docx()}), UnsupportedMedia,
                 NESTED, id="nested-archive-by-content"),
    pytest.param("ole.docx", samples.docx(**{"word/embeddings/oleObject1.bin":
                                             b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64}),
                 UnsupportedMedia, NESTED, id="embedded-ole-object"),
    pytest.param("trav.docx", samples.docx(**{"../../evil.xml": b"<x/>"}), ValidationFailed,
                 "Tệp nén chứa đường dẫn không an toàn.", id="zip-member-path-traversal"),
    pytest.param("abs.docx", samples.docx(**{"/etc/cron.d/x": b"* * * * * root sh"}), ValidationFailed,
                 "Tệp nén chứa đường dẫn không an toàn.", id="zip-member-absolute-path"),
    pytest.param("locked.docx", samples.encrypted_member_docx(), ValidationFailed,
                 "Tệp được mã hóa hoặc đặt mật khẩu, không được chấp nhận.", id="encrypted-members"),
    pytest.param("many.docx", samples.docx(**{f"word/p{i}.xml": b"<p/>" for i in range(1001)}), ValidationFailed,
                 "Tệp nén có quá nhiều thành phần.", id="too-many-members"),
    pytest.param("plain.docx", samples.ooxml({"a.txt": b"hello"}), ValidationFailed, BROKEN_OFFICE,
                 id="zip-without-content-types"),
    pytest.param("broken.docx", samples.docx()[:200], ValidationFailed, BROKEN_OFFICE, id="truncated-zip"),
    pytest.param("prefixed.docx", b"PK\x03\x04" + b"<html>" + samples.docx(), ValidationFailed, BROKEN_OFFICE,
                 id="data-before-zip"),
]


@pytest.mark.parametrize(("name", "content", "error", "message"), ATTACKS)
def test_attack_is_refused_and_nothing_is_stored(owner, media_files, name, content, error, message):
    with pytest.raises(error) as excinfo:
        upload(owner, name, content)
    assert str(excinfo.value.message) == message
    assert StoredFile.objects.count() == 0
    assert media_files() == []
    assert not AuditEvent.objects.filter(action="file.upload").exists()


def test_oversize_file_is_refused_before_reading(owner, media_files, settings):
    settings.TINHSO_UPLOAD_MAX_BYTES = 200
    with pytest.raises(TooLarge) as excinfo:
        upload(owner, "lon.pdf", samples.pdf())
    assert excinfo.value.message == "Tệp quá lớn: dung lượng tối đa là 1 KB."
    assert excinfo.value.status == 413
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_declared_size_that_lies_is_not_trusted(owner, media_files, settings):
    settings.TINHSO_UPLOAD_MAX_BYTES = 200
    uploaded = SimpleUploadedFile("lon.pdf", samples.pdf())
    uploaded.size = 10  # a lying client / handler
    with pytest.raises(TooLarge):
        file_upload(owner=owner, uploaded=uploaded, purpose="general")
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_per_purpose_and_per_call_limits(owner, media_files):
    big_png = samples.png() + b"\x00" * (3 * 1024 * 1024)
    with pytest.raises(TooLarge) as excinfo:
        upload(owner, "anh.png", big_png, purpose="avatar")
    assert excinfo.value.message == "Tệp quá lớn: dung lượng tối đa là 2 MB."
    with pytest.raises(UnsupportedMedia) as excinfo:
        upload(owner, "don.pdf", samples.pdf(), purpose="avatar")
    assert excinfo.value.message == "Tệp không đúng định dạng cho phép (JPEG, PNG)."
    with pytest.raises(UnsupportedMedia):
        upload(owner, "don.pdf", samples.pdf(), allowed_kinds=["png"])
    with pytest.raises(TooLarge):
        upload(owner, "don.pdf", samples.pdf(), max_bytes=100)
    assert StoredFile.objects.count() == 0 and media_files() == []


def test_purpose_rules_can_be_overridden_in_settings(owner, settings):
    settings.TINHSO_FILE_PURPOSES = {"general": {"allowed_kinds": ["pdf"]}}
    with pytest.raises(UnsupportedMedia) as excinfo:
        upload(owner, "anh.png", samples.png())
    assert excinfo.value.message == "Tệp không đúng định dạng cho phép (PDF)."


VALID = [
    pytest.param("Đơn đề nghị.pdf", samples.pdf(), "pdf", "application/pdf", id="pdf"),
    pytest.param("ảnh chân dung.JPG", samples.jpeg(), "jpeg", "image/jpeg", id="jpeg"),
    pytest.param("sơ đồ.jpeg", samples.jpeg(), "jpeg", "image/jpeg", id="jpeg-long-extension"),
    pytest.param("bản đồ.png", samples.png(), "png", "image/png", id="png"),
    pytest.param("Tờ trình.docx", samples.docx(), "docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document", id="docx"),
    pytest.param("Bảng kê.xlsx", samples.xlsx(), "xlsx",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", id="xlsx"),
]


@pytest.mark.parametrize(("name", "content", "kind", "content_type"), VALID)
def test_valid_file_is_stored_privately(owner, media_files, name, content, kind, content_type):
    import hashlib

    stored = upload(owner, name, content)
    stored.refresh_from_db()
    assert stored.kind == kind
    assert stored.content_type == content_type
    assert stored.size == len(content)
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.original_name == sanitise_filename(name)
    assert stored.owner == owner and stored.purpose == "general"
    # Random name under YYYY/MM/, nothing taken from the user's file name.
    parts = stored.storage_name.split("/")
    assert len(parts) == 3 and len(parts[0]) == 4 and len(parts[1]) == 2
    assert name.rsplit(".", 1)[0] not in stored.storage_name
    files = media_files()
    assert len(files) == 1 and files[0].read_bytes() == content
    event = AuditEvent.objects.get(action="file.upload")
    assert event.object_id == str(stored.pk) and event.actor == owner
    assert event.details["sha256"] == stored.sha256


def test_path_is_stripped_from_an_accepted_name(owner):
    stored = upload(owner, "../../../../etc/don.pdf", samples.pdf())
    assert stored.original_name == "don.pdf"
    stored = upload(owner, "C:\\Users\\a\\Desktop\\đơn.pdf", samples.pdf())
    assert stored.original_name == "đơn.pdf"


def test_unicode_name_is_nfc_and_keeps_vietnamese(owner):
    nfd = unicodedata.normalize("NFD", "Giấy khai sinh – Nguyễn Thị Ánh.pdf")
    stored = upload(owner, nfd, samples.pdf())
    assert stored.original_name == "Giấy khai sinh – Nguyễn Thị Ánh.pdf"
    assert unicodedata.is_normalized("NFC", stored.original_name)


def test_same_name_twice_gets_two_storage_names(owner, media_files):
    a = upload(owner, "don.pdf", samples.pdf())
    b = upload(owner, "don.pdf", samples.pdf())
    assert a.storage_name != b.storage_name
    assert len(media_files()) == 2


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\a.pdf", "a.pdf"),
        ("a\x00b\x1f\x7fc.pdf", "abc.pdf"),
        ("  .hidden.pdf. ", "hidden.pdf"),
        ('x<>:"|?*;y.PDF', "xy.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("", "tep"),
        (".pdf", "pdf"),
        ("Báo   cáo\tquý.docx", "Báo cáo quý.docx"),
        ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
    ],
)
def test_sanitise_filename(raw, clean):
    assert sanitise_filename(raw) == clean


def test_a_failure_after_storing_removes_the_stored_bytes(owner, media_files, monkeypatch):
    from tinhso.files import services

    def boom(**kwargs):
        raise RuntimeError("audit unavailable")

    monkeypatch.setattr(services, "record_event", boom)
    with pytest.raises(RuntimeError):
        upload(owner, "don.pdf", samples.pdf())
    assert StoredFile.objects.count() == 0
    assert media_files() == []
