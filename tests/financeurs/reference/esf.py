"""The 25 common indicators of the ESF+, recomputed from docs/indicators.md (« Indicateurs communs du FSE+ »)."""

from tests.financeurs.reference import rows
from tests.financeurs.reference.readings import LEFT, exit_situation, six_month_due_on, six_month_situation
from tests.financeurs.reference.report import Result

JOB_SEEKING = {"de_inscrit", "de_non_inscrit"}
# « EECR04 : Suivi de sortie : CDI, CDD (long ou court), intérim, alternance ou création d'entreprise. »
EMPLOYMENT = {"cdi", "cdd_6_mois_plus", "cdd_moins_6_mois", "interim", "alternance", "creation_entreprise"}


def _age(application):
    # « les âges sont ceux du jour de la candidature »
    return application.age_on_submission


def _long_term_unemployed(application):
    """« Cherche un emploi depuis au moins un an, ou depuis au moins six mois avant 25 ans (définition
    européenne). »"""
    entry = application.entry
    if entry.situation not in JOB_SEEKING:
        return False
    if entry.job_seeking_duration in {"1_2_ans", "plus_2_ans"}:
        return True
    age = _age(application)
    return entry.job_seeking_duration == "6_12_mois" and age is not None and age < 25


# « Seules les personnes sorties de formation sont comptées (sauf EECR03, qui compte la certification obtenue). »
def _due_at_six_months(p, today):
    return p.status in LEFT and six_month_due_on(p.application) <= today


def _criteria(today):
    """Who each code counts among the participants: (code, test of one represented person)."""
    return [
        # « Toutes les personnes entrées en formation. »
        ("EECO01", lambda p: True),
        # « Situation à l'entrée : cherche un emploi, inscrite ou non à France Travail. »
        ("EECO02", lambda p: p.application.entry.situation in JOB_SEEKING),
        ("EECO03", lambda p: _long_term_unemployed(p.application)),
        # « Élève ou étudiant·e, ou ni en emploi ni en formation sans chercher d'emploi. »
        ("EECO04", lambda p: p.application.entry.situation in {"etudiant", "ni_emploi_ni_formation"}),
        # « Situation à l'entrée : a un emploi. »
        ("EECO05", lambda p: p.application.entry.situation == "salarie"),
        # « Moins de 18 ans. » ; « De 18 à 29 ans. » ; « 55 ans ou plus. »
        ("EECO06", lambda p: _age(p.application) is not None and _age(p.application) < 18),
        ("EECO07", lambda p: _age(p.application) is not None and 18 <= _age(p.application) <= 29),
        ("EECO08", lambda p: _age(p.application) is not None and _age(p.application) >= 55),
        # « Aucun diplôme, ou le brevet des collèges. » ; « CAP, BEP ou baccalauréat. » ; « Bac + 2, bac + 3 ou
        # plus. »
        ("EECO09", lambda p: p.application.entry.diploma in {"aucun", "brevet"}),
        ("EECO10", lambda p: p.application.entry.diploma in {"cap_bep", "bac"}),
        ("EECO11", lambda p: p.application.entry.diploma in {"bac_2", "bac_3"}),
        # « RQTH. »
        ("EECO12", lambda p: p.application.entry.rqth),
        # « Nationalité d'un pays hors de l'Union européenne. »
        ("EECO13", lambda p: p.application.entry.nationality == "hors_ue"),
        # « L'un des parents est né à l'étranger (réponse « Oui »). »
        ("EECO14", lambda p: p.application.entry.foreign_background == "oui"),
        # EECO15 is not collected: see esf_results.
        # « A indiqué être sans logement ou mal logé·e. » ; « A indiqué habiter en zone rurale. »
        ("EECO16", lambda p: p.application.entry.housing_exclusion),
        ("EECO17", lambda p: p.application.entry.rural_area),
        # « Suivi de sortie : « En recherche d'emploi ». »
        ("EECR01", lambda p: p.status in LEFT and exit_situation(p.application) == "recherche_emploi"),
        # « Suivi de sortie : formation qualifiante, ou stage. »
        ("EECR02", lambda p: p.status in LEFT and exit_situation(p.application) in {"formation_qualifiante", "stage"}),
        # « Certification obtenue (statut « Certifié·e »). »
        ("EECR03", lambda p: p.status == rows.CERTIFIED),
        ("EECR04", lambda p: p.status in LEFT and exit_situation(p.application) in EMPLOYMENT),
        # « Personnes sorties depuis au moins six mois, dans les mêmes situations au suivi à 6 mois (enregistré le
        # jour où il est dû ou après). »
        ("EECR05", lambda p: _due_at_six_months(p, today) and six_month_situation(p.application) in EMPLOYMENT),
        # « Personnes sorties depuis au moins six mois qui avaient un emploi à l'entrée et sont, au suivi à 6 mois
        # (enregistré le jour où il est dû ou après), en CDI ou en CDD de 6 mois ou plus. »
        (
            "EECR06",
            lambda p: (
                _due_at_six_months(p, today)
                and p.application.entry.situation == "salarie"
                and six_month_situation(p.application) in {"cdi", "cdd_6_mois_plus"}
            ),
        ),
    ]


def esf_results(participants, today):
    """« Chaque indicateur est donné au total, et pour les femmes et pour les hommes […] (une personne qui se décrit
    autrement ou n'a pas donné son genre compte dans le total seulement). Le genre, la situation, le diplôme et les
    réponses au FSE+ sont ceux relevés à l'entrée en formation »"""
    results = []
    for code, counted in _criteria(today):
        people = [p for p in participants if counted(p)]
        women = sum(1 for p in people if p.application.entry.gender == "femme")
        men = sum(1 for p in people if p.application.entry.gender == "homme")
        results.append(Result(code, len(people), len(people), len(participants), women=women, men=men))
    # « EECO15 […] Non collecté […] Déclaré comme non collecté, sans valeur (ni 0). »
    results.append(Result("EECO15", None))
    # « EECO18 / EECO19 […] Sans objet, déclaré à 0 »
    results.append(Result("EECO18", 0))
    results.append(Result("EECO19", 0))
    return results
