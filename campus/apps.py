from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CampusConfig(AppConfig):
    name = "campus"
    verbose_name = "Campus"

    def ready(self):
        from campus import signals  # noqa: F401
        from campus.services import refresh_campus_staff_groups

        post_migrate.connect(refresh_campus_staff_groups, sender=self)
