"""Plug-in points of the portal: sections of the citizen's "my page" and panels of the staff
workspace. A service registers its own section from its ``AppConfig.ready()``::

    from tinhso.portal.registry import register_my_page_section

    register_my_page_section(
        "dossiers",                       # key: registering an existing key replaces it
        _("Hồ sơ của tôi"),               # heading shown on the page
        "procedures/my_dossiers.html",    # template rendered for this section
        my_dossiers_context,              # (request) -> dict, or None to hide the section
        10,                               # order: smaller first
    )

The portal registers placeholders (honest empty states) for the usual sections; a service
registering the same key replaces the placeholder, whichever app loads first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.safestring import SafeString

ContextFn = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    template: str
    context_fn: ContextFn | None
    order: int
    placeholder: bool = False


@dataclass(frozen=True)
class RenderedSection:
    key: str
    title: str | Promise
    html: SafeString


_my_page: dict[str, Section] = {}
_staff: dict[str, Section] = {}


def _register(
    registry: dict[str, Section],
    key: str,
    title: str | Promise,
    template: str,
    context_fn: ContextFn | None,
    order: int,
    placeholder: bool,
) -> Section:
    if not key or not template:
        raise ValueError("A portal section needs a key and a template.")
    section = Section(key=key, title=title, template=template, context_fn=context_fn, order=order, placeholder=placeholder)
    existing = registry.get(key)
    if placeholder and existing is not None and not existing.placeholder:
        return existing  # a service already provided the real section
    registry[key] = section
    return section


def register_my_page_section(
    key: str,
    title: str | Promise,
    template: str,
    context_fn: ContextFn | None = None,
    order: int = 100,
    *,
    placeholder: bool = False,
) -> Section:
    """Add (or replace) a section of the citizen's "my page" (``/me/``).

    ``context_fn(request)`` returns the template context for the logged-in user, or None to
    leave the section out for this user. The template also receives ``section``.
    ``placeholder=True`` (used by the portal itself) never replaces a real section.
    """
    return _register(_my_page, key, title, template, context_fn, order, placeholder)


def register_staff_panel(
    key: str,
    title: str | Promise,
    template: str,
    context_fn: ContextFn | None = None,
    order: int = 100,
    *,
    placeholder: bool = False,
) -> Section:
    """Add (or replace) a panel of the staff workspace (``/staff/``). Same contract as
    :func:`register_my_page_section`; ``context_fn`` must scope its data to the official's
    own memberships (``tinhso.portal.selectors.active_memberships(user=request.user)``)."""
    return _register(_staff, key, title, template, context_fn, order, placeholder)


def unregister_my_page_section(key: str) -> None:
    _my_page.pop(key, None)


def unregister_staff_panel(key: str) -> None:
    _staff.pop(key, None)


def my_page_sections() -> list[Section]:
    return sorted(_my_page.values(), key=lambda s: (s.order, s.key))


def staff_panels() -> list[Section]:
    return sorted(_staff.values(), key=lambda s: (s.order, s.key))


def render_sections(sections: list[Section], request: HttpRequest) -> list[RenderedSection]:
    """Render each section for this request; sections whose context_fn returns None are left out."""
    rendered: list[RenderedSection] = []
    for section in sections:
        context: dict[str, Any] | None = {}
        if section.context_fn is not None:
            context = section.context_fn(request)
        if context is None:
            continue
        html = render_to_string(section.template, {**context, "section": section}, request=request)
        rendered.append(RenderedSection(key=section.key, title=section.title, html=html))
    return rendered
