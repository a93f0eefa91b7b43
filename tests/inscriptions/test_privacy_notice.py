"""The privacy notice says what the code does, and a learner who accepted an older version accepts the new one."""

import datetime
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from inscriptions.models import Learner
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.financeurs.factories import FunderFactory, funder_user
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory

NOTICE = reverse("inscriptions:confidentialite")
ESPACE = reverse("inscriptions:espace")
ACCEPT = reverse("inscriptions:accepter_notice")
OLD_VERSION = "2026-12"


def asked_to_accept(next_url):
    return f"{ACCEPT}?{urlencode({'next': next_url})}"


def notice_text(client):
    response = client.get(NOTICE)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def old_learner(client):
    """A learner who accepted the previous version of the notice."""
    learner = LearnerFactory(first_name="Awa", consent_version=OLD_VERSION)
    client.force_login(learner.user)
    return learner


# --- The notice ------------------------------------------------------------------------------------


def test_current_version_is_the_one_with_the_rewritten_notice():
    assert settings.PRIVACY_NOTICE_VERSION == "2026-12-4"


@override_settings(PRIVACY_NOTICE_VERSION="2027-01")
def test_notice_is_public_and_shows_its_version_and_what_changed(client):
    page = notice_text(client)

    assert "Version 2027-01" in page
    assert "Ce qui change dans cette version" in page
    assert "En bref" in page


def test_notice_no_longer_claims_that_funders_receive_only_anonymous_figures(client):
    page = notice_text(client)

    assert "Ils ne reçoivent que des chiffres anonymes" not in page
    assert "chiffres anonymes : jamais votre nom" not in page
    # What funders really get: figures, a pseudonymised file, and names only under three conditions.
    assert "un fichier des participant·es sous pseudonyme" in page
    assert "différente pour chaque financeur" in page
    assert "au moins 5 personnes" in page
    assert (
        "Votre nom n’y figure que si les trois conditions sont réunies : la convention du financeur l’exige, vous "
        "l’avez accepté dans votre profil, et vous êtes entré·e en formation." in page
    )
    assert "ne contient ni le nom de votre employeur ni l’intitulé de votre poste" in page


def test_notice_quotes_the_anonymity_threshold_the_files_apply(client, settings):
    settings.PARTICIPANT_FILE_K = 7

    assert "au moins 7 personnes" in notice_text(client)


def test_notice_says_the_funders_file_holds_none_of_the_entry_answers(client):
    page = notice_text(client)

    assert "aucune de ces réponses n’est dans leur fichier des participant·es" in page
    assert "Vos réponses sur la RQTH et aux questions du Fonds social européen n’y sont pas" in page


def test_notice_says_the_special_questions_come_after_admission_and_are_hidden_from_the_campus(client):
    page = notice_text(client)

    assert "Ces questions ne sont posées qu’une fois que vous êtes admis·e, avant le début de la formation." in page
    assert "règlement (UE) 2021/1057" in page
    assert "article 9-2-a" in page
    assert "L’équipe du campus ne les voit jamais." in page


def test_notice_covers_every_processing_and_every_right(client):
    page = notice_text(client)

    for heading in (
        "Qui est responsable",
        "Votre compte et votre profil",
        "Vos candidatures et votre CV",
        "Si vous avez moins de 18 ans",
        "Les paiements (Stripe)",
        "Si un partenaire vous a orienté·e vers un campus",
        "Après la formation : suivis et questionnaires",
        "Qui voit vos données",
        "Combien de temps nous les gardons",
        "Voir et récupérer vos données",
        "Corriger",
        "Effacer",
        "Vous opposer",
        "Retirer votre accord",
        "Vous plaindre",
    ):
        assert f">{heading}</h" in page, heading
    assert "RGPD, article 14" in page
    assert "Stripe reçoit de nous : votre adresse e-mail" in page
    assert "nous ne la voyons jamais" in page
    assert "une archive ZIP" in page
    assert "les fichiers nominatifs des financeurs où vous figurez" in page
    assert "CNIL" in page


@override_settings(
    INACTIVE_ACCOUNT_DAYS=400,
    INACTIVE_ACCOUNT_NOTICE_DAYS=21,
    UNUSED_REFERRAL_DAYS=200,
    STRIPE_EVENT_RETENTION_DAYS=61,
    LOG_ENTRY_RETENTION_DAYS=333,
    TASK_RESULT_RETENTION_DAYS=3,
    DATA_JOB_RETENTION_DAYS=4,
    GUARDIAN_CONSENT_MAX_AGE_DAYS=12,
)
def test_retention_periods_are_read_from_the_settings(client):
    page = notice_text(client)

    assert "Sans connexion depuis 400 jours et sans rien en cours" in page
    assert "21 jours plus tard, si vous ne vous êtes pas connecté·e, le compte est anonymisé" in page
    assert "200 jours après son envoi" in page
    for days in (61, 333, 3, 4, 12):
        assert f"<td>{days} jours.</td>" in page, days


class TableAudit(HTMLParser):
    """Tables with a caption and header cells that say their scope; the page's language."""

    def __init__(self):
        super().__init__()
        self.lang, self.tables, self.captions, self.headers_without_scope, self.headers = None, 0, 0, 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.headers += 1
            self.headers_without_scope += attrs.get("scope") not in {"col", "row"}


def test_notice_tables_have_captions_and_scoped_headers(client):
    audit = TableAudit()
    audit.feed(notice_text(client))

    assert audit.lang == "fr"
    assert audit.tables == 2
    assert audit.captions == 2
    assert audit.headers > 4
    assert audit.headers_without_scope == 0


