import datetime

import pytest
import wagtail_factories
from django.utils import timezone
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from campus.models import CampusIndexPage, CampusPage, CampusPhoto
from formations.models import FormationPage
from home.models import HomePage, StandardPage
from tests.campus.factories import CampusPageFactory, QpvFactory, default_campus_index
from tests.formations.factories import FormationPageFactory, SessionFactory
from tests.home.factories import site_home_page


def realistic_campus(**kwargs):
    campus = CampusPageFactory(
        title="Campus numérique d'Aubervilliers",
        summary="Un lieu ouvert à tous pour apprendre les métiers du numérique, au cœur du Landy.",
        qpv=QpvFactory(code="QP093028", name="Landy - Pressensé - Plaine"),
        phone="01 48 00 00 00",
        opening_hours="Lundi : 9h – 18h\n\nMardi : 9h – 18h\n",
        accessibility="<p>Accès de plain-pied, <b>boucle magnétique</b> à l'accueil.</p>",
        body=[{"type": "paragraph", "value": "<p>Venez nous rencontrer le mercredi après-midi.</p>"}],
        **kwargs,
    )
    return campus


class CampusIndexPageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_home_page()
        cls.index = default_campus_index()
        cls.index.introduction = "Les campus près de chez vous."
        cls.index.save()

    def test_lives_only_under_the_home_page(self):
        self.assertAllowedParentPageTypes(CampusIndexPage, {HomePage})
        for parent in (Page, StandardPage, CampusIndexPage, CampusPage, FormationPage):
            with self.subTest(parent=parent.__name__):
                self.assertCanNotCreateAt(parent, CampusIndexPage)

    def test_takes_campuses_only(self):
        self.assertAllowedSubpageTypes(CampusIndexPage, {CampusPage})

    def test_there_is_only_one(self):
        self.assertCanCreateAt(HomePage, CampusIndexPage)
        assert not CampusIndexPage.can_create_at(self.home)

    def test_renders(self):
        self.assertPageIsRenderable(self.index)


