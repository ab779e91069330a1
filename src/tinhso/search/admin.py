from django.contrib import admin

from tinhso.core.admin import ReadOnlyAdminMixin

from .models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the index is written by services and ``manage.py search_reindex``."""

    list_display = ["title", "kind", "is_public", "scope", "updated_at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "title_folded"]
    readonly_fields = [f.name for f in SearchDocument._meta.fields]

