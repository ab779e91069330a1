"""Fixtures of the workflow tests: a throw-away model for the state machine, users, and an
in-memory calendar with Vietnam's public holidays."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models

from tinhso.accounts.models import User
from tinhso.workflow.calendar import WorkingCalendar, clear_cache
from tinhso.workflow.holidays import vietnam_public_holidays


class Ticket(models.Model):
    """Only exists in the test database (created below, never migrated)."""

    status = models.CharField(max_length=20, default="draft")
    title = models.CharField(max_length=100, blank=True)
    handled_by = models.CharField(max_length=100, blank=True)

    class Meta:
        app_label = "workflow"
        db_table = "workflow_test_ticket"

    def __str__(self) -> str:
        return self.title or f"ticket {self.pk}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        tables = connection.introspection.table_names()
        if Ticket._meta.db_table not in tables:
            with connection.schema_editor() as editor:
                editor.create_model(Ticket)
        # Committed now, so that the content-type cache never points at a rolled-back row.
        ContentType.objects.clear_cache()
        ContentType.objects.get_for_model(Ticket)


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    clear_cache()
    yield
    clear_cache()


def make_user(email: str, **extra) -> User:
    return User.objects.create_user(email=email, password="mat-khau-dai-123", full_name=extra.pop("full_name", email), **extra)


@pytest.fixture
def citizen(db) -> User:
    return make_user("dan@example.vn", full_name="Nguyễn Văn Dân")


@pytest.fixture
def clerk(db) -> User:
    return make_user("canbo@example.vn", full_name="Trần Thị Cán Bộ", kind="official")


@pytest.fixture
def calendar_admin(db) -> User:
    user = make_user("lich@example.vn", full_name="Quản trị lịch", kind="official", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="workflow", codename__endswith="_holiday")
    )
    return User.objects.get(pk=user.pk)  # fresh: permission cache


def vietnam_calendar(years=range(2024, 2029), extra=None) -> WorkingCalendar:
    exceptions = {h.date: False for y in years for h in vietnam_public_holidays(y)}
    exceptions.update(extra or {})
    return WorkingCalendar(exceptions)


@pytest.fixture(scope="session")
def vn_calendar() -> WorkingCalendar:
    return vietnam_calendar()
