"""Every periodic job in the beat schedule names a task the Celery app really has."""

from django.conf import settings


def test_every_beat_entry_names_a_registered_task():
    from tinhso.config.celery import app

    app.loader.import_default_modules()
    registered = set(app.tasks)
    missing = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
               if entry["task"] not in registered}
    assert not missing, missing
    assert "feedback-close-due-consultations" in settings.CELERY_BEAT_SCHEDULE
