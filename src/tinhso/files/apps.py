from django.apps import AppConfig


class FilesConfig(AppConfig):
    name = "tinhso.files"
    label = "files"
    verbose_name = "Tệp đính kèm"
