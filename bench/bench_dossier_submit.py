"""Dossier submission throughput on PostgreSQL, next to a bare-insert baseline in the same server.

A throwaway database ``tinhso_bench_<pid>`` on 127.0.0.1:5432 (user postgres; dropped at the end)
and, when Redis answers on 127.0.0.1:6379, Redis database 13 as cache and broker (the production
topology; emptied before and after), ``tinhso setup`` (demo province), then a setup step creates
16 citizens with an API token each (``tinhso.accounts.services.api_token_create``). gunicorn
serves with 2 workers and TINHSO_BENCH_ENDPOINTS=1. Three phases, 16 concurrent clients each
(threads, keep-alive connections), ``DURATION`` seconds after a warm-up:

* baseline — ``POST /bench/bare-insert`` with the JSON body of a submission and the same token:
  only the rows a submission writes (the dossier, its transition-log row, the applicant's
  notification rows), in one transaction, without any of the logic;
* submission (the target) — ``POST /api/v1/dossiers/apply``, the API's submission endpoint
  (multipart; no file: the procedure requires none) with a unique ``Idempotency-Key``: form
  validation against the procedure's schema, agency check, idempotency, code counter, fee, the
  state machine (transition log), the audit chain, notifications to the applicant and the
  agency's clerks (outbox rows and a broker message after commit);
* two calls (reported, not the target) — ``POST /api/v1/dossiers`` (draft) then
  ``POST /api/v1/dossiers/{id}/submit``, as a client that saves a draft first.

Target: submissions/s ≥ 0.35 × bare inserts/s, 0 errors. Afterwards the database is checked:
submitted dossiers == acknowledged submissions (including the warm-up), no duplicate codes. The
procedure is "Xác nhận thông tin về cư trú" (1.004194, no document required, so the submission
carries no upload), at the commune People's Committees (spread over all of them).

Environment: TINHSO_BENCH_DURATION (seconds, default 20), TINHSO_BENCH_CLIENTS (default 16).
"""

from __future__ import annotations

import json
import os
import uuid

import _server

TARGET_RATIO = 0.35
PROCEDURE = "1.004194"
DURATION = float(os.environ.get("TINHSO_BENCH_DURATION", "20"))
CLIENTS = int(os.environ.get("TINHSO_BENCH_CLIENTS", "16"))
WORKERS = 2

SETUP_CODE = """
import datetime as dt, json
from django.utils import timezone
from tinhso.accounts.models import User
from tinhso.accounts.services import api_token_create
from tinhso.procedures.models import Procedure
from tinhso.procedures.selectors import receiving_agencies
from tinhso.dossiers.services import validate_form

proc = Procedure.objects.get(code=%(proc)r)
agencies = list(receiving_agencies(procedure=proc))
tokens = []
for i in range(%(clients)d):
    user, _ = User.objects.get_or_create(
        email=f"bench-citizen-{i:02d}@bench.tinhso.invalid",
        defaults={"full_name": f"Công dân thử tải {i + 1}", "kind": "citizen", "password": "!bench"},
    )
    _row, plain = api_token_create(actor=None, user=user, name="bench", scopes=[],
                                   expires_at=timezone.now() + dt.timedelta(days=1))
    tokens.append(plain)
form = {"ho_ten_nguoi_yeu_cau": "Nguyễn Văn Thử", "cccd_nguoi_yeu_cau": "096090001234",
        "dien_thoai": "0912345678", "noi_cu_tru": agencies[0].admin_unit.code,
        "dia_chi": "Số 1, khóm 2", "noi_dung": "thuong_tru", "muc_dich": "Bổ túc hồ sơ việc làm"}
validate_form(procedure=proc, form_data=form)  # raises if the sample form is not valid
print(json.dumps({"tokens": tokens, "agencies": [str(a.public_id) for a in agencies], "form": form}))
"""

VERIFY_CODE = """
import json
from django.db.models import Count
from tinhso.dossiers.models import Dossier
bench = Dossier.objects.filter(applicant__email__endswith="@bench.tinhso.invalid")
real = bench.exclude(status="draft").exclude(code__isnull=True)
dupes = real.values("code").annotate(n=Count("id")).filter(n__gt=1).count()
print(json.dumps({
    "submitted": real.count(),
    "drafts_left": bench.filter(status="draft", code__isnull=True).count(),
    "bare_rows": bench.filter(code__isnull=True).exclude(status="draft").count(),
    "duplicate_codes": dupes,
    "distinct_keys": real.exclude(idempotency_key__isnull=True).values("idempotency_key").distinct().count(),
}))
"""


