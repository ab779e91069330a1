from django.contrib import admin

from tinhso.core.admin import ReadOnlyAdminMixin
from tinhso.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Metadata only: files are changed through services, downloaded through files:download."""

    list_display = ("original_name", "purpose", "kind", "size", "owner", "created_at", "deleted_at")
    list_filter = ("purpose", "kind", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("=public_id", "original_name", "=sha256")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = [f.name for f in StoredFile._meta.fields]

