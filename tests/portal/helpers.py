"""Checks shared by the portal tests."""

from __future__ import annotations

from html.parser import HTMLParser


class _CspAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if "style" in names:
            self.problems.append(f"style= attribute on <{tag}>")
        if any(name.startswith("on") for name in names):
            self.problems.append(f"inline event handler on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script" and "src" not in names:
            self._in_inline_script = True
            self.problems.append("<script> without src")
        for name, value in attrs:
            if name in {"href", "src", "action"} and value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def csp_problems(html: str) -> list[str]:
    """What in ``html`` a strict CSP (no inline script or style) would block."""
    audit = _CspAudit()
    audit.feed(html)
    return audit.problems


def external_urls(html: str) -> list[str]:
    """Absolute http(s) or protocol-relative URLs the page would load (CSS, JS, images, forms)."""

    class _Refs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            for name, value in attrs:
                if tag in {"link", "script", "img", "iframe", "source"} and name in {"href", "src"} and value:
                    if value.startswith(("http:", "https:", "//")):
                        self.found.append(value)

    refs = _Refs()
    refs.feed(html)
    return refs.found
