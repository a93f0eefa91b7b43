"""« Résultats publiés sur la page d'une formation » (docs/indicators.md), recomputed the slow and obvious way.

Written from the document alone, like the indicators next to it: each rule quotes the sentence it implements.
"""

import datetime

from tests.financeurs.reference import rows
from tests.financeurs.reference.indicators import represented
from tests.financeurs.reference.readings import LEFT, POSITIVE, add_months, six_month_due_on, six_month_situation

# « Rien n'est publié sous 10 personnes sorties dans la fenêtre »
MIN_LEAVERS = 10


def window(today):
    """« la fenêtre va du dernier jour de sortie dont le suivi à 6 mois est dû le jour du calcul, en remontant
    de 24 mois (au même jour, ou au dernier jour du mois quand ce mois est plus court), les deux jours
    compris »"""
    last = today
    while add_months(last, 6) > today:
        last -= datetime.timedelta(days=1)
    return add_months(last, -24), last


def outcomes(world, formation, today):
    """(sorties, réponses, en emploi ou en formation) for the formation, whatever their number.

    « Les personnes comptées sont celles d'une convention qui ne listerait que cette formation, dans tous les
    campus, sur toute la durée : chacune une fois, par la candidature qui la représente (voir « Une personne
    compte une fois »). »"""
    agreement = rows.Agreement(
        kind="formations",
        campuses=frozenset(session.campus for session in world.sessions.values()),
        formations=frozenset({formation}),
        sessions=frozenset(),
        start=datetime.date.min,
        end=datetime.date.max,
        amount=0,
        targets={},
    )
    first, last = window(today)
    # « Personnes sorties : celles des sorties depuis au moins six mois (leur suivi à 6 mois est dû) qui sont
    # sorties dans la fenêtre »
    due = [
        p
        for p in represented(world, agreement, agreement.whole_period)
        if p.status in LEFT and six_month_due_on(p.application) <= today and first <= p.application.left_on <= last
    ]
    # « Réponses : celles dont on connaît la situation à 6 mois, comme pour le taux de réponse à 6 mois »
    answered = [p for p in due if six_month_situation(p.application) is not None]
    # « Un emploi ou une formation : une sortie positive, d'après le suivi à 6 mois »
    positive = [p for p in answered if six_month_situation(p.application) in POSITIVE]
    return len(due), len(answered), len(positive)
