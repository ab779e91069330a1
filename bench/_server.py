"""Shared helpers of the benchmarks: a throwaway installation (temporary TINHSO_VAR_DIR, optionally a
throwaway PostgreSQL database), ``tinhso`` commands run in it, a real gunicorn on a free loopback
port, and a closed-loop load generator (N client threads with keep-alive connections).

Everything stays on 127.0.0.1 and is cleaned up on exit (server stopped, database dropped,
directory removed), also when a benchmark fails half-way.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
SETUP_TIMEOUT = 900
START_TIMEOUT = 60
REQUEST_TIMEOUT = 15
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(var_dir: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a throwaway installation: development settings, DEBUG off, our own
    TINHSO_VAR_DIR, no inherited database/broker URLs (``extra`` may set DATABASE_URL)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tinhso.config.settings",
            "TINHSO_ENV": "development",
            "DEBUG": "0",
            "TINHSO_VAR_DIR": var_dir,
            "PYTHONPATH": str(REPO_DIR / "src") + os.pathsep + env.get("PYTHONPATH", ""),
        }
    )
    env.update(extra or {})
    return env


def fetch(port: int, path: str, *, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_available() -> bool:
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@contextlib.contextmanager
def postgres_database(name: str | None = None) -> Iterator[str]:
    """A throwaway database ``tinhso_bench_<pid>``; yields its DATABASE_URL, drops it at the end."""
    import psycopg

    name = name or f"tinhso_bench_{os.getpid()}"
    with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- Redis (cache and broker of a production-like installation) ------------------------------

REDIS_BENCH_URL = os.environ.get("TINHSO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_available(url: str = REDIS_BENCH_URL) -> bool:
    try:
        import redis
    except ImportError:
        return False
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=3).ping())
    except redis.RedisError:
        return False


@contextlib.contextmanager
def redis_database(url: str = REDIS_BENCH_URL) -> Iterator[str | None]:
    """Yields ``url`` (a Redis database emptied before and after) when Redis answers, else None:
    the installation then falls back to the embedded cache and broker."""
    if not redis_available(url):
        yield None
        return
    import redis

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        yield url
    finally:
        client.flushdb()
        client.close()


# --- installation, commands, server ------------------------------------------------------------


@dataclass
class Install:
    var_dir: str
    env: dict[str, str]

    def tinhso(self, *args: str, timeout: float = SETUP_TIMEOUT) -> subprocess.CompletedProcess:
        """Run a ``tinhso`` command in this installation (raises RuntimeError when it fails)."""
        done = subprocess.run(
            [sys.executable, "-m", "tinhso.cli", *args],
            cwd=self.var_dir, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tinhso {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-4000:]}")
        return done

    def python(self, code: str, *, timeout: float = SETUP_TIMEOUT) -> str:
        """Run ``code`` with Django set up in this installation; returns its stdout."""
        script = "import django\ndjango.setup()\n" + code
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=self.var_dir, env=self.env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"python step failed:\n{(done.stdout + done.stderr)[-4000:]}")
        return done.stdout


@contextlib.contextmanager
def installation(*, database_url: str | None = None, extra_env: dict[str, str] | None = None,
                 setup: bool = True) -> Iterator[Install]:
    """A temporary TINHSO_VAR_DIR (removed at the end), ``tinhso setup`` (migrate, static files,
    demo province) already run when ``setup``."""
    var_dir = tempfile.mkdtemp(prefix="tinhso-bench-")
    extra = dict(extra_env or {})
    if database_url:
        extra["DATABASE_URL"] = database_url
    inst = Install(var_dir=var_dir, env=base_env(var_dir, extra))
    try:
        if setup:
            inst.tinhso("setup")
        yield inst
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


BENCH_THREADS = int(os.environ.get("TINHSO_BENCH_THREADS", "0"))  # 0: the serve default


@contextlib.contextmanager
def gunicorn(inst: Install, *, workers: int = 1, threads: int | None = None,
             extra_args: tuple[str, ...] = ()) -> Iterator[int]:
    """Serve the installation with gunicorn on a free loopback port, with the command line of
    ``tinhso serve`` (``tinhso.cli.gunicorn_command``: threaded workers); yields the port. Stops
    the whole process group at the end."""
    from tinhso.cli import DEFAULT_THREADS, gunicorn_command

    port = free_port()
    threads = threads or BENCH_THREADS or DEFAULT_THREADS
    command = gunicorn_command(bind=f"127.0.0.1:{port}", workers=workers, threads=threads, access_log=False)
    server = subprocess.Popen(
        [*command, "--log-level", "warning", *extra_args],
        cwd=inst.var_dir, env=inst.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if fetch(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                err = server.stderr.read().decode("utf-8", "replace")[-4000:] if server.stderr else ""
                raise RuntimeError(f"gunicorn did not start:\n{err}")
            time.sleep(0.2)
        yield port
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=5)


# --- load generation ---------------------------------------------------------------------------


class Client:
    """One keep-alive HTTP connection (reopened transparently when the server closes it)."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)

    def request(self, method: str, path: str, *, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            reused = self.conn.sock is not None
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return resp.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A reused keep-alive connection the server had already closed: the request was
                # not processed, retry once on a new connection. A fresh connection failing is an
                # error (the request may have been processed).
                self.conn.close()
                if attempt == 2 or not reused:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    results: list = field(default_factory=list)

    def summary(self) -> dict:
        lat = sorted(self.latencies)
        ms = lambda v: None if v is None else round(v * 1000, 2)  # noqa: E731
        return {
            "completed": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 2),
            "throughput_per_s": round(self.ok / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": ms(percentile(lat, 50)),
            "p95_ms": ms(percentile(lat, 95)),
            "p99_ms": ms(percentile(lat, 99)),
            "max_ms": ms(lat[-1]) if lat else None,
            "mean_ms": ms(statistics.fmean(lat)) if lat else None,
            "error_samples": self.error_samples[:5],
        }


def run_load(port: int, op: Callable[[Client, int, int], object], *, clients: int = 16,
             duration: float = 20.0, warmup: float = 2.0) -> LoadResult:
    """Closed loop: ``clients`` threads call ``op(client, client_index, sequence)`` back to back
    for ``warmup`` + ``duration`` seconds; only operations started after the warm-up count.
    ``op`` returns a value kept in ``results`` (success) or raises (error)."""
    result = LoadResult()
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    t0 = [0.0]

    def worker(index: int) -> None:
        client = Client(port)
        seq = 0
        start_gate.wait()
        measure_from = t0[0] + warmup
        stop_at = measure_from + duration
        try:
            while True:
                started = time.monotonic()
                if started >= stop_at:
                    break
                seq += 1
                try:
                    value = op(client, index, seq)
                    failed = None
                except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
                    failed = f"{type(exc).__name__}: {exc}"[:300]
                    value = None
                    client.close()
                elapsed = time.monotonic() - started
                with lock:
                    if failed is None:
                        result.results.append(value)  # kept even in warm-up (for verification)
                    if started < measure_from:
                        continue
                    if failed is None:
                        result.ok += 1
                        result.latencies.append(elapsed)
                    else:
                        result.errors += 1
                        result.error_samples.append(failed)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    t0[0] = time.monotonic()
    start_gate.wait()
    for t in threads:
        t.join(timeout=warmup + duration + 4 * REQUEST_TIMEOUT)
    result.seconds = duration
    return result


def load_average() -> list[float]:
    """1/5/15-minute load averages: other work on the machine skews the absolute figures."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []


def skipped(reason: str, **extra) -> dict:
    """A benchmark that could not run here: reported, not counted as a failure."""
    return {"ok": True, "skipped": True, "summary": f"skipped: {reason}", **extra}
