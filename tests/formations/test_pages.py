import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import dateformat, timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from campus.models import CampusIndexPage, CampusPage
from formations.enums import CertificationLevel, EntryLevel, Format, Schedule
from formations.models import FormationPage
from home.models import HomePage, StandardPage
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
    formation_admin_form,
    photo,
)
from tests.home.factories import site_home_page

BODY = [
    {
        "type": "module",
        "value": {
            "title": "Les bases du HTML et du CSS",
            "hours": 35,
            "description": "<p>Construire une page web simple et lisible sur téléphone.</p>",
        },
    },
    {
        "type": "testimonial",
        "value": {"quote": "J'ai trouvé un emploi deux mois après.", "name": "Inès", "role": "Développeuse web"},
    },
    {
        "type": "faq",
        "value": {
            "title": "Questions fréquentes",
            "questions": [{"question": "Faut-il un ordinateur ?", "answer": "<p>Non, le campus en prête un.</p>"}],
        },
    },
]


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def realistic_formation(**kwargs):
    return FormationPageFactory(
        parent=CampusPageFactory(title="Campus numérique de Clichy-sous-Bois", commune="Clichy-sous-Bois"),
        title="Développeur web et web mobile",
        summary="Apprendre à créer des sites et des applications web, et trouver un premier emploi.",
        body=BODY,
        domain=DomainFactory(formacode="31054", label="Informatique"),
        certification=CertificationFactory(
            code="RNCP37674", title="Développeur web et web mobile", level=CertificationLevel.LEVEL_5
        ),
        target_jobs=[RomeCodeFactory(code="M1855", label="Développeur / Développeuse web")],
        entry_level=EntryLevel.NONE,
        duration_hours=800,
        format=Format.HYBRID,
        prerequisites="Savoir lire et écrire le français.\nÊtre curieux.",
        accessibility_referent_name="Samia Benali",
        accessibility_referent_email="handicap@clichy.example",
        **kwargs,
    )


class FormationPageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        site_home_page()
        cls.formation = realistic_formation()
        SessionFactory(formation=cls.formation, schedule=Schedule.PART_TIME, schedule_details="Du lundi au jeudi")

    def test_lives_only_under_a_campus(self):
        self.assertAllowedParentPageTypes(FormationPage, {CampusPage})
        for parent in (Page, HomePage, StandardPage, CampusIndexPage, FormationPage):
            with self.subTest(parent=parent.__name__):
                self.assertCanNotCreateAt(parent, FormationPage)

    def test_has_no_children(self):
        self.assertAllowedSubpageTypes(FormationPage, set())

    def test_renders_everything_a_learner_needs(self):
        self.assertPageIsRenderable(self.formation)
        response = self.client.get(self.formation.url)
        self.assertContains(response, "<dt>Prix</dt><dd><strong>Gratuit</strong></dd>", html=True)
        self.assertContains(response, "800 heures")
        self.assertContains(
            response, "<dt>Où se passe la formation\u00a0?</dt><dd>Les deux (sur place et à distance)</dd>", html=True
        )
        self.assertContains(response, "Aucun diplôme demandé")
        self.assertContains(
            response,
            '<a href="https://www.francecompetences.fr/recherche/rncp/37674/">Développeur web et web mobile</a>',
        )
        self.assertContains(
            response,
            "RNCP37674 (reconnue par l’État, inscrite au "
            '<a href="/glossaire/#rncp">Répertoire national des certifications professionnelles</a>) · '
            '<a href="/glossaire/#niveau">Niveau 5 (bac+2)</a>',
        )
        self.assertContains(
            response,
            'Développeur / Développeuse web <span class="muted">(code '
            '<abbr title="Répertoire opérationnel des métiers et des emplois">ROME</abbr> M1855)</span>',
        )
        self.assertContains(response, "Savoir lire et écrire le français.<br>Être curieux.")
        self.assertContains(response, "Les bases du HTML et du CSS")
        self.assertContains(response, "Non, le campus en prête un.")
        self.assertContains(response, "Samia Benali")
        self.assertContains(response, "Temps partiel · Du lundi au jeudi")

    def test_can_be_created_in_the_admin(self):
        self.login()
        data = formation_admin_form(
            title="Technicien supérieur systèmes et réseaux",
            slug="tssr",
            summary="Installer et dépanner les réseaux des entreprises.",
            duration_hours=600,
        )
        self.assertCanCreate(self.formation.get_parent(), FormationPage, data)


