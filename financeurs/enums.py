"""The words of funding: who funds, and the indicators a funding agreement can set a target on."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FunderKind(models.TextChoices):
    REGION = "region", _("Région")
    STATE = "etat", _("État (politique de la ville, France Travail…)")
    ESF_PLUS = "fse_plus", _("Union européenne – FSE+")
    DEPARTMENT = "departement", _("Département")
    CITY = "commune", _("Commune ou intercommunalité")
    FOUNDATION = "fondation", _("Fondation")
    COMPANY = "entreprise", _("Entreprise")
    OPCO = "opco", _("OPCO")


class IndicatorCode(models.TextChoices):
    """Every indicator a target can be set on. Each is defined once in financeurs/indicators/
    and explained in docs/indicators.md."""

    APPLICANTS = "candidats", _("Candidat·es")
    ADMITTED = "admis", _("Admis·es")
    ENROLLED = "inscrits", _("Inscrit·es")
    STARTED = "entres", _("Entré·es en formation")
    COMPLETED = "termines", _("Formation terminée")
    DROPPED_OUT = "abandons", _("Abandons")
    CERTIFIED = "certifies", _("Certifié·es")
    ATTENDANCE_RATE = "taux_assiduite", _("Taux d’assiduité")
    POSITIVE_EXIT = "sorties_positives", _("Sorties positives à la sortie")
    POSITIVE_6_MONTHS = "sorties_positives_6_mois", _("Sorties positives à 6 mois")
    RESPONSE_RATE_EXIT = "taux_reponse_sortie", _("Taux de réponse à la sortie")
    RESPONSE_RATE_6_MONTHS = "taux_reponse_6_mois", _("Taux de réponse à 6 mois")
    WOMEN = "part_femmes", _("Part de femmes")
    QPV = "part_qpv", _("Part d’habitant·es des quartiers prioritaires")
    UNDER_26 = "part_moins_26_ans", _("Part de moins de 26 ans")
    NO_BACCALAUREATE = "part_sans_bac", _("Part de personnes sans le baccalauréat")
    RQTH = "part_rqth", _("Part de personnes avec une RQTH")
    COST_PER_LEARNER = "cout_par_personne", _("Coût par personne entrée en formation")
