"""The public map's viewport query over 200,000 field reports, on PostgreSQL.

A throwaway database ``tinhso_bench_<pid>`` on 127.0.0.1:5432 (user postgres; dropped at the end)
and, when Redis answers on 127.0.0.1:6379, Redis database 13 as cache and broker (emptied before
and after); ``tinhso setup`` (demo province), then ``tinhso feedback_synthetic --reports 200000``
(bulk rows clustered around the communes of Cà Mau, 24 months, every category, realistic states;
see ``tinhso.feedback.synthetic``) and ``ANALYZE``.

Viewports: ``VIEWPORTS`` boxes per scenario, centred on a random synthetic report (70 %: people
look where reports are) or a random point of the province's box (30 %), at two zoom levels —
commune (0.04° × 0.05°, ≈ 4.5 × 5.5 km) and district (0.30° × 0.36°, ≈ 33 × 40 km) — without
filters, with a category, with ``status=open``, and with both; plus the whole province (reported,
not part of the target: at that zoom the map should cluster).

* selector — ``tinhso.feedback.selectors.reports_in_viewport(bbox=…, category=…, status=…,
  limit=501)`` (what the map's JSON view asks for) timed in a Python process with Django set up,
  one call after the other (wall time of the call: query, fetch, dataclasses);
* HTTP — ``GET /phan-anh/ban-do.json?bbox=…[&category=…][&status=open]`` (the citizen map's
  endpoint) through gunicorn (2 workers), one client after the other over a keep-alive
  connection, the same viewports; then 16 concurrent clients for ``DURATION`` seconds
  (throughput, reported).

Target: selector p95 ≤ 100 ms over the commune and district viewports (all filters), 0 HTTP
errors. ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest scenario's typical query is kept in the
result.

Environment: TINHSO_BENCH_REPORTS (default 200000), TINHSO_BENCH_VIEWPORTS (per scenario,
default 60), TINHSO_BENCH_DURATION (seconds, default 15), TINHSO_BENCH_CLIENTS (default 16).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from urllib.parse import urlencode

import _server

TARGET_P95_MS = 100.0
REPORTS = int(os.environ.get("TINHSO_BENCH_REPORTS", "200000"))
VIEWPORTS = int(os.environ.get("TINHSO_BENCH_VIEWPORTS", "60"))
DURATION = float(os.environ.get("TINHSO_BENCH_DURATION", "15"))
CLIENTS = int(os.environ.get("TINHSO_BENCH_CLIENTS", "16"))
WORKERS = 2
LIMIT = 501  # the map view asks for MAP_LIMIT + 1
ZOOMS = {"commune": (0.04, 0.05), "district": (0.30, 0.36)}
FILTERS = {"none": {}, "category": {"category": "rac-thai-moi-truong"}, "open": {"status": "open"},
           "category+open": {"category": "chieu-sang", "status": "open"}}

PLAN_CODE = """
import json, random
from django.db import connection
from django.db.models import Count
from tinhso.feedback.location import province_bbox
from tinhso.feedback.synthetic import synthetic_reports
with connection.cursor() as c:
    c.execute("ANALYZE")
box = province_bbox()
rng = random.Random(%(seed)d)
ids = list(synthetic_reports().filter(is_public=True).values_list("pk", flat=True))
sample = synthetic_reports().filter(pk__in=rng.sample(ids, min(len(ids), 2000))).values_list("latitude", "longitude")
centres = [(float(a), float(b)) for a, b in sample]
zooms, filters, n = %(zooms)r, %(filters)r, %(n)d
plans = []
for zoom, (dlat, dlon) in zooms.items():
    for fname, f in filters.items():
        boxes = []
        for _ in range(n):
            if rng.random() < 0.7:
                lat, lon = rng.choice(centres)
            else:
                lat, lon = rng.uniform(box.south, box.north), rng.uniform(box.west, box.east)
            boxes.append([round(lat - dlat / 2, 5), round(lon - dlon / 2, 5), round(lat + dlat / 2, 5),
                          round(lon + dlon / 2, 5)])
        plans.append({"zoom": zoom, "filter": fname, "params": f, "boxes": boxes})
