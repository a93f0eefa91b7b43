from django.apps import AppConfig


class FormationsConfig(AppConfig):
    name = "formations"
    verbose_name = "Formations"

    def ready(self):
        from campus.services import register_staff_permissions
        from formations import signals  # noqa: F401

        # Scoped to the campus by the sessions' permission policy.
        register_staff_permissions("formations", "add_session", "change_session", "view_session")
