"""The answers asked only after admission, for the funders' statistics: kept apart from the profile staff read."""

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from inscriptions.enums import Nationality, YesNoUnsaid
from inscriptions.models.learners import Learner

# The answers copied onto the application when the training starts, by name. An unanswered question (no row, or
# "I prefer not to say") is recorded as the application's default: neither counted nor told apart from "no".
ANSWER_NAMES = ("rqth", "nationality", "foreign_background", "housing_exclusion", "rural_area")


class EntryAnswers(models.Model):
    """A person's answers to the European Social Fund's questions and about a recognised disability (RQTH).

    Asked once the person has a place, never before: the team deciding admissions cannot see them, only the
    indicators and the funders' files read them, through the facts recorded on the application at entry.
    Every question is optional; None or "" means the person preferred not to answer.
    """

    learner = models.OneToOneField(
        Learner, verbose_name=_("candidat·e"), on_delete=models.CASCADE, related_name="entry_answers"
    )
    rqth = models.BooleanField(_("avez-vous une reconnaissance de handicap (RQTH) ?"), null=True, blank=True)
    nationality = models.CharField(_("nationalité"), max_length=10, choices=Nationality.choices, blank=True)
    foreign_background = models.CharField(
        _("l’un de vos parents est-il né à l’étranger ?"), max_length=3, choices=YesNoUnsaid.choices, blank=True
    )
    housing_exclusion = models.BooleanField(_("êtes-vous sans logement ou mal logé·e ?"), null=True, blank=True)
    rural_area = models.BooleanField(_("habitez-vous en zone rurale ?"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponses données le"))

    class Meta:
        verbose_name = _("réponses pour les financeurs")
        verbose_name_plural = _("réponses pour les financeurs")

    def __str__(self):
        return str(_("Réponses pour les financeurs de %(learner)s")) % {"learner": self.learner}

    @classmethod
    def of(cls, learner):
        """The person's answers, or None if they never answered (the row is created by the first answer)."""
        try:
            return learner.entry_answers
        except ObjectDoesNotExist:
            return None
