"""The English catalogue: complete, not fuzzy, and actually used by the public pages.

Part (a) reads ``locale/en/LC_MESSAGES/django.po`` (msgids are Vietnamese): every entry has an
English msgstr and none is fuzzy, and the placeholders survive translation. Part (b) renders
public pages with the language cookie set to "en" and checks that they are in English and that
no msgid of the templates that rendered them is left in Vietnamese.
"""

from __future__ import annotations

import ast
import gettext
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings

import tinhso

PACKAGE_DIR = Path(tinhso.__file__).resolve().parent
EN_PO = PACKAGE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
EN_MO = EN_PO.with_suffix(".mo")

FIELD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(".*")$')
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
# Language names are shown in their own language on purpose (the switch back to Vietnamese).
SHOWN_AS_IS = {"Tiếng Việt"}
SEPARATORS = re.compile(r"[·:;|—→←]")


def _po_entries(path: Path) -> list[dict]:
    """Minimal .po reader: comments, flags, references and the (concatenated) strings."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        entry: dict = {"flags": set(), "refs": [], "fields": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#:"):
                entry["refs"] += line[2:].split()
            elif line.startswith("#"):
                continue
            elif m := FIELD.match(line):
                current = m.group(1)
                entry["fields"][current] = ast.literal_eval(m.group(2))
            elif line.startswith('"') and current:
                entry["fields"][current] += ast.literal_eval(line)
        if "msgid" in entry["fields"]:
            entries.append(entry)
    return entries


def _messages() -> list[dict]:
    return [e for e in _po_entries(EN_PO) if e["fields"]["msgid"]]


def _msgstrs(entry: dict) -> list[str]:
    return [v for k, v in entry["fields"].items() if k.startswith("msgstr")]


# --- (a) the catalogue -------------------------------------------------------------------------


def test_english_catalogue_is_complete_and_not_fuzzy():
    entries = _po_entries(EN_PO)
    header = entries[0]
    assert header["fields"]["msgid"] == ""
    assert "Language: en\n" in header["fields"]["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header["fields"]["msgstr"]
    messages = _messages()
    assert len(messages) > 1000
    assert [e["fields"]["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    empty = [e["fields"]["msgid"] for e in messages if not all(_msgstrs(e))]
    assert empty == []
    plural = [e for e in messages if "msgid_plural" in e["fields"]]
    assert plural and all(len(_msgstrs(e)) == 2 for e in plural)


def test_english_catalogue_keeps_placeholders_and_is_compiled():
    broken = []
    for e in _messages():
        source = e["fields"].get("msgid_plural", e["fields"]["msgid"])
        expected = Counter(PLACEHOLDER.findall(source))
        for text in _msgstrs(e):
            if Counter(PLACEHOLDER.findall(text)) != expected or text.count("\n") != source.count("\n"):
                broken.append((e["fields"]["msgid"], text))
    assert broken == []


def test_committed_mo_matches_the_po():
    """The .mo served in production is compiled from the current .po (run compilemessages)."""
    with EN_MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    stale = []
    for e in _messages():
        fields = e["fields"]
        msgid, ctx = fields["msgid"], fields.get("msgctxt")
        if "msgid_plural" in fields:
            got = [compiled.npgettext(ctx, msgid, fields["msgid_plural"], n) if ctx
                   else compiled.ngettext(msgid, fields["msgid_plural"], n) for n in (1, 2)]
        else:
            got = [compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)]
        if got != _msgstrs(e):
            stale.append(msgid)
    assert stale == []


# --- (b) pages in English ----------------------------------------------------------------------


class _Text(HTMLParser):
    """Visible text chunks of a page plus the attributes people read (labels, titles)."""

    ATTRS = {"aria-label", "title", "placeholder", "alt", "data-label"}

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.chunks += [v.strip() for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.chunks.append(" ".join(data.split()))


def _chunks(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.chunks


def _untranslated(response) -> list[str]:
    """Msgids of the templates (and the navigation) used for ``response`` still shown as is."""
    sources = {f"templates/{t.name}" for t in response.templates if t.name}
    sources.add("portal/context_processors.py")
    # Interface strings are whole text nodes or attributes, or whole segments of one next to
    # data ("Procedure code: 1.001193 · …"); data entered in Vietnamese (procedure names, legal
    # texts) may contain the same words inside longer sentences, so segments are compared whole.
    segments = {seg.strip(" ()") for chunk in _chunks(response.content.decode()) for seg in SEPARATORS.split(chunk)}
    found = []
    for e in _messages():
        msgid = e["fields"]["msgid"]
        if msgid in SHOWN_AS_IS or PLACEHOLDER.search(msgid) or "<" in msgid or _msgstrs(e)[0] == msgid:
            continue
        if not any(ref.split(":")[0].endswith(tuple(sources)) for ref in e["refs"]):
            continue
        if msgid.strip(" :") in segments:
            found.append(msgid)
    return found


@pytest.fixture
def demo_catalogue(province_96):
    """Cà Mau with its agencies and the demo procedure catalogue."""
    from tinhso.orgs import demo as orgs_demo
    from tinhso.procedures import demo

    orgs_demo.load(province_code=96, log=lambda _msg: None)
    demo.load(province_code=96, log=lambda _msg: None)
    return province_96


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


NAV_VI = ("Trang chủ", "Thủ tục hành chính", "Tra cứu hồ sơ")
NAV_EN = ("Home", "Administrative procedures", "Track a dossier")


def _nav_text(html: str) -> str:
    match = re.search(r"<nav[^>]*>(.*?)</nav>", html, re.S)
    assert match, "the page has a navigation bar"
    return match.group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/thu-tuc/", ("Find the procedure you need", "Procedure name or keyword", "All sectors", "working day")),
        ("/thu-tuc/1.001193/", ("What you receive", "Who may apply", "Documents to prepare", "Processing steps",
                                "Legal basis", "Free of charge", "1 working day", "Submit a dossier online")),
        ("/accounts/login/", ("Phone number or email address", "Password", "Forgot your password?")),
        ("/tra-cuu/", ("Track the status of a dossier", "Dossier code", "Tracking code", "Look up")),
    ],
)
def test_public_pages_render_in_english(english, demo_catalogue, url, expected):
    response = english.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for text in expected:
        assert text in html, text
    nav = _nav_text(html)
    for vi, en in zip(NAV_VI, NAV_EN, strict=True):
        assert vi not in nav and en in nav, (vi, en)
    assert _untranslated(response) == []


@pytest.mark.django_db
def test_tracking_error_and_procedure_data_in_english(english, demo_catalogue):
    response = english.post("/tra-cuu/", {"code": "KHONG-CO", "secret": "sai"})
    html = response.content.decode()
    assert "Dossier not found, or the tracking code is wrong." in html
    assert "Không tìm thấy hồ sơ" not in html
    # Catalogue data (names entered by the province) stays as entered; the interface around it is English.
    html = english.get("/thu-tuc/", {"q": "khai sinh"}).content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Full online" in html or "Partial online" in html


@pytest.mark.django_db
def test_vietnamese_stays_the_default(client, demo_catalogue):
    response = client.get("/thu-tuc/1.001193/")
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Bạn nhận được" in html and "What you receive" not in html
    # The check used on the English pages does see Vietnamese interface text when it is there.
    shown = _untranslated(response)
    assert {"Bạn nhận được", "Ai được nộp", "Miễn phí", "Mã thủ tục", "nếu có", "Thủ tục hành chính"} <= set(shown)
