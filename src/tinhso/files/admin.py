from django.contrib import admin

from tinhso.files.models import StoredFile


@admin.register(StoredFile)
class StoredFileAdmin(admin.ModelAdmin):
    """Metadata only: files are changed through services, downloaded through files:download."""

    list_display = ("original_name", "purpose", "kind", "size", "owner", "created_at", "deleted_at")
    list_filter = ("purpose", "kind", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("=public_id", "original_name", "=sha256")
    date_hierarchy = "created_at"
    list_select_related = ("owner",)
    raw_id_fields = ("owner",)
    readonly_fields = [f.name for f in StoredFile._meta.fields]

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
