from django.apps import AppConfig


class CampusConfig(AppConfig):
    name = "campus"
    verbose_name = "Campus"

    def ready(self):
        from campus import signals  # noqa: F401