def test_formation_page_shows_its_campus(client, home_page):
    formation = realistic_formation()

    response = client.get(formation.url)

    assert response.status_code == 200
    campus = formation.get_parent()
    assert f'<a href="{campus.url}">Campus numérique de Clichy-sous-Bois</a>, Clichy-sous-Bois' in (
        response.content.decode()
    )


def test_formation_page_lists_upcoming_sessions_only(client, home_page):
    formation = FormationPageFactory()
    SessionFactory(formation=formation, start_date=in_days(20), end_date=in_days(80))
    SessionFactory(formation=formation, start_date=in_days(-40), end_date=in_days(-1))
    SessionFactory(formation=formation, start_date=in_days(-10), end_date=in_days(60))

    response = client.get(formation.url)

    assert response.status_code == 200
    assert [session.start_date for session in response.context["sessions"]] == [in_days(20)]
    assert response.content.decode().count('<li class="session">') == 1


def test_formation_page_says_when_there_is_no_session(client, home_page):
    formation = FormationPageFactory()
    SessionFactory(formation=formation, past=True)

    response = client.get(formation.url)

    assert "Aucune session n’est prévue pour l’instant." in response.content.decode()


def test_formation_page_shows_open_sessions_deadline_and_seats_left(client, home_page):
    formation = FormationPageFactory()
    session = SessionFactory(formation=formation, capacity=12, seats_taken=9)

    response = client.get(formation.url)

    deadline = dateformat.format(session.application_deadline, "j F Y")
    assert f"Candidatures ouvertes jusqu’au {deadline} · 3 places restantes" in response.content.decode()


@pytest.mark.parametrize("situation", ["closed", "deadline_passed"])
def test_formation_page_says_when_applications_are_closed(client, home_page, situation):
    formation = FormationPageFactory()
    SessionFactory(formation=formation, **{situation: True})

    response = client.get(formation.url)

    content = response.content.decode()
    assert "Candidatures fermées pour cette session." in content
    assert "Candidatures ouvertes jusqu’au" not in content


def test_formation_page_says_a_full_session_still_takes_applications_for_the_waitlist(client, home_page):
    formation = FormationPageFactory()
    SessionFactory(formation=formation, full=True)

    content = client.get(formation.url).content.decode()

    assert "liste d’attente" in content
    assert "Postuler" in content


def test_formation_page_query_count_does_not_grow_with_its_sessions(client, home_page):
    formation = FormationPageFactory(target_jobs=[RomeCodeFactory()], certification=CertificationFactory())
    SessionFactory(formation=formation)
    client.get(formation.url)  # Warm the site and content type caches.

    with CaptureQueriesContext(connection) as one_session:
        assert client.get(formation.url).status_code == 200
    for days in range(40, 130, 10):
        SessionFactory(formation=formation, start_date=in_days(days))
    with CaptureQueriesContext(connection) as ten_sessions:
        response = client.get(formation.url)

    assert len(response.context["sessions"]) == 10
    assert len(ten_sessions) == len(one_session)


# The home page, its child campus list (two: the home page has children of two types), the campus, the formation
# with its certification, domain and image, the view restrictions of its path, its upcoming sessions, its target
# jobs, what became of those who did it. Not the site: kept in the cache from the first visit (home.sites).
FORMATION_PAGE_QUERIES = 9


def test_formation_page_takes_the_same_few_queries_whatever_the_size_of_its_campus(
    client, home_page, django_assert_num_queries
):
    formation = realistic_formation(image=photo(width=160, height=100), image_alt="Deux personnes devant un écran.")
    SessionFactory(formation=formation)
    campus = formation.get_parent()
    url = formation.url
    client.get(url)  # Warm the site, content type and rendition caches.

    with django_assert_num_queries(FORMATION_PAGE_QUERIES):
        first = client.get(url).content.decode()
    for number in range(30):
        SessionFactory(formation=FormationPageFactory(parent=campus, slug=f"autre-formation-{number}"))
    with django_assert_num_queries(FORMATION_PAGE_QUERIES):
        assert client.get(url).content.decode() == first


def test_formation_page_breadcrumb_leads_from_the_home_page_to_its_campus(client, home_page):
    formation = realistic_formation()
    campus = formation.get_parent()
    campus_index = campus.get_parent()

    content = client.get(formation.url).content.decode()

    breadcrumb = content[
        content.index('<nav class="breadcrumb"') : content.index("</nav>", content.index("breadcrumb"))
    ]
    links = [
        (home_page.url, home_page.title),
        (campus_index.url, campus_index.title),
        (campus.url, "Campus numérique de Clichy-sous-Bois"),
    ]
    assert [(href, text) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', breadcrumb)] == links
    assert '<span aria-current="page">Développeur web et web mobile</span>' in breadcrumb
