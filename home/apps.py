from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "Accueil"

    def ready(self):
        from django_tasks.signals import task_finished

        from home import (
            checks,  # noqa: F401  (registers the deployment checks)
            page_cache,
            sites,
        )
        from home.admin_fields import register_admin_fields
        from home.task_retries import on_task_finished
        from home.text_search import connect as connect_unaccent

        task_finished.connect(on_task_finished, dispatch_uid="home.task_retries")
        register_admin_fields()
        connect_unaccent()
        page_cache.connect_signals()
        sites.connect_signals()
