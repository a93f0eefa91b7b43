"""Each campus gets its own staff group, scoped to the campus's pages, sessions and images.

The model permissions a campus team holds are registered by the apps that bring them, in their
AppConfig.ready(), so that this app names none of the apps built on it.
"""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

# Page actions a campus team may take on its own subtree; no bulk delete, no site-wide rights.
PAGE_PERMISSION_TYPES = ("add", "change", "publish", "lock", "unlock")
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")

_staff_permissions = {("wagtailadmin", "access_admin"): None}


def register_staff_permissions(app_label, *codenames):
    """Give every campus team these model permissions of `app_label`, further scoped to the campus by the
    models' permission policies. Call from the app's AppConfig.ready()."""
    for codename in codenames:
        _staff_permissions[(app_label, codename)] = None


def staff_permissions():
    """(app label, codename) of the model permissions a campus team holds, in registration order."""
    return list(_staff_permissions)


def wanted_permissions():
    model = staff_permissions()
    pages = [("wagtailcore", f"{permission_type}_page") for permission_type in PAGE_PERMISSION_TYPES]
    images = [("wagtailimages", codename) for codename in IMAGE_PERMISSIONS]
    return model, pages, images


def fetch_permissions(pairs):
    """{(app label, codename): pk} in one query; a missing permission is an error, as with Permission.get."""
    condition = Q()
    for app_label, codename in pairs:
        condition |= Q(content_type__app_label=app_label, codename=codename)
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(condition).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    if missing := [f"{app_label}.{codename}" for app_label, codename in pairs if (app_label, codename) not in found]:
        raise Permission.DoesNotExist(f"Missing permissions: {', '.join(missing)}")
    return found


@transaction.atomic
def ensure_staff_group(campus):
    """Create (or repair) the staff group and image collection of a campus. Idempotent."""
    group = campus.staff_group
    if group is None:
        group, _ = Group.objects.get_or_create(name=campus.staff_group_name)
    elif group.name != campus.staff_group_name:
        group.name = campus.staff_group_name
        group.save(update_fields=["name"])

    model, pages, images = wanted_permissions()
    pks = fetch_permissions(model + pages + images)
    group.permissions.add(*(pks[pair] for pair in model))

    page_permissions = {pks[pair] for pair in pages}
    page_permissions -= set(
        GroupPagePermission.objects.filter(group=group, page_id=campus.pk).values_list("permission_id", flat=True)
    )
    GroupPagePermission.objects.bulk_create(
        [GroupPagePermission(group=group, page_id=campus.pk, permission_id=pk) for pk in sorted(page_permissions)]
    )

    collection = campus.collection
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=f"Campus – {campus.title} (#{campus.pk})")
    image_permissions = {pks[pair] for pair in images}
    image_permissions -= set(
        GroupCollectionPermission.objects.filter(group=group, collection=collection).values_list(
            "permission_id", flat=True
        )
    )
    GroupCollectionPermission.objects.bulk_create(
        [
            GroupCollectionPermission(group=group, collection=collection, permission_id=pk)
            for pk in sorted(image_permissions)
        ]
    )

    if campus.staff_group_id != group.pk or campus.collection_id != collection.pk:
        type(campus).objects.filter(pk=campus.pk).update(staff_group=group, collection=collection)
        campus.staff_group, campus.collection = group, collection
    return group


def refresh_campus_staff_groups(app_config, using="default", **kwargs):
    """Give existing campus teams every registered permission once it exists (after each migrate)."""
    from campus.models import CampusPage

    # Apps after this one in INSTALLED_APPS have not had their permissions created yet when this runs.
    labels = {app_label for app_label, _ in staff_permissions()} | {"wagtailcore", "wagtailimages"}
    for label in sorted(labels):
        create_permissions(apps.get_app_config(label), verbosity=0, using=using)
    for campus in CampusPage.objects.using(using).all():
        ensure_staff_group(campus)
