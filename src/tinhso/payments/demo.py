"""Demo data: a clearly fake sandbox receiving account for every agency, so that fees can be
paid end to end with the sandbox gateway. BIN 999999 belongs to no bank: a real banking app
scanning the demo QR finds nothing to pay."""

from __future__ import annotations

from collections.abc import Callable

from . import services


def load(*, province_code: int, log: Callable[[str], None]) -> None:
    created, total = services.payee_accounts_demo_load(province_code=province_code)
    log(f"✓ {created} tài khoản nhận thanh toán thử nghiệm mới (tổng {total})")
