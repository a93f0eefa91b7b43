from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches whose counters live inside one worker process: login limits would reset with each worker.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, Tags.security, deploy=True)
def check_login_limits_are_shared(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            "Le cache n'est pas partagé entre les processus : les limites de connexion ne tiennent pas.",
            hint="Définissez REDIS_URL dans l'environnement (par exemple redis://127.0.0.1:6379/0).",
            id="home.E001",
        )
    ]
