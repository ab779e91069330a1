"""Production settings fail fast on missing secrets, and `check --deploy` is clean."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides)
    env["DJANGO_SETTINGS_MODULE"] = "tinhso.config.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = run_manage(["check"], TINHSO_ENV="production", ALLOWED_HOSTS="tinhso.example.vn", TINHSO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key(tmp_path):
    result = run_manage(
        ["check"], TINHSO_ENV="production", SECRET_KEY="short", ALLOWED_HOSTS="tinhso.example.vn", TINHSO_VAR_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_manage(["check"], TINHSO_ENV="production", SECRET_KEY=secrets.token_urlsafe(64), TINHSO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_check_deploy_reports_nothing_under_production_settings(tmp_path):
    result = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        TINHSO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="tinhso.example.vn",
        TINHSO_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unknown_environment_name_is_rejected(tmp_path):
    result = run_manage(["check"], TINHSO_ENV="staging", TINHSO_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "TINHSO_ENV" in result.stderr


@pytest.mark.parametrize(
    ("url", "engine"),
    [
        ("sqlite:////tmp/x.sqlite3", "django.db.backends.sqlite3"),
        ("postgres://u:p@db.example.vn:5432/tinhso", "django.db.backends.postgresql"),
    ],
)
def test_database_url_selects_the_engine(tmp_path, url, engine):
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tinhso.config.settings", "TINHSO_VAR_DIR": str(tmp_path)}
    env.pop("TINHSO_ENV", None)
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    assert out.stdout.strip() == engine, out.stderr


def test_redis_url_switches_cache_and_broker(tmp_path):
    code = (
        "from django.conf import settings; "
        "print(settings.CACHES['default']['BACKEND']); print(settings.CELERY_BROKER_URL)"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/3", "DJANGO_SETTINGS_MODULE": "tinhso.config.settings", "TINHSO_VAR_DIR": str(tmp_path)}
    env.pop("TINHSO_ENV", None)
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    backend, broker = out.stdout.split()
    assert backend == "tinhso.core.cache.RedisCache"
    assert broker == "redis://127.0.0.1:6379/3"


def test_embedded_default_uses_sqlite_broker_and_private_media(tmp_path):
    code = "from django.conf import settings; print(settings.CELERY_BROKER_URL); print(settings.STORAGES['default']['OPTIONS']['location'])"
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TINHSO_ENV", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "tinhso.config.settings", "TINHSO_VAR_DIR": str(tmp_path)})
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {code}"], capture_output=True, text=True, env=env, timeout=60)  # noqa: S603
    broker, media = out.stdout.split()
    assert broker.startswith("sqla+sqlite:///")
    assert media == str(tmp_path / "media")
