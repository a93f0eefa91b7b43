"""The glossary: the codes and words of training explained once (/glossaire/), and pointed to where they appear."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from formations.enums import CertificationLevel, Format, Repertoire
from home.glossary import TERMS
from home.models import StandardPage
from inscriptions.forms import FollowUpSurveyForm
from inscriptions.workflow import Status
from tests.campus.factories import CampusPageFactory, QpvFactory, UserFactory
from tests.formations.factories import (
    CertificationFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to

pytestmark = pytest.mark.django_db

GLOSSARY = "/glossaire/"
# The words the issue names: each must have its entry, at this anchor.
REQUIRED_ANCHORS = {
    "rncp",
    "rs",
    "rome",
    "formacode",
    "qpv",
    "rqth",
    "cpf",
    "niveau",
    "tpe-pme",
    "alternance",
    "cdi",
    "cdd",
    "interim",
    "lieu",
}


class Markup(HTMLParser):
    """What a page says about its words: its ids, its <abbr> tags, its links and the footer's."""

    def __init__(self, html):
        super().__init__()
        self.ids = []
        self.abbrs = []
        self.links = []
        self.footer_links = []
        self._in_footer = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "footer":
            self._in_footer = True
        elif tag == "abbr":
            self.abbrs.append(attrs)
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if self._in_footer:
                self.footer_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "footer":
            self._in_footer = False

    @property
    def glossary_anchors(self):
        return {href.split("#", 1)[1] for href in self.links if href.startswith(f"{GLOSSARY}#")}


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture
def campus(campus_index):
    return CampusPageFactory(
        title="Campus numérique d’Aubervilliers",
        slug="aubervilliers",
        qpv=QpvFactory(code="QP093001", name="Landy - Pressensé - Plaine"),
    )


@pytest.fixture
def formation(campus):
    formation = FormationPageFactory(
        parent=campus,
        title="Développeur web et web mobile",
        slug="developpeur-web",
        format=Format.HYBRID,
        certification=CertificationFactory(
            code="RNCP37674",
            repertoire=Repertoire.RNCP,
            title="Développeur web et web mobile",
            level=CertificationLevel.LEVEL_5,
        ),
        target_jobs=[RomeCodeFactory(code="M1855", label="Développeur / Développeuse web")],
    )
    SessionFactory(formation=formation)
    return formation


@pytest.fixture
def public_urls(home_page, campus_index, campus, formation):
    legal = home_page.add_child(instance=StandardPage(title="Mentions légales", slug="mentions-legales"))
    return {
        "home": "/",
        "catalogue": "/formations/",
        "catalogue_filtered": f"/formations/?format={Format.HYBRID}",
        "campus_index": campus_index.url,
        "campus": campus.url,
        "formation": formation.url,
        "legal": legal.url,
        "privacy": "/confidentialite/",
        "glossary": GLOSSARY,
    }


# --- The glossary page --------------------------------------------------------------------------


def test_the_glossary_lists_every_term_at_its_anchor_with_its_definition(client):
    html = page(client, GLOSSARY)
    ids = Markup(html).ids

    assert {term.slug for term in TERMS} >= REQUIRED_ANCHORS
    for term in TERMS:
        assert ids.count(term.slug) == 1, term.slug
        assert str(term.definition) in html, term.slug
        if term.abbreviation and term.expansion != term.term:
            assert str(term.expansion) in html, term.slug
        if term.url:
            assert f'href="{term.url}"' in html, term.slug


def test_each_level_is_explained_in_plain_words(client):
    html = page(client, GLOSSARY)

    for words in ("niveau 3 = CAP ou BEP", "niveau 4 = bac", "niveau 5 = bac+2", "niveau 6 = bac+3 ou bac+4"):
        assert words in html


def test_the_glossary_is_the_same_page_for_a_logged_in_learner(client):
    client.force_login(LearnerFactory().user)

    assert 'id="rqth"' in page(client, GLOSSARY)


# --- Pointing to it -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["home", "catalogue", "catalogue_filtered", "campus_index", "campus", "formation", "legal", "privacy"]
)
def test_every_public_page_links_to_the_glossary_from_its_footer(client, public_urls, name):
    assert GLOSSARY in Markup(page(client, public_urls[name])).footer_links


