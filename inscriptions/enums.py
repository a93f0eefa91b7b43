"""The words of a learner's profile and outcomes. Labels are what the learner and the staff read."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    FEMALE = "femme", _("Femme")
    MALE = "homme", _("Homme")
    OTHER = "autre", _("Je me décris autrement")


class QpvResidence(models.TextChoices):
    YES = "oui", _("Oui")
    NO = "non", _("Non")
    UNKNOWN = "ne_sait_pas", _("Je ne sais pas")


class Diploma(models.TextChoices):
    """Highest diploma obtained, on the French scale of levels (niveaux 3 to 6 and above)."""

    NONE = "aucun", _("Aucun diplôme")
    BREVET = "brevet", _("Brevet des collèges")
    CAP_BEP = "cap_bep", _("CAP ou BEP (niveau 3)")
    BAC = "bac", _("Baccalauréat, général, technologique ou professionnel (niveau 4)")
    BAC_2 = "bac_2", _("Bac + 2 : BTS, DUT, DEUST… (niveau 5)")
    BAC_3_PLUS = "bac_3", _("Bac + 3 ou plus : licence, master… (niveau 6 et plus)")

    @classmethod
    def below_baccalaureate(cls):
        return [cls.NONE, cls.BREVET, cls.CAP_BEP]


class Situation(models.TextChoices):
    JOB_SEEKER_REGISTERED = "de_inscrit", _("Je cherche un emploi et je suis inscrit·e à France Travail")
    JOB_SEEKER_UNREGISTERED = "de_non_inscrit", _("Je cherche un emploi, sans être inscrit·e à France Travail")
    STUDENT = "etudiant", _("Je suis élève ou étudiant·e")
    EMPLOYED = "salarie", _("J’ai un emploi")
    INACTIVE = "ni_emploi_ni_formation", _("Je ne suis ni en emploi, ni en formation, et je ne cherche pas")

    @classmethod
    def job_seeking(cls):
        return [cls.JOB_SEEKER_REGISTERED, cls.JOB_SEEKER_UNREGISTERED]


class JobSeekingDuration(models.TextChoices):
    LESS_THAN_6_MONTHS = "moins_6_mois", _("Moins de 6 mois")
    SIX_TO_12_MONTHS = "6_12_mois", _("De 6 mois à 1 an")
    ONE_TO_2_YEARS = "1_2_ans", _("De 1 à 2 ans")
    MORE_THAN_2_YEARS = "plus_2_ans", _("Plus de 2 ans")


class Referrer(models.TextChoices):
    MISSION_LOCALE = "mission_locale", _("Une Mission Locale")
    FRANCE_TRAVAIL = "france_travail", _("France Travail")
    ASSOCIATION = "association", _("Une association")
    OTHER = "autre", _("Autre (ami·e, réseaux sociaux, école…)")
    NOBODY = "personne", _("Personne, je suis venu·e de moi-même")


class Availability(models.TextChoices):
    FULL = "complete", _("Je suis disponible sur toute la durée de la session")
    CONSTRAINED = "contraintes", _("Je suis disponible, avec quelques contraintes")


class GuardianConsentMethod(models.TextChoices):
    EMAIL = "email", _("Lien envoyé par e-mail")
    PAPER = "papier", _("Formulaire papier reçu par le campus")


class Placement(models.TextChoices):
    """What a learner does after leaving. The first five count as a positive outcome (sortie positive)."""

    CDI = "cdi", _("CDI")
    CDD_LONG = "cdd_6_mois_plus", _("CDD de 6 mois ou plus")
    ALTERNANCE = "alternance", _("Alternance ou apprentissage")
    TRAINING = "formation_qualifiante", _("Formation qualifiante")
    BUSINESS = "creation_entreprise", _("Création d’entreprise")
    CDD_SHORT = "cdd_moins_6_mois", _("CDD de moins de 6 mois")
    INTERIM = "interim", _("Intérim")
    INTERNSHIP = "stage", _("Stage")
    JOB_SEEKING = "recherche_emploi", _("En recherche d’emploi")
    UNKNOWN = "inconnu", _("Situation inconnue")

    @classmethod
    def positive(cls):
        return [cls.CDI, cls.CDD_LONG, cls.ALTERNANCE, cls.TRAINING, cls.BUSINESS]

    @classmethod
    def contracts(cls):
        """Work under a contract that is signed before it starts: it may be recorded at exit with a later start."""
        return [cls.CDI, cls.CDD_LONG, cls.CDD_SHORT, cls.ALTERNANCE, cls.INTERIM]


class FollowUpMilestone(models.IntegerChoices):
    """Months after leaving the training."""

    EXIT = 0, _("À la sortie")
    SIX_MONTHS = 6, _("À 6 mois")
    TWELVE_MONTHS = 12, _("À 12 mois")


class FollowUpSource(models.TextChoices):
    STAFF = "equipe", _("Saisi par l’équipe")
    SURVEY = "questionnaire", _("Réponse au questionnaire")
    IMPORT = "import", _("Import de fichier")

    def outranks(self, other):
        """Staff entry > survey answer > import: a source never silently replaces a follow-up of a higher one."""
        order = [FollowUpSource.IMPORT, FollowUpSource.SURVEY, FollowUpSource.STAFF]
        return order.index(self) > order.index(FollowUpSource(other))


class AgeBand(models.TextChoices):
    UNDER_18 = "16-17", _("16-17 ans")
    FROM_18_TO_25 = "18-25", _("18-25 ans")
    FROM_26_TO_30 = "26-30", _("26-30 ans")
    OVER_30 = "31+", _("31 ans et plus")

    @classmethod
    def for_age(cls, age):
        if age is None:
            return None
        if age < 18:
            return cls.UNDER_18
        if age <= 25:
            return cls.FROM_18_TO_25
        if age <= 30:
            return cls.FROM_26_TO_30
        return cls.OVER_30

    def bounds(self):
        """Inclusive (min, max) ages; max is None for the open band."""
        return {"16-17": (16, 17), "18-25": (18, 25), "26-30": (26, 30), "31+": (31, None)}[self.value]


class Nationality(models.TextChoices):
    """Asked for the European Social Fund (ESF+ indicator "third-country nationals")."""

    FRENCH = "francaise", _("Française")
    EU = "ue", _("D’un autre pays de l’Union européenne")
    OTHER = "hors_ue", _("D’un pays hors de l’Union européenne")


class YesNoUnsaid(models.TextChoices):
    YES = "oui", _("Oui")
    NO = "non", _("Non")
    UNSAID = "", _("Je préfère ne pas répondre")


class AttendanceStatus(models.TextChoices):
    """What staff tick for a person on a half-day's attendance sheet. Not ticked: nothing recorded."""

    PRESENT = "present", _("Présent·e")
    ABSENT = "absent", _("Absent·e")
    EXCUSED = "excuse", _("Absence justifiée")
