from django.contrib.auth.management import create_permissions


def refresh_campus_staff_groups(app_config, using="default", **kwargs):
    """Give existing campus teams the enrolment and funding permissions once they exist (after each migrate)."""
    from django.apps import apps

    from campus.models import CampusPage
    from campus.services import ensure_staff_group

    # Apps later in INSTALLED_APPS have not had their permissions created yet when this runs.
    for label in ("inscriptions", "financeurs"):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for campus in CampusPage.objects.using(using).all():
        ensure_staff_group(campus)
