"""The Celery application: a SQLite broker in the embedded default, Redis when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")

app = Celery("tinhso")
# Also the default for threads that never set a current app (threaded servers, tests): otherwise
# a shared_task used there resolves to Celery's unconfigured fallback app and its AMQP defaults.
app.set_default()
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def prepare_broker() -> None:
    """Declare the default queue once before the worker and beat start.

    On the embedded SQLite broker (kombu's SQLAlchemy transport) the worker and the embedded
    beat would otherwise both create the queue row at start-up; the loser gets an
    IntegrityError and its channel stays broken. Declaring it first makes start-up race-free.
    """
    queue = app.amqp.queues[app.conf.task_default_queue]
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        queue.bind(conn.default_channel).declare()
