"""k-anonymity of the participant file: how far its quasi-identifiers are generalised, and whose are withheld.

The quasi-identifiers are what someone who knows a person could look up in the file: age band, gender, campus,
formation, month the session started, diploma and month the person left. Among the pseudonymised rows, every
combination of them the file shows must be shared by at least k rows (settings.PARTICIPANT_FILE_K).

The file climbs a ladder of global recodings (LADDER), one step at a time, until the rows in combinations of
fewer than k are at most SUPPRESSION_TOLERANCE of the pseudonymised rows (none at all in a file of fewer than 100),
or, if no rung gets there, stops at the lowest rung with the fewest such rows. Those rows then have every
quasi-identifier (and the session's end, which would give its start away) replaced by "Non diffusé"; together they
make one more combination, and if they are fewer than k they are left out of the file.

Named rows (people who agreed to be named to this funder) are outside the count: being named, they are not
anonymous, so they make up no one's class (counting them would let the funder subtract them and see classes
smaller than k) and are never suppressed; they show the same recoding as everyone else.

Everything here works on a Counter of distinct fine combinations, never on the rows: cheap at 100,000 rows.
"""

import collections
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from inscriptions.enums import AgeBand, Diploma, Gender

NOT_DISCLOSED = gettext_lazy("Non diffusé")
# Share of the pseudonymised rows allowed to lose their quasi-identifiers before the next rung is climbed, so
# that one unusual person does not coarsen everybody's file.
SUPPRESSION_TOLERANCE = 0.01

QUARTERS, DIPLOMA_LEVELS, WIDE_AGE_BANDS, YEARS, NO_FORMATION = range(1, 6)
LADDER = (
    gettext_lazy("mois regroupés en trimestres"),
    gettext_lazy("diplôme en trois niveaux (sans le bac, bac, après le bac)"),
    gettext_lazy("tranches d’âge élargies (16-25 ans, 26 ans et plus)"),
    gettext_lazy("trimestres regroupés en années"),
    gettext_lazy("formation retirée (le campus reste)"),
)

DIPLOMA_LEVEL_OF = {
    Diploma.NONE: "infra",
    Diploma.BREVET: "infra",
    Diploma.CAP_BEP: "infra",
    Diploma.BAC: "bac",
    Diploma.BAC_2: "post",
    Diploma.BAC_3_PLUS: "post",
}
WIDE_AGE_BAND_OF = {
    AgeBand.UNDER_18: "young",
    AgeBand.FROM_18_TO_25: "young",
    AgeBand.FROM_26_TO_30: "older",
    AgeBand.OVER_30: "older",
}


def fine_key(age_band, gender, campus, formation, session_start, diploma, left_on):
    """The finest combination: codes, titles, and (year, month) of the two dates (the file never shows a day).

    ParticipantResource.census() builds the same tuples straight from the database's columns.
    """
    return (
        age_band,
        gender,
        campus,
        formation,
        (session_start.year, session_start.month) if session_start else None,
        diploma,
        (left_on.year, left_on.month) if left_on else None,
    )


@dataclass
class Plan:
    """What the file does to the quasi-identifiers: the rung of the ladder, and the combinations withheld."""

    k: int
    level: int = 0
    suppressed: frozenset = frozenset()  # shown combinations whose rows read "Non diffusé"
    suppressed_rows: int = 0
    withheld_rows: int = 0  # rows left out: suppressed, yet fewer than k
    _labels: dict = field(default_factory=dict, repr=False)

    @property
    def generalisations(self):
        return [str(step) for step in LADDER[: self.level]]

    def period(self, month):
        """A (year, month) as the file shows it at this rung: "03/2026", "T1 2026" or "2026"."""
        if month is None:
            return None
        year, number = month
        if self.level >= YEARS:
            return str(year)
        if self.level >= QUARTERS:
            return _("T%(quarter)d %(year)d") % {"quarter": (number - 1) // 3 + 1, "year": year}
        return f"{number:02d}/{year}"

    def shown(self, key):
        """The quasi-identifiers of a fine combination as the file shows them, in the order of fine_key()."""
        labels = self.labels()
        age_band, gender, campus, formation, start, diploma, left = key
        if self.level >= WIDE_AGE_BANDS:
            age = labels["wide_age"].get(WIDE_AGE_BAND_OF.get(age_band))
        else:
            age = labels["age"].get(age_band)
        if self.level >= DIPLOMA_LEVELS:
            diploma_shown = labels["diploma_level"].get(DIPLOMA_LEVEL_OF.get(diploma))
        else:
            diploma_shown = labels["diploma"].get(diploma)
        return (
            age,
            labels["gender"].get(gender),
            campus,
            None if self.level >= NO_FORMATION else formation,
            self.period(start),
            diploma_shown,
            self.period(left),
        )

    def labels(self):
        """Labels in the active language, read once per file."""
        if not self._labels:
            self._labels.update(
                age={value: str(label) for value, label in AgeBand.choices},
                wide_age={"young": _("16-25 ans"), "older": _("26 ans et plus")},
                gender={value: str(label) for value, label in Gender.choices},
                diploma={value: str(label) for value, label in Diploma.choices},
                diploma_level={
                    "infra": _("Sans le bac (niveau 3 ou moins)"),
                    "bac": _("Bac (niveau 4)"),
                    "post": _("Après le bac (niveau 5 ou plus)"),
                },
            )
        return self._labels

    def is_suppressed(self, shown):
        return shown in self.suppressed


def plan(counts, k, tolerance=SUPPRESSION_TOLERANCE):
    """The Plan for pseudonymised rows counted by fine_key().

    The lowest rung that leaves at most `tolerance` of the rows in combinations of fewer than k; if none does, the
    lowest rung that leaves the fewest (climbing further would coarsen everyone's rows for nothing). Those rows
    are then suppressed, or withheld if they are fewer than k themselves.
    """
    total = sum(counts.values())
    outcomes = []
    for level in range(len(LADDER) + 1):
        candidate = Plan(k=k, level=level)
        shown = collections.Counter()
        for key, count in counts.items():
            shown[candidate.shown(key)] += count
        small = frozenset(combination for combination, count in shown.items() if count < k)
        rows = sum(shown[combination] for combination in small)
        outcomes.append((rows, level, small))
        if rows <= total * tolerance:
            break
    rows, level, small = min(outcomes, key=lambda outcome: outcome[:2])
    if 0 < rows < k:
        return Plan(k=k, level=level, suppressed=small, withheld_rows=rows)
    return Plan(k=k, level=level, suppressed=small, suppressed_rows=rows)
