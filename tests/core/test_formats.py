import datetime

from django import forms
from django.utils import translation


class _DateForm(forms.Form):
    day = forms.DateField()


def test_vietnamese_dates_are_day_first():
    with translation.override("vi"):
        form = _DateForm({"day": "03/01/2026"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["day"] == datetime.date(2026, 1, 3)


def test_iso_dates_are_accepted_too():
    with translation.override("vi"):
        form = _DateForm({"day": "2026-01-03"})
        assert form.is_valid()
        assert form.cleaned_data["day"] == datetime.date(2026, 1, 3)
