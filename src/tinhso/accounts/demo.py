"""Demo accounts (filled in by the accounts work)."""


def load(*, province_code: int, log) -> None:
    return None


def describe_accounts() -> str:
    return ""
