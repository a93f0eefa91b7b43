from django.apps import AppConfig


class TransfertsConfig(AppConfig):
    name = "transferts"
    verbose_name = "Imports et exports"

    def ready(self):
        from transferts import signals  # noqa: F401  (connects the receivers)
