"""Benchmark runner (``make bench``).

Every module ``bench/bench_<name>.py`` exposing ``run() -> dict`` is a benchmark. The runner
calls each one (or only those named on the command line), writes its result to
``bench/results/<name>.json`` and prints a summary. A benchmark reports whether it met its
target with ``"ok": true|false`` and may give a one-line ``"summary"``; the exit status is 1
when any benchmark failed its target or raised.

    python bench/run.py                  # every benchmark
    python bench/run.py page_weight      # only bench_page_weight.py
"""

from __future__ import annotations

import datetime
import importlib
import json
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
REPO_DIR = BENCH_DIR.parent


def discover() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run_one(name: str) -> dict:
    started = time.monotonic()
    try:
        module = importlib.import_module(f"bench_{name}")
        result = module.run()
        if not isinstance(result, dict):
            raise TypeError(f"bench_{name}.run() returned {type(result).__name__}, not dict")
    except Exception as exc:  # noqa: BLE001 - a broken benchmark is reported, the others still run
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    result.setdefault("ok", True)
    result["benchmark"] = name
    result["seconds"] = round(time.monotonic() - started, 2)
    result["measured_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result["commit"] = _git_commit()
    result["python"] = platform.python_version()
    result["machine"] = f"{platform.system()} {platform.machine()}"
    return result


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(BENCH_DIR))
    available = discover()
    names = argv or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}", file=sys.stderr)
        return 2
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in names:
        print(f"==> {name}", flush=True)
        result = run_one(name)
        path = RESULTS_DIR / f"{name}.json"
        path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        status = "ok" if result["ok"] else "FAILED"
        print(f"    {status} in {result['seconds']} s — {result.get('summary') or result.get('error', '')}")
        print(f"    → {path.relative_to(REPO_DIR)}")
        if not result["ok"]:
            failed.append(name)
    print(f"\n{len(names) - len(failed)}/{len(names)} benchmarks met their target.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
