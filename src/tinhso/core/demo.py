"""Loads the demo province: each building block and service contributes its own ``demo.load``.

Every loader is idempotent (get-or-create on natural keys), so ``tinhso demo`` can run twice.
Order matters: geography before agencies, agencies before accounts and memberships.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction

# Apps that contribute demo data, in dependency order. Each module has
# ``load(*, province_code: int, log: Callable[[str], None]) -> None``.
DEMO_LOADERS = [
    "tinhso.geo.demo",
    "tinhso.orgs.demo",
    "tinhso.payments.demo",
    "tinhso.accounts.demo",
    "tinhso.workflow.demo",
    "tinhso.procedures.demo",
    "tinhso.feedback.demo",
]


def load_demo(*, province_code: int | None = None, log: Callable[[str], None] = print) -> None:
    code = province_code or settings.TINHSO_PROVINCE
    for dotted in DEMO_LOADERS:
        module = importlib.import_module(dotted)
        with transaction.atomic():
            module.load(province_code=code, log=log)


def demo_is_loaded() -> bool:
    from tinhso.geo.models import AdminUnit

    return AdminUnit.objects.exists()
