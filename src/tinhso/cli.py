"""The ``tinhso`` command.

``tinhso serve``  serve the platform with gunicorn (static files through whitenoise) and, in the
                  embedded default, a Celery worker with beat on the SQLite broker.
``tinhso setup``  migrate, collect static files, load the demo province when the database is empty.
``tinhso demo``   load the demo province (idempotent); ``--scale N`` adds synthetic volume.
``tinhso <cmd>``  any manage.py command (``tinhso migrate``, ``tinhso audit verify`` …).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess  # noqa: S404 - we start our own gunicorn and celery processes
import sys
import time


def _django_env() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")


DEFAULT_THREADS = 1


def gunicorn_command(*, bind: str, workers: int, threads: int, access_log: bool = True) -> list[str]:
    """The gunicorn command line of the platform (``tinhso serve`` and the benchmarks).

    With ``threads`` > 1, threaded workers (``gthread``): a request waiting for the database leaves
    the CPU to another request of the same worker. With ``threads`` = 1, gunicorn's plain sync
    workers (one request at a time per process)."""
    return [
        sys.executable, "-m", "gunicorn", "tinhso.config.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        *(["--worker-class", "gthread", "--threads", str(threads)] if threads > 1 else ["--worker-class", "sync"]),
        "--timeout", "60",
        "--graceful-timeout", "20",
        "--max-requests", "2000",
        "--max-requests-jitter", "200",
        *(["--access-logfile", "-"] if access_log else []),
    ]


def serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tinhso serve", description="Serve Tỉnh số with gunicorn.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", str(DEFAULT_THREADS))),
                        help=f"threads per worker (default {DEFAULT_THREADS}, or WEB_THREADS; 1 = sync workers)")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        default=os.environ.get("TINHSO_EMBEDDED_WORKER", "1") == "0",
        help="do not start the embedded Celery worker (run workers separately)",
    )
    args = parser.parse_args(argv)
    _django_env()
    python = sys.executable
    web = gunicorn_command(bind=f"{args.host}:{args.port}", workers=args.workers, threads=args.threads)
    procs = [subprocess.Popen(web)]  # noqa: S603 - fixed argument list
    if not args.no_worker:
        from tinhso.config.celery import prepare_broker

        prepare_broker()
        worker = [
            python, "-m", "celery", "-A", "tinhso.config", "worker", "--beat",
            "--loglevel", "INFO", "--concurrency", "1", "--without-gossip", "--without-mingle",
        ]
        procs.append(subprocess.Popen(worker))  # noqa: S603 - fixed argument list

    def stop(*_args) -> None:
        for p in procs:
            if p.poll() is None:
                p.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
    finally:
        stop()
        for p in procs:
            try:
                p.wait(timeout=25)
            except subprocess.TimeoutExpired:
                p.kill()
    return max((p.returncode or 0) for p in procs)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "serve":
        return serve(argv[1:])
    _django_env()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tinhso", *argv])
    return 0


if __name__ == "__main__":
    sys.exit(main())
