"""The right of access: a learner's export holds everything about them, and nothing about anyone else."""

import datetime
import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.utils import timezone

from formations.enums import FeeKind
from inscriptions.enums import Gender, Placement, QpvResidence
from inscriptions.models import Payment, PaymentMethod, PaymentStatus, Referral, Refund
from inscriptions.services import add_staff_note, export_learner_data, learner_data_archive, record_follow_up
from inscriptions.workflow import Status
from tests.campus.factories import UserFactory
from tests.formations.factories import SessionFactory
from tests.inscriptions.factories import ApplicationFactory, LearnerFactory, move_to


def test_the_export_holds_profile_applications_history_notes_and_follow_ups():
    learner = LearnerFactory(
        first_name="Léa", last_name="Martin", gender=Gender.FEMALE, qpv_residence=QpvResidence.YES, phone="0612345678"
    )
    session = SessionFactory(past=True)
    staff = UserFactory(staff_of=session.campus)
    application = ApplicationFactory(
        learner=learner,
        session=session,
        constraints="Pas le vendredi",
        submitted_at=timezone.now() - datetime.timedelta(days=90),
    )
    move_to(application, Status.COMPLETED, actor=staff, now=timezone.now() - datetime.timedelta(days=10))
    add_staff_note(application, author=staff, text="Très à l’aise à l’oral.")
    record_follow_up(application, 0, placement=Placement.ALTERNANCE, employer="La Poste", job_title="Alternante")
    pending = ApplicationFactory(learner=learner)
    other = ApplicationFactory(motivation="Le texte d’une autre personne")
    add_staff_note(other, author=staff, text="Note sur quelqu’un d’autre")

    data = export_learner_data(learner)
    text = json.dumps(data, ensure_ascii=False)

    assert json.loads(text) == data
    assert data["compte"]["e-mail"] == learner.user.email
    profile = data["profil"]
    assert profile["prénom"] == "Léa" and profile["nom"] == "Martin"
    assert profile["téléphone"] == "0612345678"
    assert profile["genre"] == {"code": "femme", "libellé": "Femme"}
    assert profile["date de naissance"] == learner.birth_date.isoformat()

    assert len(data["candidatures"]) == 2
    first, second = data["candidatures"]
    assert first["statut"] == "Formation terminée"
    assert second["statut"] == "Envoyée" and second["formation"] == pending.session.formation.title
    assert first["contraintes"] == "Pas le vendredi"
    assert first["motivation"] == application.motivation
    assert [(step["de"], step["vers"]) for step in first["historique"]] == [
        (None, "Envoyée"),
        ("Envoyée", "Admis·e"),
        ("Admis·e", "Inscrit·e"),
        ("Inscrit·e", "En formation"),
        ("En formation", "Formation terminée"),
    ]
    assert first["historique"][1]["par"] == "Équipe du campus"
    assert first["notes_de_l_équipe"][0]["note"] == "Très à l’aise à l’oral."
    [follow_up] = first["suivis"]
    assert follow_up.pop("enregistré_le")
    assert follow_up == {
        "moment": "À la sortie",
        "situation": "Alternance ou apprentissage",
        "employeur": "La Poste",
        "poste": "Alternante",
        "depuis": None,
        "contrat_signé_le": None,
        "source": "Saisi par l’équipe",
    }
    assert first["formation_commencée_le"] == application.started_on.isoformat()
    assert first["sortie_le"] == application.left_on.isoformat()
    assert first["résultat_de_la_certification_le"] is None
    assert "autre personne" not in text
    assert "quelqu’un d’autre" not in text


def test_the_export_of_a_learner_without_applications_or_account_is_still_valid_json():
    learner = LearnerFactory(user=None, consent_at=None)
    data = export_learner_data(learner)
    assert json.loads(json.dumps(data)) == data
    assert data["candidatures"] == []
    assert data["compte"]["e-mail"] == ""


def test_the_export_holds_payments_refunds_referrals_and_the_source_of_each_follow_up():
    learner = LearnerFactory()
    session = SessionFactory(past=True)
    staff = UserFactory(staff_of=session.campus)
    application = move_to(ApplicationFactory(learner=learner, session=session), Status.COMPLETED, actor=staff)
    payment = Payment.objects.create(
        application=application,
        amount_cents=5000,
        fee_kind=FeeKind.FEE,
        method=PaymentMethod.CASH,
        status=PaymentStatus.PAID,
        paid_at=timezone.now(),
    )
    Refund.objects.create(payment=payment, amount_cents=2000, reason="Absence justifiée")
    record_follow_up(application, 0, placement=Placement.CDI, recorded_by=staff)
    Referral.objects.create(
        campus=session.campus,
        partner_name="Mission Locale de Saint-Denis",
        first_name="Awa",
        last_name="Diallo",
        email="awa.diallo@courriel.example",
        phone="0611223344",
        referred_on=datetime.date(2026, 1, 5),
        learner=learner,
    )

    data = export_learner_data(learner)

    [exported] = data["candidatures"]
    [paid] = exported["paiements"]
    assert (paid["montant_en_euros"], paid["statut"]) == ("50.00", "Payé")
    assert paid["remboursements"][0]["raison"] == "Absence justifiée"
    assert paid["remboursements"][0]["état"] == "confirmé"
    assert exported["suivis"][0]["source"] == "Saisi par l’équipe"
    [referral] = data["orientations_par_des_partenaires"]
    assert (referral["structure"], referral["téléphone"]) == ("Mission Locale de Saint-Denis", "0611223344")


def test_the_download_holds_each_cv_the_person_sent():
    learner = LearnerFactory()
    ApplicationFactory(learner=learner, cv=ContentFile(b"%PDF-1.4 mon cv\n%%EOF\n", name="cv.pdf"))
    ApplicationFactory(learner=learner)

    archive = zipfile.ZipFile(io.BytesIO(learner_data_archive(learner)))

    assert archive.namelist() == ["mes-donnees.json", "cv/candidature-1.pdf"]
    assert archive.read("cv/candidature-1.pdf") == b"%PDF-1.4 mon cv\n%%EOF\n"
