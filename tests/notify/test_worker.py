"""A real Celery worker delivers outbox rows: on Redis (as in production) and on the embedded
SQLite broker (no server at all).

The worker runs in a thread of this process, so it shares the test database (``transaction=True``
commits the rows it must see) and Django's locmem mail outbox.
"""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import TestWorkController, start_worker
from django.core import mail
from django.db import transaction

from tinhso.notify.models import Notification, Status
from tinhso.notify.services import notify

WAIT_SECONDS = 20


class BoundedWorker(TestWorkController):
    """Signals "started" even when starting fails, so the test fails by timeout instead of hanging."""

    start_error: BaseException | None = None

    def start(self):
        try:
            return super().start()
        except BaseException as exc:
            self.start_error = exc
            raise
        finally:
            self._on_started.set()


def _use_broker(app, broker_url: str) -> None:
    app.conf.update(broker_url=broker_url, task_always_eager=False, worker_hijack_root_logger=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        app.control.purge()  # messages left by an earlier, interrupted run
    except Exception:  # noqa: S110 - an empty or not yet declared queue is fine
        pass


def _deliver_through_worker(app, user) -> Notification:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30,
                      WorkController=BoundedWorker) as worker:
        assert worker.start_error is None, f"the worker did not start: {worker.start_error!r}"
        with transaction.atomic():
            row = notify(recipients=[user], event="dossier.received", subject="Hồ sơ đã được tiếp nhận",
                         body="Nội dung", url="/ho-so/1", channels=("in_app", "email"))
            email_row = next(r for r in row if r.channel == "email")
        # committed: the on-commit hook published deliver([id]) to the broker
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            email_row.refresh_from_db()
            if email_row.status not in (Status.PENDING, Status.SENDING):
                break
            time.sleep(0.1)
    return email_row


def _assert_delivered(row: Notification) -> None:
    assert row.status == Status.SENT, f"not delivered within {WAIT_SECONDS}s: {row.status} {row.last_error}"
    assert row.attempts == 1
    assert [m.to for m in mail.outbox] == [["alice@example.vn"]]
    assert mail.outbox[0].subject == "Hồ sơ đã được tiếp nhận"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_redis(alice, celery_config):
    url = os.environ.get("TINHSO_TEST_REDIS_URL", "")
    if not url:
        message = "TINHSO_TEST_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/15)"
        if os.environ.get("TINHSO_REQUIRE_SERVICES") == "1":
            pytest.fail(f"TINHSO_REQUIRE_SERVICES=1 but {message}")
        pytest.skip(message)
    _use_broker(celery_config, url)
    _assert_delivered(_deliver_through_worker(celery_config, alice))


@pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated")  # inside kombu
@pytest.mark.django_db(transaction=True)
def test_real_worker_on_embedded_sqlite_broker(alice, celery_config, tmp_path):
    _use_broker(celery_config, f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}")
    _assert_delivered(_deliver_through_worker(celery_config, alice))


def test_celery_config_is_restored_after_the_worker_tests(celery_config):
    from django.conf import settings

    assert celery_config.conf.task_always_eager is True
    assert celery_config.conf.broker_url == settings.CELERY_BROKER_URL
