import datetime

from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from campus.models import CampusIndexPage, CampusPage
from formations.models import FormationPage
from home.models import HomePage, StandardPage
from tests.campus.factories import CampusPageFactory
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.home.factories import site_home_page

BODY = [
    {"type": "heading", "value": {"text": "Se former près de chez soi", "level": "h2"}},
    {"type": "paragraph", "value": "<p>Des formations <b>gratuites</b> au numérique, dans votre quartier.</p>"},
]


def in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


class HomePageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_home_page()
        cls.home.introduction = "Trouvez une formation au numérique dans un campus près de chez vous."
        cls.home.body = BODY
        cls.home.save_revision().publish()

    def test_lives_only_under_the_tree_root(self):
        self.assertAllowedParentPageTypes(HomePage, {Page})
        for parent in (HomePage, StandardPage, CampusIndexPage, CampusPage, FormationPage):
            with self.subTest(parent=parent.__name__):
                self.assertCanNotCreateAt(parent, HomePage)

    def test_takes_the_campus_index_and_simple_pages(self):
        self.assertAllowedSubpageTypes(HomePage, {CampusIndexPage, StandardPage})
        self.assertCanCreateAt(HomePage, CampusIndexPage)
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanNotCreateAt(HomePage, CampusPage)
        self.assertCanNotCreateAt(HomePage, FormationPage)

    def test_a_second_home_page_cannot_be_created(self):
        assert not HomePage.can_create_at(Page.get_first_root_node())

    def test_renders(self):
        self.assertPageIsRenderable(self.home)


class StandardPageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.page = site_home_page().add_child(
            instance=StandardPage(
                title="Qui sommes-nous ?",
                slug="qui-sommes-nous",
                introduction="Tremplin réunit les campus numériques des quartiers prioritaires.",
                body=BODY,
            )
        )

    def test_lives_under_the_home_page_or_another_simple_page(self):
        self.assertAllowedParentPageTypes(StandardPage, {HomePage, StandardPage})
        self.assertAllowedSubpageTypes(StandardPage, {StandardPage})
        self.assertCanNotCreateAt(CampusIndexPage, StandardPage)
        self.assertCanNotCreateAt(CampusPage, StandardPage)

    def test_renders_its_body(self):
        self.assertPageIsRenderable(self.page)
        response = self.client.get(self.page.url)
        self.assertContains(response, "<h2>Se former près de chez soi</h2>", html=True)
        self.assertContains(response, "<b>gratuites</b>", html=True)


def test_home_page_shows_formations_starting_soon_soonest_first(client, home_page):
    campus = CampusPageFactory(title="Campus numérique de Roubaix", commune="Roubaix")
    later = FormationPageFactory(parent=campus, title="Technicien d’assistance informatique")
    SessionFactory(formation=later, start_date=in_days(60))
    sooner = FormationPageFactory(parent=campus, title="Développeur web et web mobile")
    SessionFactory(formation=sooner, start_date=in_days(10))

    response = client.get(home_page.url)

    assert response.status_code == 200
    assert [formation.title for formation in response.context["upcoming_formations"]] == [
        "Développeur web et web mobile",
        "Technicien d’assistance informatique",
    ]
    content = response.content.decode()
    assert "Formations qui commencent bientôt" in content
    assert "Campus numérique de Roubaix · Roubaix" in content


def test_home_page_leaves_out_drafts_and_formations_without_upcoming_session(client, home_page):
    campus = CampusPageFactory()
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Brouillon", draft=True))
    SessionFactory(formation=FormationPageFactory(parent=campus, title="Session passée"), past=True)
    FormationPageFactory(parent=campus, title="Sans session")

    response = client.get(home_page.url)

    assert response.status_code == 200
    assert list(response.context["upcoming_formations"]) == []
    assert "Formations qui commencent bientôt" not in response.content.decode()


def test_home_page_shows_six_formations_at_most(client, home_page):
    campus = CampusPageFactory()
    for days in range(1, 9):
        SessionFactory(formation=FormationPageFactory(parent=campus), start_date=in_days(days * 7))

    response = client.get(home_page.url)

    assert len(response.context["upcoming_formations"]) == 6
