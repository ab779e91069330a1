"""Admin helpers shared by the building blocks."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """For records that only services write (audit events, outbox, indexes, history):
    the admin may look, never add, change or delete, and offers no bulk actions."""

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