@pytest.mark.parametrize(
    "name", ["home", "catalogue", "catalogue_filtered", "campus_index", "campus", "formation", "legal", "privacy"]
)
def test_every_abbreviation_says_what_it_stands_for_and_every_link_reaches_an_entry(client, public_urls, name):
    markup = Markup(page(client, public_urls[name]))

    assert all(abbr.get("title", "").strip() for abbr in markup.abbrs), markup.abbrs
    assert markup.glossary_anchors <= {term.slug for term in TERMS}


@pytest.mark.parametrize("name", ["catalogue", "catalogue_filtered", "formation", "campus"])
def test_no_public_page_says_modalite_or_hybride(client, public_urls, name):
    html = page(client, public_urls[name])

    assert "Modalité" not in html and "modalité" not in html
    assert "Hybride" not in html and "hybride<" not in html


def test_the_formation_page_explains_its_certification_its_level_its_jobs_and_where_it_happens(client, formation):
    html = page(client, formation.url)

    assert (
        "RNCP37674 (reconnue par l’État, inscrite au "
        '<a href="/glossaire/#rncp">Répertoire national des certifications professionnelles</a>)'
    ) in html
    assert '<a href="/glossaire/#niveau">Niveau 5 (bac+2)</a>' in html
    assert '<abbr title="Répertoire opérationnel des métiers et des emplois">ROME</abbr> M1855' in html
    assert "<dt>Où se passe la formation\u00a0?</dt>" in html
    assert "Les deux (sur place et à distance)" in html


def test_a_certification_of_the_repertoire_specifique_points_to_its_own_entry(client, campus):
    formation = FormationPageFactory(
        parent=campus,
        certification=CertificationFactory(code="RS5568", repertoire=Repertoire.RS, level=None),
    )

    html = page(client, formation.url)

    assert 'RS5568 (reconnue par l’État, inscrite au <a href="/glossaire/#rs">Répertoire spécifique</a>)' in html
    assert "/glossaire/#niveau" not in html


def test_the_formation_card_spells_out_the_certification_code_and_level(client, formation):
    html = page(client, "/formations/")

    assert (
        '<abbr title="Répertoire national des certifications professionnelles">RNCP</abbr>37674 · Niveau 5 (bac+2)'
    ) in html


def test_the_catalogue_asks_where_the_formation_happens_and_names_jobs_without_codes(client, formation):
    html = page(client, "/formations/")

    assert '<label for="id_format">Où se passe la formation\u00a0?</label>' in html
    assert ">Les deux (sur place et à distance)</option>" in html
    assert '<option value="M1855">Développeur / Développeuse web</option>' in html
    assert '<a href="/glossaire/#niveau">les niveaux de certification</a>' in html


def test_the_campus_page_explains_its_qpv(client, campus):
    html = page(client, campus.url)

    assert "Au service du quartier Landy - Pressensé - Plaine, un " in html
    assert '<a href="/glossaire/#qpv">quartier prioritaire</a>' in html
    assert '<abbr title="quartier prioritaire de la politique de la ville">QPV</abbr>' in html


def test_the_privacy_notice_points_to_the_rqth_entry(client):
    assert '<a href="/glossaire/#rqth">' in page(client, "/confidentialite/")


# --- Learner forms ------------------------------------------------------------------------------


def test_the_profile_form_explains_the_qpv_question(client):
    client.force_login(LearnerFactory().user)

    html = page(client, reverse("inscriptions:profil"))

    assert '<a href="/glossaire/#qpv">QPV : ce que cela veut dire</a>' in html


def test_the_funders_questions_explain_the_rqth(client):
    learner = LearnerFactory()
    session = SessionFactory(past=True)
    move_to(
        ApplicationFactory(learner=learner, session=session),
        Status.ADMITTED,
        actor=UserFactory(staff_of=session.campus),
    )
    client.force_login(learner.user)

    html = page(client, reverse("inscriptions:questions_financeurs"))

    assert '<a href="/glossaire/#rqth">RQTH : ce que cela veut dire</a>' in html
    assert '<a href="/glossaire/#qpv">QPV : ce que cela veut dire</a>' in html


def test_the_follow_up_survey_points_to_the_words_of_employment():
    help_text = str(FollowUpSurveyForm(left_on=None).fields["placement"].help_text)

    assert "CDI, CDD, intérim, alternance" in help_text
    assert '<a href="/glossaire/">Les mots de l’emploi, expliqués</a>' in help_text


def test_the_glossary_page_reads_nothing_from_the_database(client, django_assert_num_queries):
    # Its words are the product's, in the code: the page costs no query, whatever the site holds.
    with django_assert_num_queries(0):
        page(client, GLOSSARY)
