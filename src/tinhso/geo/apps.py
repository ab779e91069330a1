from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "tinhso.geo"
    label = "geo"
    verbose_name = "Địa giới hành chính"
