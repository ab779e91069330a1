from django.apps import AppConfig


def _template_readable(user, file) -> bool:
    """Templates of required documents are public forms: any signed-in user may download them."""
    return True


class ProceduresConfig(AppConfig):
    name = "tinhso.procedures"
    label = "procedures"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from tinhso.files.access import register_policy
        from tinhso.files.kinds import register_purpose
        from tinhso.procedures import services
        from tinhso.search.registry import register

        register(services.SEARCH_KIND, services.search_items)
        register_purpose(services.TEMPLATE_PURPOSE, allowed_kinds=("pdf", "docx", "xlsx"), max_bytes=5 * 1024 * 1024)
        register_policy(services.TEMPLATE_PURPOSE, _template_readable)