class CampusPageTests(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        site_home_page()
        cls.campus = realistic_campus()

    def test_lives_only_under_the_campus_index(self):
        self.assertAllowedParentPageTypes(CampusPage, {CampusIndexPage})
        for parent in (Page, HomePage, StandardPage, CampusPage, FormationPage):
            with self.subTest(parent=parent.__name__):
                self.assertCanNotCreateAt(parent, CampusPage)

    def test_takes_formations_only(self):
        self.assertAllowedSubpageTypes(CampusPage, {FormationPage})

    def test_renders_with_its_practical_information(self):
        self.assertPageIsRenderable(self.campus)
        response = self.client.get(self.campus.url)
        self.assertContains(response, "12 rue du Landy<br>93300 Aubervilliers")
        self.assertContains(response, "Au service du quartier Landy - Pressensé - Plaine, un ")
        self.assertContains(response, '<a href="tel:0148000000">01 48 00 00 00</a>', html=True)
        self.assertContains(response, "<li>Mardi : 9h – 18h</li>", html=True)
        self.assertContains(response, "<b>boucle magnétique</b>", html=True)
        self.assertContains(response, "Venez nous rencontrer le mercredi après-midi.")
        self.assertContains(response, "Ce campus n’a pas encore publié de formation.")

    def test_can_be_created_in_the_admin(self):
        self.login()
        data = nested_form_data(
            {
                "title": "Campus numérique de Vaulx-en-Velin",
                "slug": "vaulx-en-velin",
                "summary": "",
                "street_address": "5 avenue Gabriel Péri",
                "postcode": "69120",
                "commune": "Vaulx-en-Velin",
                "insee_code": "69256",
                "qpv": "",
                "latitude": "45.778700",
                "longitude": "4.922000",
                "email": "contact@vaulx.example",
                "phone": "",
                "opening_hours": "",
                "accessibility": rich_text(""),
                "photos": inline_formset([]),
                "body": streamfield([]),
            }
        )
        self.assertCanCreate(self.campus.get_parent(), CampusPage, data)
        assert CampusPage.objects.get(slug="vaulx-en-velin").staff_group is not None


def test_campus_index_lists_live_campuses_only(client, campus_index):
    CampusPageFactory(parent=campus_index, title="Campus numérique de Roubaix", commune="Roubaix")
    CampusPageFactory(parent=campus_index, title="Campus en préparation", live=False)

    response = client.get(campus_index.url)

    assert response.status_code == 200
    assert [campus.title for campus in response.context["campuses"]] == ["Campus numérique de Roubaix"]
    assert "Campus en préparation" not in response.content.decode()


def test_campus_page_lists_its_live_formations_only(client, campus_index):
    campus = CampusPageFactory(parent=campus_index)
    other_campus = CampusPageFactory(parent=campus_index)
    FormationPageFactory(parent=campus, title="Développeur web et web mobile")
    FormationPageFactory(parent=campus, title="Administrateur d'infrastructures sécurisées")
    FormationPageFactory(parent=campus, title="Formation en brouillon", draft=True)
    FormationPageFactory(parent=other_campus, title="Formation d'un autre campus")

    response = client.get(campus.url)

    assert response.status_code == 200
    assert [formation.title for formation in response.context["formations"]] == [
        "Administrateur d'infrastructures sécurisées",
        "Développeur web et web mobile",
    ]
    content = response.content.decode()
    assert "Développeur web et web mobile" in content
    assert "Formation en brouillon" not in content
    assert "Formation d&#x27;un autre campus" not in content
    assert "Ce campus n’a pas encore publié de formation." not in content


# Wagtail 8.0 generates a rendition into a SpooledTemporaryFile that it never closes.
@pytest.mark.filterwarnings("ignore:Exception ignored in. <function SpooledTemporaryFile.__del__")
def test_campus_page_shows_its_photos_with_their_description(client, campus_index):
    campus = realistic_campus()
    CampusPhoto.objects.create(
        page=campus, image=wagtail_factories.ImageFactory(), alt_text="La salle de formation, dix postes"
    )

    response = client.get(campus.url)

    assert response.status_code == 200
    assert 'alt="La salle de formation, dix postes"' in response.content.decode()


def formations_with_sessions(campus, count, first_day=10):
    """`count` formations of the campus, the n-th one's only session starting in first_day + n days."""
    for number in range(count):
        formation = FormationPageFactory(parent=campus, title=f"Formation {number:03d}")
        start = timezone.localdate() + datetime.timedelta(days=first_day + number)
        SessionFactory(formation=formation, start_date=start, application_deadline=start)


def test_campus_page_shows_its_next_dozen_formations_and_links_to_the_others(client, campus_index):
    campus = CampusPageFactory(parent=campus_index)
    FormationPageFactory(parent=campus, title="Aaa sans session")
    formations_with_sessions(campus, 14)
    later = FormationPageFactory(parent=campus, title="Formation 099")
    SessionFactory(formation=later, start_date=timezone.localdate() + datetime.timedelta(days=3))
    SessionFactory(formation=later, past=True)

    response = client.get(campus.url)

    assert [formation.title for formation in response.context["formations"]] == [
        "Formation 099",
        *(f"Formation {number:03d}" for number in range(11)),
    ]
    content = response.content.decode()
    assert "Aaa sans session" not in content
    assert f'href="/formations/?campus={campus.pk}"' in content
    assert "Voir les 16 formations de ce campus" in content


def test_campus_page_fills_its_dozen_with_formations_without_a_session(client, campus_index):
    campus = CampusPageFactory(parent=campus_index)
    formations_with_sessions(campus, 2)
    FormationPageFactory(parent=campus, title="Bbb sans session")
    FormationPageFactory(parent=campus, title="Aaa sans session")

    response = client.get(campus.url)

    assert [formation.title for formation in response.context["formations"]] == [
        "Formation 000",
        "Formation 001",
        "Aaa sans session",
        "Bbb sans session",
    ]


def test_campus_page_is_the_same_size_and_queries_with_many_more_formations(
    client, campus_index, django_assert_num_queries, django_assert_max_num_queries
):
    campus = CampusPageFactory(parent=campus_index)
    formations_with_sessions(campus, 13)
    client.get(campus.url)
    with django_assert_max_num_queries(100) as small:
        small_page = client.get(campus.url).content

    formations_with_sessions(campus, 60, first_day=100)
    with django_assert_num_queries(len(small)):
        large_page = client.get(campus.url).content

    assert len(large_page) == len(small_page)
    assert len(large_page) < 30_000


def test_campus_page_looks_past_a_formation_with_many_sessions_close_together(client, campus_index):
    campus = CampusPageFactory(parent=campus_index)
    busy = FormationPageFactory(parent=campus, title="Zzz tous les jours")
    for day in range(1, 61):
        start = timezone.localdate() + datetime.timedelta(days=day)
        SessionFactory(formation=busy, start_date=start, application_deadline=start)
    formations_with_sessions(campus, 12, first_day=100)

    response = client.get(campus.url)

    assert [formation.title for formation in response.context["formations"]] == [
        "Zzz tous les jours",
        *(f"Formation {number:03d}" for number in range(11)),
    ]
