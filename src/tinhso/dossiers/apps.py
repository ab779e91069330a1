from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "tinhso.dossiers"
    label = "dossiers"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self) -> None:
        from tinhso.files.access import register_policy
        from tinhso.files.kinds import register_purpose
        from tinhso.portal.registry import register_my_page_section

        from . import access
        from .services import DOCUMENT_PURPOSE, FEE_PURPOSE, RESULT_PURPOSE, on_fee_paid

        register_purpose(RESULT_PURPOSE, allowed_kinds=("pdf",))
        register_policy(DOCUMENT_PURPOSE, access.can_read_dossier_file)
        register_policy(RESULT_PURPOSE, access.can_read_dossier_file)
        try:
            from tinhso.payments.registry import on_paid
        except ImportError:  # pragma: no cover - payments is part of the platform
            pass
        else:
            on_paid(FEE_PURPOSE, on_fee_paid)
        register_my_page_section(
            "dossiers", _("Hồ sơ của tôi"), "dossiers/citizen/my_page_section.html", access.my_page_context, 10
        )
        try:  # the staff workspace panel (staff pages' own module)
            from .views_staff import register_panel
        except ImportError:  # pragma: no cover - while the staff pages are not there
            pass
        else:
            register_panel()
