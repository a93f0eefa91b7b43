"""The indicators of docs/indicators.md, recomputed the slow and obvious way, sentence by sentence.

Written from the document alone: each rule quotes the sentence it implements. Nothing here reads the
database or Tremplin's own computation; it reads the plain rows of `rows.py`.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tests.financeurs.reference import rows
from tests.financeurs.reference.esf import esf_results
from tests.financeurs.reference.readings import (
    LEFT,
    POSITIVE,
    WENT_TO_THE_END,
    add_months,
    exit_situation,
    rate,
    six_month_due_on,
    six_month_situation,
)
from tests.financeurs.reference.report import Report, Result
from tests.financeurs.reference.rows import CONFIRMED, GOT_A_SEAT, STARTED

# « Part de personnes sans le baccalauréat : aucun diplôme, le brevet des collèges, un CAP ou un BEP. »
BELOW_BACCALAUREATE = {"aucun", "brevet", "cap_bep"}

# « L'objectif est atteint quand la valeur est supérieure ou égale à l'objectif, sauf pour les abandons et le
# coût, où elle doit être inférieure ou égale. »
LESS_IS_BETTER = {"abandons", "cout_par_personne"}
# « Pour un taux (en %), on ne conclut pas non plus quand sa base compte moins de 10 personnes. »
MIN_BASE = 10
RATES = {
    "sorties_positives",
    "sorties_positives_6_mois",
    "taux_reponse_sortie",
    "taux_reponse_6_mois",
    "part_femmes",
    "part_qpv",
    "part_moins_26_ans",
    "part_sans_bac",
    "part_rqth",
}


def kept_after_erasure(person, application):
    """« Quand une personne supprime son compte, […] ses candidatures restent avec leurs étapes, leurs statuts et
    leurs dates […] : une candidature encore ouverte est retirée (sa place revient à la liste d'attente), mais
    elle garde l'étape qu'elle avait atteinte. »"""
    still_open = {rows.SUBMITTED, rows.UNDER_REVIEW, rows.WAITLISTED, rows.ADMITTED, rows.ENROLLED}
    if person.erased and application.status in still_open:
        return rows.WITHDRAWN
    return application.status


def in_scope(session, agreement):
    """« Une candidature entre dans le périmètre d'une convention quand sa session a lieu dans l'un des campus de
    la convention, et : si la convention liste des formations, que la session est l'une de ces formations ; si la
    convention liste des sessions, que c'est l'une de ces sessions. »

    « Le campus est celui de la session, tel qu'il est aujourd'hui. »"""
    if session.campus not in agreement.campuses:
        return False
    if agreement.formations and session.formation not in agreement.formations:
        return False
    return not (agreement.sessions and session.key not in agreement.sessions)


def in_period(session, period):
    """« Une candidature compte dans une période quand sa session commence dans cette période, premier et dernier
    jour compris. »"""
    return period.start <= session.start <= period.end


@dataclass
class Represented:
    """One person, through the one application that represents them."""

    person: rows.Person
    application: rows.Application
    status: str
    session: rows.Session


def represented(world, agreement, period):
    """« Quand une personne a plusieurs candidatures dans le périmètre et la période […], une seule la représente :
    celle qui est allée le plus loin dans le parcours, et, entre plusieurs allées aussi loin, la plus récente. »

    « « La plus récente » : la session qui commence le plus tard ; à date égale, la candidature envoyée le plus
    tard (puis, à la même seconde, la dernière enregistrée). »"""
    people = []
    for person in world.people:
        candidates = [
            application
            for application in person.applications
            if in_scope(world.sessions[application.session], agreement)
            and in_period(world.sessions[application.session], period)
        ]
        if not candidates:
            continue
        best = max(
            candidates,
            key=lambda a: (a.furthest_stage, world.sessions[a.session].start, a.submitted_at, a.order),
        )
        people.append(Represented(person, best, kept_after_erasure(person, best), world.sessions[best.session]))
    return people


def verdict(code, value, denominator, target, agreement, period):
    """« Un objectif porte sur toute la convention : on dit s'il est atteint seulement quand la période affichée
    est celle de toute la convention » ; « Sans objectif, ou quand la valeur n'est pas calculable, on ne dit ni
    atteint ni manqué. Pour un taux (en %), on ne conclut pas non plus quand sa base compte moins de 10
    personnes »."""
    if target is None or value is None:
        return None
    if period != agreement.whole_period:
        return None
    if code in RATES and denominator < MIN_BASE:
        return None
    if code in LESS_IS_BETTER:
        return value <= target
    return value >= target


def compute(world, agreement, period, today):
    people = represented(world, agreement, period)
    results = {}

    def put(code, value, numerator=None, denominator=None, **extra):
        target = agreement.targets.get(code)
        results[code] = Result(
            code,
            value,
            numerator,
            denominator,
            target,
            verdict(code, value, denominator, target, agreement, period),
            **extra,
        )

    # « Candidat·es : toutes les personnes qui ont au moins une candidature dans le périmètre et la période, quelle
    # que soit sa suite (y compris refusée ou retirée). »
    applicants = len(people)
    # « Admis·es : les personnes qui ont reçu une place à l'une de leurs candidatures […] qu'elles aient ensuite
    # gardé cette place ou non » — the representative went furthest, so it holds the furthest stage of them all.
    admitted = sum(1 for p in people if p.application.furthest_stage >= GOT_A_SEAT)
    # « Inscrit·es : les personnes qui ont confirmé leur place à l'une de leurs candidatures »
    enrolled = sum(1 for p in people if p.application.furthest_stage >= CONFIRMED)
    # « Entré·es en formation : […] (une entrée en formation ne se défait pas). Ce sont les participant·es »
    entered = [p for p in people if p.application.furthest_stage >= STARTED]
    # « une personne qui a abandonné une première session puis suit une seconde session compte une fois, par la
    # seconde ; sa situation après la première n'entre pas dans les résultats » — statuses are the representative's.
    completed = sum(1 for p in people if p.status in WENT_TO_THE_END)
    dropped_out = sum(1 for p in people if p.status == rows.DROPPED_OUT)
    certified = sum(1 for p in people if p.status == rows.CERTIFIED)
    # « le tableau de bord montre à côté sa part dans l'étape précédente » : admis sur candidats, inscrits sur
    # admis, entrées sur inscrits, terminés, abandons et certifiés sur les entrées.
    put("candidats", applicants)
    put("admis", admitted, admitted, applicants)
    put("inscrits", enrolled, enrolled, admitted)
    put("entres", len(entered), len(entered), enrolled)
    put("termines", completed, completed, len(entered))
    put("abandons", dropped_out, dropped_out, len(entered))
    put("certifies", certified, certified, len(entered))

    # Results.
    leavers = [p for p in people if p.status in LEFT]
    known_at_exit = [p for p in leavers if exit_situation(p.application) is not None]
    positive_at_exit = [p for p in known_at_exit if exit_situation(p.application) in POSITIVE]
    # « Chaque taux de sorties positives se lit de deux façons […] parmi les personnes qui ont répondu […] ; parmi
    # toutes les personnes sorties (ou sorties depuis six mois), celles qui n'ont pas répondu comptant comme
    # situation inconnue »
    put(
        "sorties_positives",
        rate(len(positive_at_exit), len(known_at_exit)),
        len(positive_at_exit),
        len(known_at_exit),
        value_over_all=rate(len(positive_at_exit), len(leavers)),
        denominator_over_all=len(leavers),
    )
    due_at_six_months = [p for p in leavers if six_month_due_on(p.application) <= today]
    known_at_six_months = [p for p in due_at_six_months if six_month_situation(p.application) is not None]
    positive_at_six_months = [p for p in known_at_six_months if six_month_situation(p.application) in POSITIVE]
    put(
        "sorties_positives_6_mois",
        rate(len(positive_at_six_months), len(known_at_six_months)),
        len(positive_at_six_months),
        len(known_at_six_months),
        value_over_all=rate(len(positive_at_six_months), len(due_at_six_months)),
        denominator_over_all=len(due_at_six_months),
    )
    # « Taux de réponse à la sortie : parmi les personnes sorties de formation, la part dont on connaît la
    # situation à la sortie. »
    put("taux_reponse_sortie", rate(len(known_at_exit), len(leavers)), len(known_at_exit), len(leavers))
    # « Taux de réponse à 6 mois : parmi les personnes sorties depuis au moins six mois, la part dont on connaît la
    # situation à 6 mois. »
    put(
        "taux_reponse_6_mois",
        rate(len(known_at_six_months), len(due_at_six_months)),
        len(known_at_six_months),
        len(due_at_six_months),
    )

    # « Toutes ces parts se calculent sur les personnes entrées en formation, d'après les faits relevés à leur
    # entrée »
    def share(code, counted):
        numerator = sum(1 for p in entered if counted(p.application))
        put(code, rate(numerator, len(entered)), numerator, len(entered))

    # « Les personnes qui ont indiqué « Femme ». […] une personne qui ne l'a pas donné compte dans le dénominateur,
    # pas dans le numérateur. »
    share("part_femmes", lambda a: a.entry.gender == "femme")
    # « « Je ne sais pas » ne compte pas comme un oui. »
    share("part_qpv", lambda a: a.entry.qpv_residence == "oui")
    # « Les personnes qui avaient moins de 26 ans le jour de leur candidature »
    share("part_moins_26_ans", lambda a: a.age_on_submission is not None and a.age_on_submission < 26)
    share("part_sans_bac", lambda a: a.entry.diploma in BELOW_BACCALAUREATE)
    share("part_rqth", lambda a: a.entry.rqth)

    # « Le montant de la convention divisé par le nombre de personnes entrées en formation sur toute la période de
    # la convention, quelle que soit la période affichée […] Arrondi au centime. Non calculable tant que personne
    # n'est entré. »
    entered_over_agreement = sum(
        1 for p in represented(world, agreement, agreement.whole_period) if p.application.furthest_stage >= STARTED
    )
    cost = None
    if entered_over_agreement:
        cost = (agreement.amount / entered_over_agreement).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    put("cout_par_personne", cost)

    for result in esf_results(entered, today):
        results[result.code] = result

    # « Les résultats à 6 mois d'une période sont complets quand toutes ses sessions sont finies depuis six mois :
    # le jour qui tombe six mois après la dernière fin de session de la période. »
    ends = [s.end for s in world.sessions.values() if in_scope(s, agreement) and in_period(s, period)]
    complete_on = add_months(max(ends), 6) if ends else None
    # « Une personne encore « en formation » alors que sa session est finie n'est pas encore comptée comme sortie.
    # Le tableau de bord dit combien de personnes sont dans ce cas »
    still_in_training = sum(1 for p in people if p.status == rows.IN_TRAINING and p.session.end < today)
    return Report(results, complete_on, complete_on is None or complete_on <= today, still_in_training)