for fname, f in filters.items():
    plans.append({"zoom": "province", "filter": fname, "params": f,
                  "boxes": [[box.south, box.west, box.north, box.east]] * max(5, n // 6)})
counts = dict(synthetic_reports().values_list("status").annotate(n=Count("id")))
print(json.dumps({"plans": plans, "statuses": counts, "total": synthetic_reports().count()}))
"""

TIME_CODE = """
import json, time
from django.db import connection
from tinhso.feedback.selectors import reports_in_viewport
plans = json.loads(%(plans)r)
reports_in_viewport(bbox=plans[0]["boxes"][0], limit=%(limit)d)  # connection, caches
out = []
for plan in plans:
    lat, rows = [], []
    for b in plan["boxes"]:
        t = time.perf_counter()
        points = reports_in_viewport(bbox=b, limit=%(limit)d, **plan["params"])
        lat.append(time.perf_counter() - t)
        rows.append(len(points))
    out.append({"zoom": plan["zoom"], "filter": plan["filter"], "latencies": lat, "rows": rows})
print(json.dumps(out))
"""

EXPLAIN_CODE = """
import json
from django.db import connection
from tinhso.feedback.selectors import reports_in_viewport
from tinhso.feedback.models import Report
from tinhso.feedback import selectors
plan = json.loads(%(plan)r)
# The queryset reports_in_viewport runs, rebuilt with the same filters (for EXPLAIN).
from tinhso.feedback.location import BBox
box = BBox.parse(plan["box"])
qs = Report.objects.filter(is_public=True, latitude__gte=box.south, latitude__lte=box.north,
                           longitude__gte=box.west, longitude__lte=box.east)
qs = selectors._filter(qs, **plan["params"])
qs = qs.order_by("-submitted_at").values_list("public_id", "code", "latitude", "longitude", "status",
                                              "category__code")[:%(limit)d]
print(json.dumps({"sql": str(qs.query), "plan": qs.explain(analyze=True, buffers=True)}))
"""


def _stats(latencies: list[float]) -> dict:
    lat = sorted(latencies)
    ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
    return {"n": len(lat), "p50_ms": ms(_server.percentile(lat, 50)), "p95_ms": ms(_server.percentile(lat, 95)),
            "max_ms": ms(lat[-1]) if lat else None, "mean_ms": ms(statistics.fmean(lat)) if lat else None}


def _path(box: list[float], params: dict) -> str:
    return "/phan-anh/ban-do.json?" + urlencode({"bbox": ",".join(str(v) for v in box), **params})


def _http_sequential(port: int, plans: list[dict]) -> list[dict]:
    client = _server.Client(port)
    out = []
    try:
        client.request("GET", _path(plans[0]["boxes"][0], {}))
        for plan in plans:
            lat, errors, samples = [], 0, []
            for box in plan["boxes"]:
                t = time.perf_counter()
                try:
                    status, data = client.request("GET", _path(box, plan["params"]))
                    if status != 200:
                        raise RuntimeError(f"{status}: {data[:200]!r}")
                    json.loads(data)
                except Exception as exc:  # noqa: BLE001 - counted
                    errors += 1
                    samples.append(str(exc)[:200])
                    client.close()
                    continue
                lat.append(time.perf_counter() - t)
            out.append({"zoom": plan["zoom"], "filter": plan["filter"], "errors": errors, "error_samples": samples[:3],
                        **_stats(lat), "_lat": lat})
    finally:
        client.close()
    return out


def run() -> dict:
    if not _server.postgres_available():
        return _server.skipped("PostgreSQL unavailable on 127.0.0.1:5432")
    with _server.postgres_database() as url, _server.redis_database() as redis_url:
        extra = {**({"REDIS_URL": redis_url} if redis_url else {})}
        with _server.installation(database_url=url, extra_env=extra) as inst:
            t = time.monotonic()
            gen = inst.tinhso("feedback_synthetic", "--reports", str(REPORTS), "--seed", "20260", timeout=3600)
            generation_s = round(time.monotonic() - t, 1)
            setup = json.loads(inst.python(PLAN_CODE % {"seed": 5, "zooms": ZOOMS, "filters": FILTERS,
                                                        "n": VIEWPORTS}).strip().splitlines()[-1])
            plans = setup["plans"]
            timed = json.loads(inst.python(TIME_CODE % {"plans": json.dumps(plans), "limit": LIMIT})
                               .strip().splitlines()[-1])
            scenarios = []
            for row in timed:
                rows = sorted(row["rows"])
                scenarios.append({"zoom": row["zoom"], "filter": row["filter"], **_stats(row["latencies"]),
                                  "rows_p50": rows[len(rows) // 2], "rows_max": rows[-1], "_lat": row["latencies"]})
            target = [s for s in scenarios if s["zoom"] in ZOOMS]
            selector_all = _stats([v for s in target for v in s["_lat"]])
            province = _stats([v for s in scenarios if s["zoom"] == "province" for v in s["_lat"]])
            worst = max(target, key=lambda s: s["p95_ms"])
            worst_plan = next(p for p in plans if p["zoom"] == worst["zoom"] and p["filter"] == worst["filter"])
            explain = json.loads(inst.python(EXPLAIN_CODE % {
                "plan": json.dumps({"box": worst_plan["boxes"][0], "params": worst_plan["params"]}),
                "limit": LIMIT}).strip().splitlines()[-1])
            with _server.gunicorn(inst, workers=WORKERS) as port:
                http = _http_sequential(port, plans)
                rng = random.Random(11)
                paths = [_path(b, p["params"]) for p in plans if p["zoom"] in ZOOMS for b in p["boxes"]]
                rng.shuffle(paths)

                def op(client: _server.Client, index: int, seq: int):
                    status, data = client.request("GET", paths[(index * 97 + seq) % len(paths)])
                    if status != 200:
                        raise RuntimeError(f"map → {status}: {data[:200]!r}")
                    return None

                load = _server.run_load(port, op, clients=CLIENTS, duration=DURATION)
    http_target = [s for s in http if s["zoom"] in ZOOMS]
    http_all = _stats([v for s in http_target for v in s["_lat"]])
    http_errors = sum(s["errors"] for s in http)
    for s in scenarios + http:
        s.pop("_lat", None)
    load_summary = load.summary()
    ok = bool(selector_all["p95_ms"] is not None and selector_all["p95_ms"] <= TARGET_P95_MS
              and http_errors == 0 and load_summary["errors"] == 0)
    return {
        "ok": ok,
        "load_average_after": _server.load_average(),
        "database": "postgresql",
        "cache_and_broker": "redis" if redis_url else "embedded (file cache, SQLite broker)",
        "reports": setup["total"],
        "statuses": setup["statuses"],
        "generation_seconds": generation_s,
        "generation_output_tail": gen.stdout.strip().splitlines()[-1:],
        "viewports_per_scenario": VIEWPORTS,
        "limit": LIMIT,
        "target_p95_ms": TARGET_P95_MS,
        "selector": selector_all,
        "selector_province_zoom": province,
        "selector_scenarios": scenarios,
        "http_sequential": http_all,
        "http_scenarios": http,
        "http_concurrent": {"clients": CLIENTS, "workers": WORKERS, "duration_s": DURATION, **load_summary},
        "explain_slowest": {"zoom": worst["zoom"], "filter": worst["filter"], **explain},
        "summary": (
            f"{setup['total']:,} reports (generated in {generation_s} s); reports_in_viewport commune+district "
            f"p50 {selector_all['p50_ms']} ms p95 {selector_all['p95_ms']} ms max {selector_all['max_ms']} ms "
            f"(target p95 ≤ {TARGET_P95_MS}); province zoom p95 {province['p95_ms']} ms; GET /phan-anh/ban-do.json "
            f"p50 {http_all['p50_ms']} p95 {http_all['p95_ms']} ms, {CLIENTS} clients "
            f"{load_summary['throughput_per_s']}/s p99 {load_summary['p99_ms']} ms; errors "
            f"{http_errors + load_summary['errors']}"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