# --- Accepting a new version -----------------------------------------------------------------------


def test_learner_who_accepted_an_older_version_is_asked_before_her_space(client, old_learner):
    response = client.get(ESPACE)

    assert response.status_code == 302
    assert response.url == asked_to_accept(ESPACE)


def test_the_question_shows_what_changed_and_the_ways_out(client, old_learner):
    response = client.get(asked_to_accept(ESPACE))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Notre notice de confidentialité change" in page
    assert "l’équipe du campus note vos présences" in page
    assert f'value="{ESPACE}"' in page
    for url in (NOTICE, reverse("inscriptions:mes_donnees"), reverse("inscriptions:supprimer")):
        assert f'href="{url}"' in page


def test_apply_page_waits_for_the_new_consent_and_comes_back_to_it(client, old_learner):
    apply_path = reverse("inscriptions:postuler", args=[SessionFactory().pk])

    response = client.get(apply_path)

    assert response.status_code == 302
    assert response.url == asked_to_accept(apply_path)
    assert not old_learner.applications.exists()


@pytest.mark.parametrize("name", ["profil", "espace"])
def test_every_learner_page_waits_for_the_new_consent(client, old_learner, name):
    path = reverse(f"inscriptions:{name}")

    assert client.get(path).url == asked_to_accept(path)


def test_application_pages_wait_for_the_new_consent(client, old_learner):
    application = ApplicationFactory(learner=old_learner)
    for path in (
        reverse("inscriptions:postuler_envoye", args=[application.pk]),
        reverse("inscriptions:candidature_action", args=[application.pk, "retirer"]),
        reverse("inscriptions:paiement_annule", args=[application.pk]),
    ):
        assert client.get(path).url == asked_to_accept(path), path


def test_a_form_sent_before_accepting_changes_nothing_and_comes_back_to_the_space(client, old_learner):
    application = ApplicationFactory(learner=old_learner)

    response = client.post(reverse("inscriptions:candidature_action", args=[application.pk, "retirer"]))

    assert response.url == asked_to_accept(ESPACE)
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_accepting_records_the_current_version_and_goes_where_she_wanted(client, old_learner):
    apply_path = reverse("inscriptions:postuler", args=[SessionFactory().pk])
    before = timezone.now()

    response = client.post(asked_to_accept(apply_path), {"next": apply_path})

    assert response.status_code == 302
    assert response.url == apply_path
    old_learner.refresh_from_db()
    assert old_learner.consent_version == settings.PRIVACY_NOTICE_VERSION
    assert old_learner.consent_at >= before
    assert client.get(apply_path).status_code == 200


def test_accepting_needs_the_csrf_token(old_learner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(old_learner.user)

    response = client.post(ACCEPT, {"next": ESPACE})

    assert response.status_code == 403
    old_learner.refresh_from_db()
    assert old_learner.consent_version == OLD_VERSION


def test_accepting_never_sends_her_to_another_site(client, old_learner):
    response = client.post(ACCEPT, {"next": "https://exemple.com/piege"})

    assert response.url == ESPACE


def test_viewing_the_question_records_nothing(client, old_learner):
    consent_at = old_learner.consent_at

    client.get(ACCEPT)

    old_learner.refresh_from_db()
    assert (old_learner.consent_at, old_learner.consent_version) == (consent_at, OLD_VERSION)


def test_until_she_accepts_she_can_read_the_notice_download_her_data_and_log_out(client, old_learner):
    assert client.get(NOTICE).status_code == 200

    archive = client.get(reverse("inscriptions:mes_donnees"))
    assert archive.status_code == 200
    assert archive["Content-Type"] == "application/zip"

    assert client.get(reverse("inscriptions:supprimer")).status_code == 200

    client.post(reverse("account_logout"))
    assert client.get(ESPACE).url.startswith(reverse("account_login"))


def test_until_she_accepts_she_can_delete_her_account(client, old_learner):
    response = client.post(reverse("inscriptions:supprimer"), {"understood": "on"})

    assert response.url == reverse("inscriptions:au_revoir")
    old_learner.refresh_from_db()
    assert old_learner.anonymised_at is not None
    assert old_learner.consent_version == OLD_VERSION


def test_learner_on_the_current_version_is_not_asked(client):
    learner = LearnerFactory()
    client.force_login(learner.user)

    assert client.get(ESPACE).status_code == 200
    assert client.get(ACCEPT).url == ESPACE


def test_someone_who_never_consented_gets_the_profile_step_not_the_new_version(client):
    learner = LearnerFactory(no_consent=True)
    client.force_login(learner.user)
    session = SessionFactory()

    response = client.get(reverse("inscriptions:postuler", args=[session.pk]))

    assert response.status_code == 200
    assert "Notre notice de confidentialité change" not in response.content.decode()


def test_staff_and_funders_are_not_asked(client):
    staff = UserFactory(staff_of=SessionFactory().campus)
    client.force_login(staff)
    assert client.get(ESPACE).status_code == 200

    funder = funder_user(FunderFactory())
    client.force_login(funder)
    assert client.get(ESPACE).url == reverse("financeurs:index")


def test_an_older_consent_still_counts_as_consent_for_what_she_already_did():
    learner = LearnerFactory(consent_version=OLD_VERSION, consent_at=timezone.now() - datetime.timedelta(days=3))

    assert learner.has_consented
    assert learner.must_renew_consent
    assert not Learner(consent_at=None, consent_version="").must_renew_consent
