from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tinhso.search"
    label = "search"
    verbose_name = "Tìm kiếm"
