from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "tinhso.payments"
    label = "payments"
    verbose_name = "Thanh toán"

    def ready(self) -> None:
        from .sections import register_sections

        register_sections()
