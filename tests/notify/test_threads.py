"""Tasks enqueued from a thread that never set a current Celery app use the platform's app."""

import threading

from celery import current_app

from tinhso.config.celery import app


def test_threads_resolve_shared_tasks_to_the_platform_app():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(current_app._get_current_object()))
    thread.start()
    thread.join()
    assert seen == [app]
    assert seen[0].conf.task_always_eager is True  # the test settings, not Celery's defaults
