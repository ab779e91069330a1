"""Public tracking lookup (``GET /api/v1/dossiers/tracking/{code}?secret=``) next to a
constant-JSON endpoint (``GET /bench/constant``) in the same server.

PostgreSQL when available (a throwaway database ``tinhso_bench_<pid>``, dropped at the end),
otherwise SQLite in the temporary TINHSO_VAR_DIR; Redis database 13 as cache and broker when Redis
answers on 127.0.0.1:6379 (the production topology). ``tinhso setup`` (demo province), then a setup
step files ``DOSSIERS`` real dossiers through the services (the demo citizen submits, the demo
one-stop clerk receives every other one, so they have a history of 2–3 transitions). gunicorn
serves with 2 workers (the threaded workers of ``tinhso serve``) and TINHSO_BENCH_ENDPOINTS=1; 16 concurrent clients (threads, keep-alive)
look the dossiers up round-robin for ``DURATION`` seconds after a warm-up, then hit the constant
endpoint the same way.

The answer is cached per dossier version (``tinhso.dossiers.tracking``): a lookup is one indexed
query on the code plus one cache read, as in production.

Targets: tracking throughput ≥ 0.6 × constant, tracking p99 ≤ 50 ms, 0 errors.
The tracking API has no rate limit at the time of writing (the public tracking *page* has one,
``TINHSO_TRACKING_LIMIT``); a rate-limited answer (429) would count as an error here.

Environment: TINHSO_BENCH_DURATION (seconds, default 20), TINHSO_BENCH_CLIENTS (default 16).
"""

from __future__ import annotations

import contextlib
import json
import os
from urllib.parse import quote

import _server

TARGET_RATIO = 0.6
TARGET_P99_MS = 50.0
DURATION = float(os.environ.get("TINHSO_BENCH_DURATION", "20"))
CLIENTS = int(os.environ.get("TINHSO_BENCH_CLIENTS", "16"))
WORKERS = 2
DOSSIERS = 200
PROCEDURE = "1.004194"

SETUP_CODE = """
import json
from tinhso.accounts.models import User
from tinhso.accounts.selectors import user_by_login
from tinhso.orgs.models import Membership
from tinhso.procedures.models import Procedure
from tinhso.dossiers import services

proc = Procedure.objects.get(code=%(proc)r)
clerk = User.objects.get(email="motcua@tinhso.local")
agency = Membership.objects.filter(user=clerk, role__code="clerk").select_related("agency").first().agency
citizen = user_by_login("0912345678")
form = {"ho_ten_nguoi_yeu_cau": "Nguyễn Văn An", "cccd_nguoi_yeu_cau": "096090001234",
        "dien_thoai": "0912345678", "noi_cu_tru": agency.admin_unit.code, "dia_chi": "Số 1, khóm 2",
        "noi_dung": "thuong_tru", "muc_dich": "Bổ túc hồ sơ"}
found = []
for i in range(%(n)d):
    d = services.dossier_create_and_submit(applicant=citizen, procedure=proc, agency=agency, form_data=form,
                                           uploads={}, idempotency_key=f"bench-track-{i}")
    if i %% 2 == 0:
        d = services.dossier_receive(dossier=d, actor=clerk)
    found.append([d.code, d.tracking_secret])
print(json.dumps(found))
"""


def run() -> dict:
    use_pg = _server.postgres_available()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(_server.postgres_database()) if use_pg else None
        redis_url = stack.enter_context(_server.redis_database())
        extra = {"TINHSO_BENCH_ENDPOINTS": "1", **({"REDIS_URL": redis_url} if redis_url else {})}
        with _server.installation(database_url=url, extra_env=extra) as inst:
            pairs = json.loads(inst.python(SETUP_CODE % {"proc": PROCEDURE, "n": DOSSIERS}).strip().splitlines()[-1])
            paths = [f"/api/v1/dossiers/tracking/{quote(code)}?secret={quote(secret)}" for code, secret in pairs]

            def tracking(client: _server.Client, index: int, seq: int):
                status, data = client.request("GET", paths[(index * 31 + seq) % len(paths)])
                if status != 200:
                    raise RuntimeError(f"tracking → {status}: {data[:200]!r}")
                return None

            def constant(client: _server.Client, index: int, seq: int):
                status, data = client.request("GET", "/bench/constant")
                if status != 200:
                    raise RuntimeError(f"constant → {status}: {data[:200]!r}")
                return None

            with _server.gunicorn(inst, workers=WORKERS) as port:
                base = _server.run_load(port, constant, clients=CLIENTS, duration=DURATION).summary()
                track = _server.run_load(port, tracking, clients=CLIENTS, duration=DURATION).summary()
    ratio = round(track["throughput_per_s"] / base["throughput_per_s"], 3) if base["throughput_per_s"] else None
    ok = bool(ratio is not None and ratio >= TARGET_RATIO and track["p99_ms"] is not None
              and track["p99_ms"] <= TARGET_P99_MS and track["errors"] == 0 and base["errors"] == 0)
    return {
        "ok": ok,
        "load_average_after": _server.load_average(),
        "database": "postgresql" if use_pg else "sqlite",
        "cache_and_broker": "redis" if redis_url else "embedded (file cache, SQLite broker)",
        "workers": WORKERS,
        "clients": CLIENTS,
        "duration_s": DURATION,
        "dossiers": DOSSIERS,
        "target_ratio": TARGET_RATIO,
        "target_p99_ms": TARGET_P99_MS,
        "ratio": ratio,
        "tracking": track,
        "constant": base,
        "summary": (
            f"tracking {track['throughput_per_s']}/s p50 {track['p50_ms']} ms p99 {track['p99_ms']} ms, "
            f"constant {base['throughput_per_s']}/s p99 {base['p99_ms']} ms → ratio {ratio} "
            f"(target ≥ {TARGET_RATIO}, p99 ≤ {TARGET_P99_MS:.0f} ms); errors {track['errors']}+{base['errors']}"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
