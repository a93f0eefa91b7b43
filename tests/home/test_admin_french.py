"""The admin a campus team works in reads French: names Wagtail made in English, page addresses, dates."""

import html
import importlib
import re

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from wagtail.models import Task, Workflow

from formations.models import FormationPage
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.factories import FormationPageFactory, SessionFactory, formation_admin_form
from tests.inscriptions.factories import ApplicationFactory


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(parent=campus_index)


def rename_default_workflow():
    migration = importlib.import_module("home.migrations.0004_french_default_workflow")
    migration.rename(migration.ENGLISH, migration.FRENCH)(django_apps, None)


def test_the_migration_gives_wagtails_default_workflow_a_french_name_and_leaves_others_alone():
    workflow = Workflow.objects.create(name="Moderators approval")
    task = Task.objects.create(name="Moderators approval")
    own = Workflow.objects.create(name="Relecture par la direction")

    rename_default_workflow()

    for renamed in (workflow, task, own):
        renamed.refresh_from_db()
    assert (workflow.name, task.name) == ("Validation par les modérateurs", "Validation par les modérateurs")
    assert own.name == "Relecture par la direction"


@pytest.mark.postgres
def test_a_migrated_database_has_no_english_workflow_name():
    # The PostgreSQL pass builds its database with the migrations, where Wagtail creates its default workflow.
    names = [*Workflow.objects.values_list("name", flat=True), *Task.objects.values_list("name", flat=True)]

    assert "Validation par les modérateurs" in names
    assert not [name for name in names if "approval" in name.lower()]


def test_a_new_page_gets_an_address_in_plain_letters(campus):
    formation = campus.add_child(
        instance=FormationPage(
            title="Technicien en cybersécurité", summary="Protéger les réseaux.", duration_hours=420
        )
    )

    assert formation.slug == "technicien-en-cybersecurite"


def formation_form(slug):
    return formation_admin_form(slug=slug)


def add_formation_url(campus):
    return reverse("wagtailadmin_pages:add", args=["formations", "formationpage", campus.pk])


def test_an_address_typed_with_accents_in_the_admin_is_refused_on_the_field(client, campus):
    client.force_login(UserFactory(staff_of=campus))

    response = client.post(add_formation_url(campus), formation_form("cybersécurité"))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["slug"]
    assert client.post(add_formation_url(campus), formation_form("cybersecurite")).status_code == 302
    assert FormationPage.objects.child_of(campus).get().slug == "cybersecurite"


def test_the_address_field_turns_a_title_into_plain_letters_as_it_is_typed(client, campus):
    client.force_login(UserFactory(staff_of=campus))

    content = client.get(add_formation_url(campus)).content.decode()
    slug_input = re.search(r'<input[^>]*name="slug"[^>]*>', content).group(0)

    # The browser's slugify keeps accents only when told to (data-w-slug-allow-unicode-value="True").
    assert 'data-controller="w-slug"' in slug_input
    assert "allow-unicode" not in slug_input


# What the admin said in English, or as a time ago, before: none of it may come back on a page a team uses.
RELATIVE_DATE = re.compile(r"\b(Il y a|Dans) \d+ (minute|heure|jour|semaine|mois|an)")
ENGLISH = [
    "Password",
    "Moderators approval",
    "Date from",
    "Date to",
    ">Edit<",
    ">Delete<",
    ">Copy<",
    ">Inspect<",
    ">Sort item order<",
    ">Updated<",
]


def test_the_admin_pages_a_campus_team_uses_read_french(client, campus):
    formation = FormationPageFactory(parent=campus)
    session = SessionFactory(formation=formation)
    application = ApplicationFactory(session=session, status=Status.ADMITTED)
    client.force_login(UserFactory(staff_of=campus))
    pages = [
        reverse("wagtailadmin_home"),
        reverse("sessions:index"),
        reverse("sessions:edit", args=[session.pk]),
        reverse("sessions:add"),
        reverse("wagtailadmin_explore", args=[campus.pk]),
        reverse("wagtailadmin_pages:edit", args=[formation.pk]),
        reverse("inscriptions_admin:index"),
        reverse("inscriptions_admin:detail", args=[application.pk]),
        reverse("inscriptions_admin:session_people", args=[session.pk]),
        reverse("inscriptions_admin:payments"),
        reverse("inscriptions_admin:follow_ups_due"),
        reverse("wagtailadmin_account"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        text = re.sub(r"<script.*?</script>", "", html.unescape(response.content.decode()), flags=re.S)
        for words in ENGLISH:
            assert words not in text, (page, words)
        assert not RELATIVE_DATE.search(text), (page, RELATIVE_DATE.search(text))


def test_every_date_picker_a_campus_team_meets_keeps_what_was_typed(client, campus):
    """Wagtail's picker, left to itself, puts today's date in place of any text it cannot read."""
    session = SessionFactory(formation=FormationPageFactory(parent=campus))
    application = ApplicationFactory(session=session, status=Status.COMPLETED)
    client.force_login(UserFactory(staff_of=campus))
    pages = [
        reverse("sessions:index"),
        reverse("sessions:add"),
        reverse("sessions:edit", args=[session.pk]),
        reverse("inscriptions_admin:index"),
        reverse("inscriptions_admin:payments"),
        reverse("inscriptions_admin:detail", args=[application.pk]),  # its follow-up form: "Depuis le"
        reverse("wagtailadmin_pages:edit", args=[session.formation.pk]),  # Wagtail's own: publishing dates
    ]
    pickers = {}
    for page in pages:
        content = client.get(page).content.decode()
        pickers[page] = re.findall(r"init(?:Date|DateTime)Chooser\(\"([^\"]+)\", (.*?)\);</script>", content)
        assert pickers[page], page
        for field, config in pickers[page]:
            assert re.search(r"\bvalidateOnBlur\"?: false\b", config), (page, field)
            assert '"format": "d/m/Y' in config, (page, field)
