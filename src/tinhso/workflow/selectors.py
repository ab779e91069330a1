"""Reads of the workflow app."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Holiday


def holidays_of_year(year: int) -> QuerySet[Holiday]:
    return Holiday.objects.filter(date__year=year).order_by("date")
