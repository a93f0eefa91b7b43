"""How the reference reads one application's row: departures, follow-ups, dates and rates (docs/indicators.md)."""

import calendar
import datetime
from decimal import Decimal
from fractions import Fraction

from tests.financeurs.reference import rows

# « Les personnes sorties sont celles dont la formation est terminée (certifiées ou non) ou qui ont abandonné. »
LEFT = {rows.COMPLETED, rows.CERTIFIED, rows.NOT_CERTIFIED, rows.DROPPED_OUT}
# « Formation terminée : les personnes allées au bout de la formation, certifiées ou non. »
WENT_TO_THE_END = {rows.COMPLETED, rows.CERTIFIED, rows.NOT_CERTIFIED}
# « Une sortie positive est l'une de ces situations : CDI, CDD de 6 mois ou plus, alternance ou apprentissage,
# formation qualifiante, création d'entreprise. »
POSITIVE = {"cdi", "cdd_6_mois_plus", "alternance", "formation_qualifiante", "creation_entreprise"}
# « Un suivi « Situation inconnue » n'est pas une réponse. »
UNKNOWN = "inconnu"


def add_months(day, months):
    """« six mois après la sortie, du même jour au même jour (une sortie le 31 mars est due le 30 septembre) »"""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rate(numerator, denominator):
    """« Un taux est arrondi au dixième (0,05 vers le haut). Quand personne n'est dans le dénominateur, le taux
    n'est pas calculable : il n'a pas de valeur (jamais 0 %). »"""
    if denominator == 0:
        return None
    tenths = Fraction(1000 * numerator, denominator)  # the rate in tenths of a percent, never negative
    return Decimal(int(tenths + Fraction(1, 2))).scaleb(-1)


def follow_up(application, milestone):
    for item in application.follow_ups:
        if item.milestone == milestone:
            return item
    return None


def exit_situation(application):
    """« Sorties positives à la sortie : parmi les personnes sorties dont on connaît la situation à la sortie (un
    suivi de sortie autre que « Situation inconnue ») » — the exit follow-up's placement, or None when unknown.

    « Un contrat signé compte à la sortie, même s'il commence plus tard » : its start date is not read."""
    item = follow_up(application, rows.EXIT)
    if item is None or item.placement == UNKNOWN:
        return None
    return item.placement


def six_month_due_on(application):
    """« Les personnes sorties depuis au moins six mois sont celles dont le suivi à 6 mois est dû au plus tard le
    jour du calcul (six mois du jour de sortie au même jour, voir plus haut). »"""
    return add_months(application.left_on, 6)


def six_month_situation(application):
    """« Un suivi à 6 mois ne compte que s'il a été enregistré le jour où il est dû ou après […] : il n'entre pas
    dans les chiffres, et la personne compte comme n'ayant pas répondu. » and « Un suivi « Situation inconnue »
    n'est pas une réponse »."""
    item = follow_up(application, rows.SIX_MONTHS)
    if item is None or item.placement == UNKNOWN:
        return None
    if item.recorded_on < six_month_due_on(application):
        return None
    return item.placement
