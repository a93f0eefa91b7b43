"""The right of access: a learner's export holds everything about them, and nothing about anyone else."""

import datetime
import json

from django.utils import timezone

from inscriptions.enums import Gender, Placement, QpvResidence
from inscriptions.services import add_staff_note, export_learner_data, record_follow_up
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
    assert first["suivis"] == [
        {
            "moment": "À la sortie",
            "situation": "Alternance ou apprentissage",
            "employeur": "La Poste",
            "poste": "Alternante",
            "depuis": None,
        }
    ]
    assert first["sortie_le"] == application.left_on.isoformat()
    assert "autre personne" not in text
    assert "quelqu’un d’autre" not in text


def test_the_export_of_a_learner_without_applications_or_account_is_still_valid_json():
    learner = LearnerFactory(user=None, consent_at=None)
    data = export_learner_data(learner)
    assert json.loads(json.dumps(data)) == data
    assert data["candidatures"] == []
    assert data["compte"]["e-mail"] == ""
