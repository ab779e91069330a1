"""Fixtures of the dossiers tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.dossiers.factories import ProcedureFactory, Team
from tests.factories import UserFactory
from tinhso.workflow.calendar import TZ, clear_cache


@pytest.fixture(autouse=True)
def _fresh_calendar():
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def team(agency):
    return Team(agency)


@pytest.fixture
def procedure(agency):
    return ProcedureFactory(agency=agency)


@pytest.fixture
def free_procedure(agency):
    return ProcedureFactory(agency=agency, fee=0)


@pytest.fixture
def citizen(db):
    return UserFactory()


class Clock:
    """A settable ``timezone.now`` (local Vietnam times)."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, year, month, day, hour=10, minute=0):
        self.now = dt.datetime(year, month, day, hour, minute, tzinfo=TZ)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def local(year, month, day, hour=17, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)
