"""Field report submission throughput on PostgreSQL, 16 concurrent clients, 2 app workers, over HTTP.

A throwaway database ``tinhso_bench_<pid>`` on 127.0.0.1:5432 (user postgres; dropped at the end)
and, when Redis answers on 127.0.0.1:6379, Redis database 13 as cache and broker (emptied before
and after); ``tinhso setup`` (demo province). gunicorn serves with 2 workers (the threaded workers
of ``tinhso serve``); 16 clients (threads, keep-alive connections) submit back to back for
``DURATION`` seconds after a warm-up, each report at a random point of a random commune centre
of Cà Mau, category "ngập úng" (no required attribute), spread over the communes so routing
reaches every commune committee. Before the load, ``PRELOAD`` (20,000) synthetic reports are
generated (``tinhso feedback_synthetic``): the table is not empty, and an Open311 report, which
carries only a point, gets the commune of the nearest earlier report as in production.

The endpoint, chosen when the benchmark runs:

* ``POST /open311/v2/requests.json`` (Open311 GeoReport v2, form-encoded) when the Open311 API
  answers: ``api_key`` = a platform API token with the ``open311`` scope (one per client,
  created with ``tinhso.accounts.services.api_token_create`` for 16 bench accounts), a unique
  ``Idempotency-Key`` header; success = 200/201 with ``[{"service_request_id": …}]``;
* else the citizen form ``POST /phan-anh/gui/`` without an account (each client first GETs the
  form for its CSRF cookie and token), with a unique ``idempotency_key`` and ``confirm_new=1``
  (no nearby-reports step); success = the redirect to the new report's page;
* else skipped (neither exists yet).

A submission is the whole service: validation, routing, the code counter, the due date in
working days, the audit event, notifications to the handling agency's officials (outbox rows and
a broker message after commit). Afterwards the database is checked: stored reports of the
channel == acknowledged submissions (warm-up included), no duplicate codes.

No ratio target is set (issue 5): ok = 0 errors and consistent. Environment:
TINHSO_BENCH_DURATION (seconds, default 20), TINHSO_BENCH_CLIENTS (default 16),
TINHSO_BENCH_PRELOAD (default 20000), TINHSO_BENCH_FEEDBACK_ENDPOINT=form (measure the citizen form even when Open311 exists).
"""

from __future__ import annotations

import json
import os
import random
import re
import uuid
from urllib.parse import urlencode

import _server

DURATION = float(os.environ.get("TINHSO_BENCH_DURATION", "20"))
CLIENTS = int(os.environ.get("TINHSO_BENCH_CLIENTS", "16"))
WORKERS = 2
CATEGORY = "ngap-ung"
# "open311" or "form" forces an endpoint (default: Open311 when it exists, else the form).
FORCE = os.environ.get("TINHSO_BENCH_FEEDBACK_ENDPOINT", "")
OPEN311_PATH = "/open311/v2/requests.json"
FORM_PATH = "/phan-anh/gui/"
# Synthetic reports loaded first: a populated table, and the commune of an Open311 report (which
# carries only a point) is guessed from the nearest earlier report, as in production.
PRELOAD = int(os.environ.get("TINHSO_BENCH_PRELOAD", "20000"))

SETUP_CODE = """
import datetime as dt, json
from django.urls import Resolver404, resolve
from django.utils import timezone
from tinhso.accounts.models import User
from tinhso.accounts.services import api_token_create
from tinhso.feedback.models import Category
from tinhso.feedback.synthetic import _communes, _Geo
import random

def exists(path):
    try:
        resolve(path)
        return True
    except Resolver404:
        return False

assert Category.objects.filter(code=%(category)r, is_active=True).exists()
open311 = exists(%(open311)r)
form = exists(%(form)r)
tokens = []
if open311:
    for i in range(%(clients)d):
        user, _ = User.objects.get_or_create(
            email=f"bench-open311-{i:02d}@bench.tinhso.invalid",
            defaults={"full_name": f"Ứng dụng thử tải {i + 1}", "kind": "citizen", "password": "!bench"},
        )
        _row, plain = api_token_create(actor=None, user=user, name="bench-open311", scopes=["open311"],
                                       expires_at=timezone.now() + dt.timedelta(days=1))
        tokens.append(plain)
rng = random.Random(3)
geo = _Geo(_communes(), rng)
points = [[round(a, 6), round(b, 6), c.unit.code] for c in geo.communes for a, b in [geo.point(c) for _ in range(5)]]
print(json.dumps({"open311": open311, "form": form, "tokens": tokens, "points": points}))
"""

VERIFY_CODE = """
import json
from django.db.models import Count
from tinhso.feedback.models import Report
qs = Report.objects.filter(channel=%(channel)r, description__startswith="[bench] ")
print(json.dumps({
    "stored": qs.count(),
    "duplicate_codes": qs.values("code").annotate(n=Count("id")).filter(n__gt=1).count(),
    "distinct_keys": qs.exclude(idempotency_key__isnull=True).values("idempotency_key").distinct().count(),
    "agencies": qs.values("agency").distinct().count(),
}))
"""

CODE_IN_LOCATION = re.compile(r"/phan-anh/(PA-\d{6}-\d{4,})/")


def _description(index: int, seq: int) -> str:
    return f"[bench] Ngập sâu sau cơn mưa, cống thoát nước bị nghẹt (máy {index}, lần {seq})."


