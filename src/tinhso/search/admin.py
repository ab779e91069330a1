from django.contrib import admin

from .models import SearchDocument


@admin.register(SearchDocument)
class SearchDocumentAdmin(admin.ModelAdmin):
    """Read-only: the index is written by services and ``manage.py search_reindex``."""

    list_display = ["title", "kind", "is_public", "scope", "updated_at"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "title_folded"]
    readonly_fields = [f.name for f in SearchDocument._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
