"""Statistics over a million synthetic dossiers on PostgreSQL.

A throwaway database ``tinhso_bench_<pid>`` (dropped at the end), ``tinhso setup``, then
``tinhso demo --scale N`` (N = TINHSO_BENCH_SCALE, default 1,000,000: dossiers over the last 24
months across every receiving agency, see ``tinhso.dossiers.synthetic``; the generation ends with
``stats_rebuild``, which fills the statistics read model) and ``ANALYZE``. In a subprocess with
Django set up, as the demo superuser (scope: the whole province):

* uncached — ``tinhso.dossiers.stats.dossier_statistics`` (the page's computation, read from the
  pre-aggregated daily counters plus a live count of the open dossiers) for the current year,
  called 5 times;
* uncached, last year (a past period: in progress at its end from the running sums), 5 times;
* uncached with ``SET jit = off`` — the current year again without PostgreSQL's JIT (informative);
* cached — ``dossier_statistics_cached`` primed once, then called 5 times (a hit costs the data
  version query plus the cache read);
* a check — ``dossier_statistics_raw`` (the direct computation over the dossiers) once for the
  current year and once for last year, timed, and compared with the read model: ``equal_to_raw``.

Target: the statistics page's computation for the current year ≤ 300 ms uncached (median of 5).
``ok`` is false when the uncached median is above it or the figures differ from the raw
computation (the cached figure is reported next to it, not instead of it).
"""

from __future__ import annotations

import json
import os
import re
import time

import _server

TARGET_MS = 300.0
SCALE = int(os.environ.get("TINHSO_BENCH_SCALE", "1000000"))
REPEAT = 5

MEASURE_CODE = """
import json, statistics, time
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from tinhso.accounts.models import User
from tinhso.dossiers.models import Dossier, DossierStep
from tinhso.dossiers.stats import Period, dossier_statistics, dossier_statistics_cached, dossier_statistics_raw

with connection.cursor() as cur:
    cur.execute("ANALYZE")
user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
period = Period(kind="year", year=timezone.localdate().year)
uncached = []
for _ in range(%(repeat)d):
    t = time.perf_counter()
    report = dossier_statistics(user=user, period=period)
    uncached.append((time.perf_counter() - t) * 1000)
last_year = Period(kind="year", year=period.year - 1)
past = []
for _ in range(%(repeat)d):
    t = time.perf_counter()
    past_report = dossier_statistics(user=user, period=last_year)
    past.append((time.perf_counter() - t) * 1000)
# The same with PostgreSQL's JIT compilation off for this session (jit = off): on this query the
# JIT compile time is a large fixed cost (see docs/benchmarks.md).
with connection.cursor() as cur:
    cur.execute("SET jit = off")
uncached_nojit = []
for _ in range(%(repeat)d):
    t = time.perf_counter()
    dossier_statistics(user=user, period=period)
    uncached_nojit.append((time.perf_counter() - t) * 1000)
with connection.cursor() as cur:
    cur.execute("RESET jit")
cache.clear()
t = time.perf_counter()
dossier_statistics_cached(user=user, period=period)
first_cached = (time.perf_counter() - t) * 1000
cached = []
for _ in range(%(repeat)d):
    t = time.perf_counter()
    dossier_statistics_cached(user=user, period=period)
    cached.append((time.perf_counter() - t) * 1000)
def same(a, b):
    active = lambda figures: {f.key: f.counts for f in figures if f.has_activity}
    return (a.total.counts == b.total.counts and active(a.agencies) == active(b.agencies)
            and active(a.communes) == active(b.communes))
now = timezone.now()
t = time.perf_counter()
raw = dossier_statistics_raw(user=user, period=period, now=now)
raw_ms = (time.perf_counter() - t) * 1000
t = time.perf_counter()
raw_past = dossier_statistics_raw(user=user, period=last_year, now=now)
raw_past_ms = (time.perf_counter() - t) * 1000
equal = (same(dossier_statistics(user=user, period=period, now=now), raw)
         and same(dossier_statistics(user=user, period=last_year, now=now), raw_past))
total = report.total
print(json.dumps({
    "dossiers": Dossier.objects.count(),
    "steps": DossierStep.objects.count(),
    "period": period.slug,
    "received_in_period": total.received,
    "finished_in_period": total.finished,
    "in_progress": total.in_progress,
    "agencies": len(report.agencies),
    "communes": len(report.communes),
    "uncached_ms": [round(v, 1) for v in uncached],
    "past_period": last_year.slug,
    "past_received": past_report.total.received,
    "past_in_progress_at_end": past_report.total.in_progress,
    "past_uncached_ms": [round(v, 1) for v in past],
    "raw_ms": round(raw_ms, 1),
    "raw_past_ms": round(raw_past_ms, 1),
    "equal_to_raw": equal,
    "uncached_jit_off_ms": [round(v, 1) for v in uncached_nojit],
    "cached_first_ms": round(first_cached, 1),
    "cached_ms": [round(v, 1) for v in cached],
}))
"""


def _stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"min_ms": ordered[0], "median_ms": ordered[len(ordered) // 2], "max_ms": ordered[-1]}


def run() -> dict:
    if not _server.postgres_available():
        return _server.skipped("PostgreSQL unavailable on 127.0.0.1:5432")
    with _server.postgres_database() as url, _server.installation(database_url=url) as inst:
        started = time.monotonic()
        out = inst.tinhso("demo", "--scale", str(SCALE), "--seed", "96", timeout=3600).stdout
        generation_s = round(time.monotonic() - started, 1)
        last = [line for line in out.splitlines() if line.startswith("✓") and "synthetic dossiers" in line]
        data = json.loads(inst.python(MEASURE_CODE % {"repeat": REPEAT}).strip().splitlines()[-1])
    uncached, cached = _stats(data["uncached_ms"]), _stats(data["cached_ms"])
    nojit = _stats(data["uncached_jit_off_ms"])
    past = _stats(data["past_uncached_ms"])
    ok = uncached["median_ms"] <= TARGET_MS and data["equal_to_raw"]
    return {
        "ok": ok,
        "load_average_after": _server.load_average(),
        "database": "postgresql",
        "scale": SCALE,
        "generation_seconds": generation_s,
        "generation": re.sub(r"^✓\s*", "", last[-1]) if last else None,
        "target_ms": TARGET_MS,
        "uncached": uncached,
        "uncached_past_period": past,
        "uncached_jit_off": nojit,
        "cached": cached,
        **data,
        "summary": (
            f"{data['dossiers']:,} dossiers ({data['received_in_period']:,} received in {data['period']}): "
            f"uncached min/median/max {uncached['min_ms']}/{uncached['median_ms']}/{uncached['max_ms']} ms, "
            f"last year {past['min_ms']}/{past['median_ms']}/{past['max_ms']} ms, "
            f"with jit=off {nojit['min_ms']}/{nojit['median_ms']}/{nojit['max_ms']} ms, "
            f"cached {cached['min_ms']}/{cached['median_ms']}/{cached['max_ms']} ms (target ≤ {TARGET_MS:.0f} ms); "
            f"raw computation {data['raw_ms']} ms, equal to raw: {data['equal_to_raw']}; "
            f"generated in {generation_s} s"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
