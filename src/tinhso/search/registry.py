"""Providers that can re-index everything of one kind (used by ``manage.py search_reindex``).

A service registers, in its ``AppConfig.ready()``::

    from tinhso.search.registry import register

    def _procedures():
        for p in Procedure.objects.filter(is_published=True):
            yield {"obj": p, "title": p.name, "body": p.description, "url": p.get_absolute_url()}

    register("procedure", _procedures)

Each item holds the keyword arguments of :func:`tinhso.search.services.search_index` except
``kind`` (``obj`` and ``title`` required; ``body``, ``url``, ``is_public``, ``scope`` optional).
Documents of that kind that the provider no longer yields are removed by a re-index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

Provider = Callable[[], Iterable[Mapping[str, Any]]]

_providers: dict[str, Provider] = {}


def register(kind: str, iterable_fn: Provider) -> None:
    if not kind or not isinstance(kind, str):
        raise ValueError("A search provider needs a kind (a short string such as 'procedure').")
    _providers[kind] = iterable_fn


def unregister(kind: str) -> None:
    _providers.pop(kind, None)


def providers() -> dict[str, Provider]:
    return dict(_providers)
