"""The Celery application: a SQLite broker in the embedded default, Redis when REDIS_URL is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.config.settings")

app = Celery("tinhso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
