"""Each campus gets its own staff group, scoped to the campus's pages, sessions and images."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

# Page actions a campus team may take on its own subtree; no bulk delete, no site-wide rights.
PAGE_PERMISSION_TYPES = ("add", "change", "publish", "lock", "unlock")
# Model permissions, further scoped to the campus by the sessions' and applications' permission policies.
MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("formations", "add_session"),
    ("formations", "change_session"),
    ("formations", "view_session"),
    # Enrolment: see and decide on the campus's applications, keep notes and follow-ups.
    ("inscriptions", "view_application"),
    ("inscriptions", "decide_application"),
    ("inscriptions", "add_staffnote"),
    ("inscriptions", "add_followup"),
    ("inscriptions", "change_followup"),
    # Paid sessions: see the campus's payments, record money received by hand, give money back.
    ("inscriptions", "view_payment"),
    ("inscriptions", "add_payment"),
    ("inscriptions", "add_refund"),
    # Partners' referral lists, imported and kept by the campus.
    ("inscriptions", "view_referral"),
    ("inscriptions", "add_referral"),
    ("inscriptions", "change_referral"),
    # Funding agreements covering the campus; funders themselves are shared between campuses.
    ("financeurs", "view_funder"),
    ("financeurs", "add_funder"),
    ("financeurs", "change_funder"),
    ("financeurs", "view_agreement"),
    ("financeurs", "add_agreement"),
    ("financeurs", "change_agreement"),
)
IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


@transaction.atomic
def ensure_staff_group(campus):
    """Create (or repair) the staff group and image collection of a campus. Idempotent."""
    group = campus.staff_group
    if group is None:
        group, _ = Group.objects.get_or_create(name=campus.staff_group_name)
    elif group.name != campus.staff_group_name:
        group.name = campus.staff_group_name
        group.save(update_fields=["name"])

    for app_label, codename in MODEL_PERMISSIONS:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))

    for permission_type in PAGE_PERMISSION_TYPES:
        permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{permission_type}_page")
        GroupPagePermission.objects.get_or_create(group=group, page_id=campus.pk, permission=permission)

    collection = campus.collection
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=f"Campus – {campus.title} (#{campus.pk})")
    for codename in IMAGE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label="wagtailimages", codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)

    if campus.staff_group_id != group.pk or campus.collection_id != collection.pk:
        type(campus).objects.filter(pk=campus.pk).update(staff_group=group, collection=collection)
        campus.staff_group, campus.collection = group, collection
    return group
