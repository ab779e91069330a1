"""A model field whose value is encrypted in the database and plain text in Python."""

from __future__ import annotations

from django.core.exceptions import FieldError
from django.db import models

from tinhso.accounts import crypto


class EncryptedTextField(models.TextField):
    """Stores ``crypto.encrypt(value)``; reads give back the plain text.

    Equality look-ups cannot work (every encryption uses a fresh IV): pair the field with a
    blind-index column and filter on that. Only ``isnull`` and ``exact`` against "" are allowed.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name):
        if lookup_name not in {"isnull", "exact"}:
            raise FieldError(f"{self.name} is encrypted: filter on its blind index instead.")
        return super().get_lookup(lookup_name)
