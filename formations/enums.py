from django.db import models
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    """Where the training takes place, in a learner's words (the question is « Où se passe la formation ? »)."""

    ON_SITE = "sur_place", _("Sur place")
    REMOTE = "a_distance", _("À distance")
    HYBRID = "hybride", _("Les deux (sur place et à distance)")


class Schedule(models.TextChoices):
    FULL_TIME = "temps_plein", _("Temps plein")
    PART_TIME = "temps_partiel", _("Temps partiel")


class FeeKind(models.TextChoices):
    """What a session's price is: a fee kept by the campus, or a deposit given back after the training."""

    FEE = "frais", _("Frais de formation")
    DEPOSIT = "caution", _("Caution remboursable")


class EntryLevel(models.TextChoices):
    NONE = "aucun", _("Aucun diplôme demandé")
    LEVEL_3 = "3", _("CAP ou BEP (niveau 3)")
    LEVEL_4 = "4", _("Baccalauréat (niveau 4)")
    LEVEL_5 = "5", _("Bac+2 (niveau 5)")


class CertificationLevel(models.IntegerChoices):
    """Levels of the national qualifications framework (décret n° 2019-14), aligned with the EQF."""

    LEVEL_1 = 1, _("Niveau 1 (savoirs de base)")
    LEVEL_2 = 2, _("Niveau 2 (premiers savoirs professionnels)")
    LEVEL_3 = 3, _("Niveau 3 (CAP ou BEP)")
    LEVEL_4 = 4, _("Niveau 4 (bac)")
    LEVEL_5 = 5, _("Niveau 5 (bac+2)")
    LEVEL_6 = 6, _("Niveau 6 (bac+3 ou bac+4)")
    LEVEL_7 = 7, _("Niveau 7 (bac+5)")
    LEVEL_8 = 8, _("Niveau 8 (doctorat)")


class Repertoire(models.TextChoices):
    RNCP = "RNCP", _("Répertoire national des certifications professionnelles (RNCP)")
    RS = "RS", _("Répertoire spécifique (RS)")


class ApplicationState(models.TextChoices):
    """Where a session stands for someone who wants to apply (docs/inscriptions.md, « Postuler »)."""

    OPEN = "ouverte", _("Candidatures ouvertes")
    WAITLIST = "liste_attente", _("Complet : liste d’attente")
    CLOSED = "fermee", _("Candidatures fermées")


class CatalogueSort(models.TextChoices):
    START_DATE = "date", _("Date de début la plus proche")
    DURATION = "duree", _("Durée la plus courte")
    TITLE = "titre", _("Titre (de A à Z)")
    # The order when keywords are given and no other is chosen; without keywords, the date decides.
    RELEVANCE = "pertinence", _("Pertinence (avec des mots-clés)")


class HalfDayPart(models.TextChoices):
    """The two halves of a class day on a session's timetable, in the order of the day."""

    MORNING = "matin", _("Matin")
    AFTERNOON = "apres_midi", _("Après-midi")


class Weekday(models.TextChoices):
    """ISO weekdays (Monday is 1), as the session's timetable stores them."""

    MONDAY = "1", _("Lundi")
    TUESDAY = "2", _("Mardi")
    WEDNESDAY = "3", _("Mercredi")
    THURSDAY = "4", _("Jeudi")
    FRIDAY = "5", _("Vendredi")
    SATURDAY = "6", _("Samedi")
    SUNDAY = "7", _("Dimanche")


def label_of(choices, value):
    """What get_<field>_display() gives for `value`, without its cost: Django's builds a dictionary of every
    choice, translating each label, at every call, and a catalogue page calls it about forty times."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
