"""Public calendar endpoints under /api/v1/workflow."""

from __future__ import annotations

import pytest

from tinhso.workflow.services import calendar_seed_year

pytestmark = pytest.mark.django_db

HOLIDAYS = "/api/v1/workflow/calendar/holidays"
ADD = "/api/v1/workflow/calendar/add-working-days"


def test_holidays_of_a_year_are_public(client):
    calendar_seed_year(year=2026)
    calendar_seed_year(year=2027)
    response = client.get(HOLIDAYS, {"year": 2026})
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 11
    assert rows[0] == {"date": "2026-01-01", "name": "Tết Dương lịch", "kind": "holiday",
                       "kind_label": "Ngày lễ, Tết", "note": ""}
    assert [r["date"] for r in rows if "Nguyên đán" in r["name"]] == [f"2026-02-{d}" for d in range(16, 21)]


@pytest.mark.parametrize("year", ["abc", "1800", "99999"])
def test_holidays_bad_year(client, year):
    response = client.get(HOLIDAYS, {"year": year})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_add_working_days(client):
    calendar_seed_year(year=2026)
    response = client.get(ADD, {"start": "2026-02-13T16:00:00+07:00", "days": 1, "cutoff": "15:00",
                                "start_next_working_day": "false"})
    assert response.status_code == 200
    body = response.json()
    assert body["due"] == "2026-02-23T17:00:00+07:00"
    assert body["rule"] == {"cutoff": "15:00", "start_next_working_day": False, "due_time": "17:00"}

    # Default rule, naive start = Vietnam time, UTC input converted
    assert client.get(ADD, {"start": "2026-02-13T10:00:00", "days": 1}).json()["due"] == "2026-02-23T17:00:00+07:00"
    assert client.get(ADD, {"start": "2026-02-13T03:00:00Z", "days": 3}).json()["due"] == "2026-02-25T17:00:00+07:00"


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-13T10:00:00", "days": -1},
        {"start": "2026-02-13T10:00:00", "days": 100000},
        {"start": "hôm qua", "days": 1},
        {"days": 1},
        {"start": "2026-02-13T10:00:00", "days": 1, "cutoff": "25:99"},
    ],
)
def test_add_working_days_bad_input(client, params):
    response = client.get(ADD, params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
