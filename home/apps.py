from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Accueil"

    def ready(self):
        from home import signals  # noqa: F401  (connects the receivers)
