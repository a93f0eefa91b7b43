from django.apps import AppConfig


class FormationsConfig(AppConfig):
    name = "formations"
    verbose_name = "Formations"

    def ready(self):
        from formations import signals  # noqa: F401