def _phase_ops(setup: dict):
    tokens, agencies, form = setup["tokens"], setup["agencies"], setup["form"]

    def body(index: int, seq: int) -> bytes:
        return json.dumps({"procedure_code": PROCEDURE, "agency": agencies[(index * 7 + seq) % len(agencies)],
                           "form_data": form}).encode()

    def headers(index: int, **extra) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[index]}", "Content-Type": "application/json", **extra}

    def real(client: _server.Client, index: int, seq: int):
        status, data = client.request("POST", "/api/v1/dossiers", body=body(index, seq), headers=headers(index))
        if status != 201:
            raise RuntimeError(f"draft → {status}: {data[:200]!r}")
        public_id = json.loads(data)["id"]
        key = str(uuid.uuid4())
        status, data = client.request("POST", f"/api/v1/dossiers/{public_id}/submit", body=b"",
                                      headers=headers(index, **{"Idempotency-Key": key}))
        if status != 200:
            raise RuntimeError(f"submit → {status}: {data[:200]!r}")
        return json.loads(data)["code"]

    def apply(client: _server.Client, index: int, seq: int):
        boundary = uuid.uuid4().hex
        fields = {"procedure_code": PROCEDURE, "agency": agencies[(index * 7 + seq) % len(agencies)],
                  "form_data": json.dumps(form, ensure_ascii=False)}
        data = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
                       for k, v in fields.items()) + f"--{boundary}--\r\n"
        status, resp = client.request("POST", "/api/v1/dossiers/apply", body=data.encode(), headers={
            "Authorization": f"Bearer {tokens[index]}", "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        if status != 201:
            raise RuntimeError(f"apply → {status}: {resp[:200]!r}")
        return json.loads(resp)["code"]

    def bare(client: _server.Client, index: int, seq: int):
        status, data = client.request("POST", "/bench/bare-insert", body=body(index, seq), headers=headers(index))
        if status != 201:
            raise RuntimeError(f"bare-insert → {status}: {data[:200]!r}")
        return None

    return real, apply, bare


def run() -> dict:
    if not _server.postgres_available():
        return _server.skipped("PostgreSQL unavailable on 127.0.0.1:5432")
    with _server.postgres_database() as url, _server.redis_database() as redis_url:
        extra = {"TINHSO_BENCH_ENDPOINTS": "1", **({"REDIS_URL": redis_url} if redis_url else {})}
        with _server.installation(database_url=url, extra_env=extra) as inst:
            setup = json.loads(inst.python(SETUP_CODE % {"proc": PROCEDURE, "clients": CLIENTS}).strip().splitlines()[-1])
            two_step_op, apply_op, bare_op = _phase_ops(setup)
            with _server.gunicorn(inst, workers=WORKERS) as port:
                bare = _server.run_load(port, bare_op, clients=CLIENTS, duration=DURATION)
                submit = _server.run_load(port, apply_op, clients=CLIENTS, duration=DURATION)
                two_step = _server.run_load(port, two_step_op, clients=CLIENTS, duration=DURATION)
            check = json.loads(inst.python(VERIFY_CODE).strip().splitlines()[-1])
    acknowledged = len(submit.results) + len(two_step.results)
    codes = [c for c in submit.results + two_step.results if c]
    b, a, t = bare.summary(), submit.summary(), two_step.summary()
    ratio = round(a["throughput_per_s"] / b["throughput_per_s"], 3) if b["throughput_per_s"] else None
    two_step_ratio = round(t["throughput_per_s"] / b["throughput_per_s"], 3) if b["throughput_per_s"] else None
    consistent = check["submitted"] == acknowledged and check["duplicate_codes"] == 0 and len(set(codes)) == len(codes)
    errors = a["errors"] + t["errors"] + b["errors"]
    ok = bool(ratio is not None and ratio >= TARGET_RATIO and errors == 0 and consistent)
    return {
        "ok": ok,
        "load_average_after": _server.load_average(),
        "database": "postgresql",
        "cache_and_broker": "redis" if redis_url else "embedded (file cache, SQLite broker)",
        "workers": WORKERS,
        "clients": CLIENTS,
        "duration_s": DURATION,
        "procedure": PROCEDURE,
        "target_ratio": TARGET_RATIO,
        "ratio": ratio,
        "submission": a,
        "bare_insert": b,
        "two_step_ratio": two_step_ratio,
        "two_step_draft_then_submit": t,
        "acknowledged_submissions": acknowledged,
        "verification": check,
        "consistent": consistent,
        "summary": (
            f"submission (POST /api/v1/dossiers/apply) {a['throughput_per_s']}/s p50 {a['p50_ms']} ms "
            f"p99 {a['p99_ms']} ms, bare inserts {b['throughput_per_s']}/s p99 {b['p99_ms']} ms → ratio {ratio} "
            f"(target ≥ {TARGET_RATIO}); draft + submit in two calls {t['throughput_per_s']}/s p99 {t['p99_ms']} ms "
            f"(ratio {two_step_ratio}); errors {errors}; {check['submitted']} dossiers for {acknowledged} "
            f"acknowledged, {check['duplicate_codes']} duplicate codes"
        ),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, ensure_ascii=False))
