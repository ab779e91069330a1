from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "tinhso.notify"
    label = "notify"
    verbose_name = "Thông báo"
