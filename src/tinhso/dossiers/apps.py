from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from tinhso.files.access import register_policy
        from tinhso.files.kinds import register_purpose
        from tinhso.payments.registry import on_paid
        from tinhso.portal.registry import register_my_page_section

        from . import access
        from .services import DOCUMENT_PURPOSE, FEE_PURPOSE, RESULT_PURPOSE, on_fee_paid
        from .views_staff import register_panel

        register_purpose(RESULT_PURPOSE, allowed_kinds=("pdf",))
        register_policy(DOCUMENT_PURPOSE, access.can_read_dossier_file)
        register_policy(RESULT_PURPOSE, access.can_read_dossier_file)
        on_paid(FEE_PURPOSE, on_fee_paid)
        register_my_page_section(
            "dossiers", _("Hồ sơ của tôi"), "dossiers/citizen/my_page_section.html", access.my_page_context, 10
        )
        register_panel()  # the staff workspace panel
