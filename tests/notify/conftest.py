"""Fixtures of the notify tests: users with and without addresses, and a Celery app whose
configuration is restored after a test changes it."""

from __future__ import annotations

import pytest

from tinhso.accounts.models import User
from tinhso.config.celery import app as celery_app


def make_user(email: str | None = None, phone: str | None = None, **extra) -> User:
    return User.objects.create_user(email=email, phone=phone, full_name=extra.pop("full_name", "Người dùng"), **extra)


@pytest.fixture
def alice(db) -> User:
    return make_user("alice@example.vn", "0912345678", full_name="Nguyễn Thị An")


@pytest.fixture
def bob(db) -> User:
    return make_user("bob@example.vn", full_name="Trần Văn Bình")


@pytest.fixture
def phone_only(db) -> User:
    from tinhso.accounts.services import user_register

    return user_register(full_name="Lê Văn Chín", login="0987654321", password="mat-khau-dai-123-xyz")


@pytest.fixture
def log_sms(settings):
    settings.TINHSO_NOTIFY_PROVIDERS = {"sms": "tinhso.notify.channels.LogSmsProvider"}


_CELERY_KEYS = (
    "broker_url", "task_always_eager", "task_eager_propagates", "broker_transport_options",
    "worker_hijack_root_logger",
)


@pytest.fixture
def celery_config():
    """Yields the Celery app; whatever the test changes in the listed settings is restored, and
    the connection pools are dropped so the next test connects to the original broker."""
    saved = {key: celery_app.conf.get(key) for key in _CELERY_KEYS}

    def reset_pools():
        if celery_app._pool is not None:
            celery_app._pool.force_close_all()
        celery_app._pool = None
        amqp = celery_app.__dict__.get("amqp")
        if amqp is not None:
            amqp._producer_pool = None

    reset_pools()
    yield celery_app
    celery_app.conf.update(saved)
    reset_pools()