def _open311_op(setup: dict):
    tokens, points = setup["tokens"], setup["points"]

    def op(client: _server.Client, index: int, seq: int):
        lat, lon, commune = points[(index * 13 + seq) % len(points)]
        body = urlencode({"api_key": tokens[index], "service_code": CATEGORY, "lat": lat, "long": lon,
                          "description": _description(index, seq), "address_string": "Hẻm 3, khóm 1"}).encode()
        status, data = client.request("POST", OPEN311_PATH, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Idempotency-Key": str(uuid.uuid4())})
        if status not in (200, 201):
            raise RuntimeError(f"open311 → {status}: {data[:200]!r}")
        rows = json.loads(data)
        rid = rows[0].get("service_request_id") if isinstance(rows, list) and rows else None
        if not rid:
            raise RuntimeError(f"open311 → {status} without service_request_id: {data[:200]!r}")
        return str(rid)

    return op


class _FormSession:
    """CSRF cookie + token of one client (the form's GET), fetched once per client."""

    TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    COOKIE = re.compile(r"csrftoken=([^;]+)")

    def __init__(self):
        self.by_client: dict[int, tuple[str, str]] = {}

    def get(self, client: _server.Client, index: int) -> tuple[str, str]:
        if index not in self.by_client:
            client.conn.request("GET", FORM_PATH)
            resp = client.conn.getresponse()
            page = resp.read()
            cookie = next((m.group(1) for h in resp.headers.get_all("Set-Cookie") or []
                           if (m := self.COOKIE.search(h))), None)
            token = self.TOKEN.search(page)
            if resp.status != 200 or not cookie or not token:
                raise RuntimeError(f"form GET → {resp.status}, csrf cookie {bool(cookie)}, token {bool(token)}")
            self.by_client[index] = (cookie, token.group(1).decode())
        return self.by_client[index]


def _form_op(setup: dict):
    points, session = setup["points"], _FormSession()

    def op(client: _server.Client, index: int, seq: int):
        cookie, token = session.get(client, index)
        lat, lon, commune = points[(index * 13 + seq) % len(points)]
        body = urlencode({"csrfmiddlewaretoken": token, "category": CATEGORY, "lat": lat, "long": lon,
                          "commune": commune, "address": "Hẻm 3, khóm 1", "description": _description(index, seq),
                          "idempotency_key": str(uuid.uuid4()), "confirm_new": "1"}).encode()
        status, data = client.request("POST", FORM_PATH, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{client.port}{FORM_PATH}"})
        if status != 302:
            raise RuntimeError(f"form → {status}: {data[:300]!r}")
        # The Location header is not returned by Client.request: the code is checked afterwards.
        return True

    return op


def run() -> dict:
    if not _server.postgres_available():
        return _server.skipped("PostgreSQL unavailable on 127.0.0.1:5432")
    with _server.postgres_database() as url, _server.redis_database() as redis_url:
        extra = {**({"REDIS_URL": redis_url} if redis_url else {})}
        with _server.installation(database_url=url, extra_env=extra) as inst:
            if PRELOAD:
                inst.tinhso("feedback_synthetic", "--reports", str(PRELOAD), "--seed", "7", timeout=1800)
            setup = json.loads(inst.python(SETUP_CODE % {
                "category": CATEGORY, "open311": OPEN311_PATH, "form": FORM_PATH, "clients": CLIENTS,
            }).strip().splitlines()[-1])
            if setup["open311"] and FORCE != "form":
                endpoint, channel, op = f"POST {OPEN311_PATH}", "open311", _open311_op(setup)
            elif setup["form"]:
                endpoint, channel, op = f"POST {FORM_PATH} (citizen form, no account)", "web", _form_op(setup)
            else:
                return _server.skipped(f"neither {OPEN311_PATH} nor {FORM_PATH} exists yet")
            random.seed(1)
            with _server.gunicorn(inst, workers=WORKERS) as port:
                load = _server.run_load(port, op, clients=CLIENTS, duration=DURATION)
            check = json.loads(inst.python(VERIFY_CODE % {"channel": channel}).strip().splitlines()[-1])
    s = load.summary()
    acknowledged = len(load.results)
    ids = [r for r in load.results if isinstance(r, str)]
    consistent = (check["stored"] == acknowledged and check["duplicate_codes"] == 0 and len(set(ids)) == len(ids)
                  and check["distinct_keys"] in (0, check["stored"]))
    ok = bool(s["errors"] == 0 and consistent and acknowledged > 0)
    return {
        "ok": ok,
        "load_average_after": _server.load_average(),
        "database": "postgresql",
        "cache_and_broker": "redis" if redis_url else "embedded (file cache, SQLite broker)",
        "endpoint": endpoint,
        "open311_available": setup["open311"],
        "workers": WORKERS,
        "clients": CLIENTS,
        "duration_s": DURATION,
        "category": CATEGORY,
        "preloaded_synthetic_reports": PRELOAD,
        "submission": s,
        "acknowledged_submissions": acknowledged,
        "verification": check,
        "consistent": consistent,
        "summary": (
            f"{endpoint}: {s['throughput_per_s']}/s p50 {s['p50_ms']} ms p99 {s['p99_ms']} ms, errors {s['errors']}; "
            f"{check['stored']} reports stored for {acknowledged} acknowledged, {check['duplicate_codes']} duplicate "
            f"codes, routed to {check['agencies']} agencies"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
