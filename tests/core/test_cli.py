"""The `tinhso` command passes manage.py commands through and serves with gunicorn."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tinhso import cli

BIN = Path(sys.executable).parent


def test_manage_commands_pass_through(capsys):
    assert cli.main(["help", "--commands"]) == 0
    out = capsys.readouterr().out
    for command in ("migrate", "demo", "setup"):
        assert command in out.split()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_gunicorn_and_answers_healthz(tmp_path):
    """`tinhso serve` starts a real gunicorn that serves /healthz; it stops on SIGTERM."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update({"TINHSO_VAR_DIR": str(tmp_path), "TINHSO_ENV": "development"})
    port = _free_port()
    proc = subprocess.Popen(  # noqa: S603
        [str(BIN / "tinhso"), "serve", "--port", str(port), "--workers", "1", "--no-worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:  # noqa: S310
                    body = r.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body == b'{"status": "ok"}'
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert proc.returncode is not None
