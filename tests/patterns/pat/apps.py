from django.apps import AppConfig


class PatConfig(AppConfig):
    name = "pat"
