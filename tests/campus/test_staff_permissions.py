"""A campus team works on its own campus only: pages, formations, sessions and images."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page, ReferenceIndex

from campus.models import CampusPage
from campus.services import ensure_staff_group
from formations.models import FormationPage, Session
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory

SESSION_OBJECT_VIEWS = ["edit", "delete", "copy", "history", "history_results", "usage"]


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def campus_a(campus_index):
    return CampusPageFactory(parent=campus_index, title="Campus numérique d'Aubervilliers")


@pytest.fixture
def campus_b(campus_index):
    return CampusPageFactory(parent=campus_index, title="Campus numérique de Roubaix")


@pytest.fixture
def formation_a(campus_a):
    return FormationPageFactory(parent=campus_a, title="Développeur web et web mobile")


@pytest.fixture
def formation_b(campus_b):
    return FormationPageFactory(parent=campus_b, title="Technicien supérieur systèmes et réseaux")


@pytest.fixture
def staff_a(client, campus_a):
    user = UserFactory(staff_of=campus_a)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client):
    user = UserFactory(superuser=True)
    client.force_login(user)
    return user


def is_refused(response):
    """The Wagtail admin answers a page it refuses with a redirect to its dashboard, or a 403."""
    return response.status_code == 403 or (
        response.status_code == 302 and response.url == reverse("wagtailadmin_home")
    )


def session_form_data(formation, **changes):
    return {
        "formation": formation.pk,
        "start_date": in_days(30).isoformat(),
        "end_date": in_days(120).isoformat(),
        "application_deadline": in_days(20).isoformat(),
        "capacity": "12",
        "schedule": "temps_plein",
        "price_cents": "0",
        "fee_kind": "frais",
        "schedule_details": "",
        "applications_open": "on",
        **changes,
    }


# --- Staff group of a new campus ----------------------------------------------------------------


def test_a_new_campus_gets_its_staff_group_with_page_permissions_on_itself(campus_index):
    campus = campus_index.add_child(
        instance=CampusPage(
            title="Campus numérique de Marseille Nord",
            slug="marseille-nord",
            street_address="Chemin de la Bigotte",
            postcode="13015",
            commune="Marseille 15e arrondissement",
            insee_code="13215",
        )
    )

    campus.refresh_from_db()
    group = campus.staff_group
    assert group.name == f"Équipe campus – Campus numérique de Marseille Nord (#{campus.pk})"
    page_permissions = GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission__codename")
    assert set(page_permissions) == {
        (campus.pk, codename) for codename in ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
    }
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("wagtailadmin", "access_admin"),
        ("formations", "add_session"),
        ("formations", "change_session"),
        ("formations", "view_session"),
        ("inscriptions", "view_application"),
        ("inscriptions", "decide_application"),
        ("inscriptions", "add_staffnote"),
        ("inscriptions", "add_followup"),
        ("inscriptions", "change_followup"),
        ("inscriptions", "view_payment"),
        ("inscriptions", "add_payment"),
        ("inscriptions", "add_refund"),
        ("inscriptions", "view_referral"),
        ("inscriptions", "add_referral"),
        ("inscriptions", "change_referral"),
        ("inscriptions", "delete_referral"),
        ("financeurs", "view_funder"),
        ("financeurs", "add_funder"),
        ("financeurs", "change_funder"),
        ("financeurs", "view_agreement"),
        ("financeurs", "add_agreement"),
        ("financeurs", "change_agreement"),
    }


def test_a_new_campus_gets_its_own_image_collection(campus_index):
    campus = CampusPageFactory(parent=campus_index, title="Campus numérique de Clichy-sous-Bois")

    campus.refresh_from_db()
    collection = campus.collection
    assert collection.get_parent() == Collection.get_first_root_node()
    assert collection.name == f"Campus – Campus numérique de Clichy-sous-Bois (#{campus.pk})"
    assert set(
        GroupCollectionPermission.objects.filter(group=campus.staff_group).values_list(
            "collection_id", "permission__codename"
        )
    ) == {(collection.pk, "add_image"), (collection.pk, "change_image"), (collection.pk, "choose_image")}


def test_each_campus_has_its_own_group_and_collection(campus_a, campus_b):
    assert campus_a.staff_group != campus_b.staff_group
    assert campus_a.collection != campus_b.collection


def test_creating_a_campus_with_its_group_and_collection_takes_few_queries(campus_a, django_assert_max_num_queries):
    # 131 queries when each permission was fetched and granted one by one.
    with django_assert_max_num_queries(60):
        CampusPageFactory(parent=campus_a.get_parent())


def test_repairing_a_staff_group_restores_what_was_removed_in_a_handful_of_queries(
    campus_a, django_assert_max_num_queries
):
    group = campus_a.staff_group
    expected = (
        set(group.permissions.all()),
        set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission_id")),
        set(GroupCollectionPermission.objects.filter(group=group).values_list("collection_id", "permission_id")),
    )
    group.permissions.remove(Permission.objects.get(codename="decide_application"))
    GroupPagePermission.objects.filter(group=group, permission__codename="publish_page").delete()
    GroupCollectionPermission.objects.filter(group=group, permission__codename="choose_image").delete()

    with django_assert_max_num_queries(8):
        ensure_staff_group(campus_a)
    ensure_staff_group(campus_a)

    assert (
        set(group.permissions.all()),
        set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "permission_id")),
        set(GroupCollectionPermission.objects.filter(group=group).values_list("collection_id", "permission_id")),
    ) == expected
    assert GroupPagePermission.objects.filter(group=group).count() == len(expected[1])


# --- Pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["campus_a", "formation_a"])
def test_staff_can_edit_their_campus_and_its_formations(client, staff_a, page, request):
    page = request.getfixturevalue(page)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("page", ["campus_b", "formation_b"])
def test_staff_cannot_open_another_campus_page_for_editing(client, staff_a, page, request):
    page = request.getfixturevalue(page)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    assert is_refused(response)


@pytest.mark.parametrize("page", ["campus_b", "formation_b"])
def test_staff_cannot_change_another_campus_page(client, staff_a, page, request):
    page = request.getfixturevalue(page)
    revisions = page.revisions.count()

    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {"title": "Piraté", "slug": page.slug, "action-publish": "action-publish"},
    )

    assert is_refused(response)
    page.refresh_from_db()
    assert page.title != "Piraté"
    assert page.revisions.count() == revisions


def test_staff_can_add_a_formation_to_their_campus(client, staff_a, campus_a):
    response = client.get(reverse("wagtailadmin_pages:add", args=["formations", "formationpage", campus_a.pk]))

    assert response.status_code == 200


def test_staff_cannot_add_a_page_under_another_campus(client, staff_a, campus_b):
    add_url = reverse("wagtailadmin_pages:add", args=["formations", "formationpage", campus_b.pk])

    assert is_refused(client.get(reverse("wagtailadmin_pages:add_subpage", args=[campus_b.pk])))
    assert is_refused(client.get(add_url))
    response = client.post(
        add_url,
        {"title": "Formation pirate", "slug": "pirate", "summary": "…", "duration_hours": "10", "format": "sur_place"},
    )

    assert is_refused(response)
    assert not Page.objects.filter(slug="pirate").exists()
    assert campus_b.get_children().count() == 0


# --- Sessions -----------------------------------------------------------------------------------


def test_staff_see_only_their_campus_sessions(client, staff_a, formation_a, formation_b):
    own = SessionFactory(formation=formation_a)
    SessionFactory(formation=formation_b)

    response = client.get(reverse("sessions:index"))

    assert response.status_code == 200
    assert list(response.context["object_list"]) == [own]
    assert "Technicien supérieur systèmes et réseaux" not in response.content.decode()


def test_a_superuser_sees_every_session(client, superuser, formation_a, formation_b):
    sessions = [SessionFactory(formation=formation_a), SessionFactory(formation=formation_b)]

    response = client.get(reverse("sessions:index"))

    assert response.status_code == 200
    assert set(response.context["object_list"]) == set(sessions)


@pytest.mark.parametrize("view", SESSION_OBJECT_VIEWS)
def test_staff_get_404_on_another_campus_session(client, staff_a, formation_b, view):
    session = SessionFactory(formation=formation_b)

    assert client.get(reverse(f"sessions:{view}", args=[session.pk])).status_code == 404
    assert client.post(reverse(f"sessions:{view}", args=[session.pk])).status_code == 404


@pytest.mark.parametrize("view", ["edit", "copy", "history", "usage"])
def test_staff_can_open_their_campus_session(client, staff_a, formation_a, view):
    session = SessionFactory(formation=formation_a)

    assert client.get(reverse(f"sessions:{view}", args=[session.pk])).status_code == 200


def test_staff_cannot_change_another_campus_session(client, staff_a, formation_a, formation_b):
    session = SessionFactory(formation=formation_b, capacity=12)

    response = client.post(reverse("sessions:edit", args=[session.pk]), session_form_data(formation_a, capacity="99"))

    assert response.status_code == 404
    session.refresh_from_db()
    assert (session.capacity, session.formation_id) == (12, formation_b.pk)


def test_staff_can_change_their_campus_session(client, staff_a, formation_a):
    session = SessionFactory(formation=formation_a, capacity=12)

    response = client.post(reverse("sessions:edit", args=[session.pk]), session_form_data(formation_a, capacity="15"))

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 15


def test_moving_a_session_to_another_campus_formation_moves_it_to_that_campus(
    client, superuser, campus_b, formation_a, formation_b
):
    session = SessionFactory(formation=formation_a)

    response = client.post(reverse("sessions:edit", args=[session.pk]), session_form_data(formation_b))

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.formation_id, session.campus_id) == (formation_b.pk, campus_b.pk)


def test_staff_can_create_a_session_for_their_formation(client, staff_a, campus_a, formation_a):
    response = client.post(reverse("sessions:add"), session_form_data(formation_a))

    assert response.status_code == 302
    session = Session.objects.get()
    assert (session.formation_id, session.campus_id) == (formation_a.pk, campus_a.pk)


def test_staff_cannot_create_a_session_for_another_campus_formation(client, staff_a, formation_a, formation_b):
    response = client.post(reverse("sessions:add"), session_form_data(formation_b))

    assert response.status_code == 200
    assert "formation" in response.context["form"].errors
    assert not Session.objects.exists()
    choices = [value for value, _label in response.context["form"].fields["formation"].choices if value]
    assert [str(value) for value in choices] == [str(formation_a.pk)]


def test_staff_cannot_delete_a_session_even_their_own(client, staff_a, formation_a):
    session = SessionFactory(formation=formation_a)

    assert is_refused(client.get(reverse("sessions:delete", args=[session.pk])))
    assert is_refused(client.post(reverse("sessions:delete", args=[session.pk])))
    assert Session.objects.filter(pk=session.pk).exists()
    assert not staff_a.has_perm("formations.delete_session")


def test_a_superuser_can_delete_a_session(client, superuser, formation_b):
    session = SessionFactory(formation=formation_b)

    response = client.post(reverse("sessions:delete", args=[session.pk]))

    assert response.status_code == 302
    assert not Session.objects.filter(pk=session.pk).exists()


def test_a_user_without_campus_sees_no_session(client, formation_a):
    SessionFactory(formation=formation_a)
    user = UserFactory()
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["access_admin", "view_session", "change_session"])
    )
    client.force_login(user)

    response = client.get(reverse("sessions:index"))

    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


# --- Page deletion and moves --------------------------------------------------------------------


@pytest.mark.parametrize("page", ["formation_a", "campus_a"])
def test_the_admin_refuses_to_delete_a_page_whose_formations_have_sessions(
    client, superuser, formation_a, page, request
):
    SessionFactory(formation=formation_a)
    SessionFactory(formation=formation_a, past=True)
    page = request.getfixturevalue(page)

    response = client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_explore", args=[page.get_parent().pk])
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Cette page ne peut pas être supprimée : 2 session(s) y sont rattachées. "
        "Dépubliez-la plutôt, ou supprimez d'abord ses sessions."
    ]
    assert Page.objects.filter(pk=page.pk).exists()
    assert Session.objects.count() == 2


def test_the_admin_deletes_a_formation_without_sessions(client, superuser, formation_a):
    response = client.post(reverse("wagtailadmin_pages:delete", args=[formation_a.pk]))

    assert response.status_code == 302
    assert not Page.objects.filter(pk=formation_a.pk).exists()


def bulk_delete_url(*pages, next_url):
    ids = "&".join(f"id={page.pk}" for page in pages)
    return f"{reverse('wagtail_bulk_action', args=['wagtailcore', 'page', 'delete'])}?{ids}&next={next_url}"


def test_the_admin_bulk_delete_refuses_pages_whose_formations_have_sessions(
    client, superuser, campus_a, formation_a, formation_b
):
    # Loading the admin registers sessions in Wagtail's reference index, which then protects their formation.
    url = bulk_delete_url(campus_a, formation_b, next_url=reverse("wagtailadmin_explore", args=[campus_a.pk]))
    SessionFactory(formation=formation_a)

    response = client.post(url)

    assert response.status_code == 302
    assert Page.objects.filter(pk__in=[campus_a.pk, formation_a.pk, formation_b.pk]).count() == 3
    assert Session.objects.count() == 1


def test_the_admin_bulk_delete_refuses_sessions_the_reference_index_does_not_know(
    client, superuser, campus_a, formation_a, formation_b
):
    # Sessions written by a command (seed, import) before the admin ever loaded are not in the reference index.
    SessionFactory(formation=formation_a)
    ReferenceIndex.objects.filter(content_type=ContentType.objects.get_for_model(Session)).delete()
    explore_url = reverse("wagtailadmin_explore", args=[campus_a.get_parent().pk])

    response = client.post(bulk_delete_url(campus_a, formation_b, next_url=explore_url))

    assert response.status_code == 302
    assert response.url == explore_url
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "Ces pages ne peuvent pas être supprimées : 1 session(s) y sont rattachées. "
        "Dépubliez-les plutôt, ou supprimez d'abord leurs sessions."
    ]
    assert Page.objects.filter(pk__in=[campus_a.pk, formation_a.pk, formation_b.pk]).count() == 3


def test_the_admin_bulk_deletes_formations_without_sessions(client, superuser, campus_a, formation_a, formation_b):
    explore_url = reverse("wagtailadmin_explore", args=[campus_a.pk])

    response = client.post(bulk_delete_url(formation_a, formation_b, next_url=explore_url))

    assert response.status_code == 302
    assert not Page.objects.filter(pk__in=[formation_a.pk, formation_b.pk]).exists()


def test_moving_a_formation_to_another_campus_moves_its_sessions(client, superuser, campus_b, formation_a):
    sessions = [SessionFactory(formation=formation_a), SessionFactory(formation=formation_a, past=True)]

    response = client.post(reverse("wagtailadmin_pages:move_confirm", args=[formation_a.pk, campus_b.pk]))

    assert response.status_code == 302
    assert FormationPage.objects.get(pk=formation_a.pk).get_parent().pk == campus_b.pk
    for session in sessions:
        session.refresh_from_db()
        assert session.campus_id == campus_b.pk


def test_staff_of_the_new_campus_take_over_the_moved_formation_sessions(client, superuser, campus_b, formation_a):
    session = SessionFactory(formation=formation_a)
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[formation_a.pk, campus_b.pk]))

    client.force_login(UserFactory(staff_of=campus_b))

    assert client.get(reverse("sessions:edit", args=[session.pk])).status_code == 200
