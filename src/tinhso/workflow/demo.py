"""Demo data for this app (filled in by the app's own work)."""


def load(*, province_code: int, log) -> None:
    return None
