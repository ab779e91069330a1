"""Page weight on first load: the home page and the login page, as a browser on a weak
connection would fetch them.

Starts the real stack (``tinhso setup`` in a temporary TINHSO_VAR_DIR, then gunicorn on a free
loopback port, static files through whitenoise with pre-compressed files), fetches ``/`` and
``/accounts/login/`` with ``Accept-Encoding: gzip`` plus every stylesheet, script, icon and
image they reference, and sums the bytes transferred (bodies as sent, compressed when the
server compressed them). A resource used by both pages counts once in the total.

Target: home + login under 60 KB in total on first load. Any request to another host fails
the benchmark (the platform must run on an intranet without the internet).

``TINHSO_BENCH_PORT=8123`` measures a server already running on that loopback port instead.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import _server

PAGES = ["/", "/accounts/login/"]
TARGET_BYTES = 60 * 1024
REQUEST_TIMEOUT = _server.REQUEST_TIMEOUT


class _Refs(HTMLParser):
    """URLs of the sub-resources a browser loads for a page (not links it may follow)."""

    LINK_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "manifest", "preload", "modulepreload"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("href") and set((a.get("rel") or "").lower().split()) & self.LINK_RELS:
            self.urls.append(a["href"])
        elif tag in {"script", "img", "source", "video", "audio", "iframe", "embed"} and a.get("src"):
            self.urls.append(a["src"])
        elif tag == "input" and (a.get("type") or "").lower() == "image" and a.get("src"):
            self.urls.append(a["src"])


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


def _fetch(port: int, path: str) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request(
            "GET", path, headers={"Accept-Encoding": "gzip", "Accept-Language": "vi", "User-Agent": "tinhso-bench/1"}
        )
        resp = conn.getresponse()
        body = resp.read()
        headers = resp.getheaders()
    finally:
        conn.close()
    encoding = (resp.getheader("Content-Encoding") or "").lower()
    decoded = gzip.decompress(body) if encoding == "gzip" else body
    return {
        "url": path,
        "status": resp.status,
        "content_type": (resp.getheader("Content-Type") or "").split(";")[0],
        "content_encoding": encoding or None,
        "bytes": len(body),
        "uncompressed_bytes": len(decoded),
        "header_bytes": sum(len(k) + len(v) + 4 for k, v in headers),
        "_text": decoded,
    }


def _resources(base: str, html: bytes) -> list[str]:
    parser = _Refs()
    parser.feed(html.decode("utf-8", "replace"))
    return [urljoin(base, u) for u in parser.urls]


def _css_resources(base: str, css: bytes) -> list[str]:
    found = []
    for m in _CSS_URL.finditer(css.decode("utf-8", "replace")):
        ref = m.group(1) or m.group(2)
        if ref and not ref.startswith("data:"):
            found.append(urljoin(base, ref))
    return found


def _measure(port: int) -> dict:
    origin = f"http://127.0.0.1:{port}"
    fetched: dict[str, dict] = {}
    external: list[str] = []
    pages = {}

    def get(url: str) -> dict | None:
        parts = urlsplit(url)
        if parts.scheme and (parts.scheme, parts.netloc) != ("http", f"127.0.0.1:{port}"):
            external.append(url)
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path not in fetched:
            fetched[path] = _fetch(port, path)
        return fetched[path]

    for page in PAGES:
        html = get(origin + page)
        needed = [page]
        queue = _resources(origin + page, html["_text"])
        while queue:
            url = queue.pop(0)
            res = get(url)
            if res is None:
                continue
            path = urlsplit(url).path + (f"?{urlsplit(url).query}" if urlsplit(url).query else "")
            if path in needed:
                continue
            needed.append(path)
            if res["content_type"] == "text/css":
                queue.extend(_css_resources(url, res["_text"]))
        pages[page] = {
            "status": html["status"],
            "resources": needed,
            "bytes": sum(fetched[p]["bytes"] for p in needed),
            "uncompressed_bytes": sum(fetched[p]["uncompressed_bytes"] for p in needed),
        }
    unique = {p for page in pages.values() for p in page["resources"]}
    total = sum(fetched[p]["bytes"] for p in unique)
    errors = [f"{p} answered {r['status']}" for p, r in fetched.items() if r["status"] != 200]
    errors += [f"external request: {u}" for u in external]
    resources = [{k: v for k, v in r.items() if k != "_text"} for r in fetched.values()]
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    return {
        "ok": total <= TARGET_BYTES and not errors,
        "target_bytes": TARGET_BYTES,
        "total_bytes": total,
        "total_uncompressed_bytes": sum(fetched[p]["uncompressed_bytes"] for p in unique),
        "total_with_headers_bytes": total + sum(fetched[p]["header_bytes"] for p in unique),
        "pages": pages,
        "resources": sorted(resources, key=lambda r: -r["bytes"]),
        "errors": errors,
        "summary": (
            f"home + login first load {kb(total)} transferred (target {kb(TARGET_BYTES)}): "
            + ", ".join(f"{p} {kb(v['bytes'])}" for p, v in pages.items())
            + (f"; errors: {'; '.join(errors)}" if errors else "")
        ),
    }


def run() -> dict:
    existing = os.environ.get("TINHSO_BENCH_PORT")
    if existing:
        return _measure(int(existing))
    try:
        with _server.installation() as inst, _server.gunicorn(inst, workers=1) as port:
            return _measure(port)
    except RuntimeError as exc:  # setup failed or gunicorn did not start
        return {"ok": False, "error": str(exc).splitlines()[0], "output": str(exc)[-4000:]}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
