"""tinhso.core.sequences.take_next: consecutive numbers per key, a new key starts at 1, and a
rolled-back transaction gives its number back."""

import datetime as dt

import pytest
from django.db import transaction

from tinhso.core.sequences import take_next
from tinhso.dossiers.models import DossierCounter
from tinhso.feedback.models import ReportCounter


def test_numbers_are_consecutive_per_key(agency):
    day, other_day = dt.date(2026, 3, 9), dt.date(2026, 3, 10)
    assert [take_next(DossierCounter, {"agency": agency, "date": day}) for _ in range(3)] == [1, 2, 3]
    assert take_next(DossierCounter, {"agency": agency.pk, "date": other_day}) == 1  # a pk works too
    assert take_next(ReportCounter, {"date": day}) == 1
    assert DossierCounter.objects.get(agency=agency, date=day).last_number == 3


def test_a_rolled_back_number_is_given_again(agency):
    day = dt.date(2026, 3, 9)
    assert take_next(DossierCounter, {"agency": agency, "date": day}) == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert take_next(DossierCounter, {"agency": agency, "date": day}) == 2
        raise RuntimeError("roll back")
    assert take_next(DossierCounter, {"agency": agency, "date": day}) == 2


def test_a_key_is_required():
    with pytest.raises(ValueError):
        take_next(ReportCounter, {})
