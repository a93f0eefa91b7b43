"""Funders, their funding agreements (conventions) and the targets those agreements set."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from campus.permissions import campuses_of
from financeurs.enums import FunderKind, IndicatorCode


class FunderQuerySet(models.QuerySet):
    def editable_by(self, user):
        """A funder shared with another campus's agreements is read-only to a team: renaming it would change what
        that other campus's agreements say. Superusers change any funder; a team, those whose agreements are all
        theirs to change (a funder with no agreement yet included)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        foreign = Agreement.objects.exclude(pk__in=Agreement.objects.editable_by(user).values("pk"))
        return self.exclude(pk__in=foreign.values("funder_id"))


class Funder(models.Model):
    """A body that pays for training: a region, the State, the ESF+, a foundation…"""

    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type de financeur"), max_length=15, choices=FunderKind.choices)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("comptes du financeur"),
        blank=True,
        related_name="funders",
        help_text=_("Ces personnes voient les conventions de ce financeur sur l’espace financeurs, et rien d’autre."),
    )

    objects = FunderQuerySet.as_manager()

    class Meta:
        verbose_name = _("financeur")
        verbose_name_plural = _("financeurs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgreementQuerySet(models.QuerySet):
    def for_funder_user(self, user):
        """The agreements a funder's account may read on the funders' portal."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(funder__members=user)

    def readable_on_portal(self, user):
        """What the funders' portal shows `user`: their funders' agreements; every one to a superuser."""
        if user.is_authenticated and user.is_active and user.is_superuser:
            return self.all()
        return self.for_funder_user(user)

    def visible_to(self, user):
        """What staff may see in the admin: every agreement for superusers, those covering their campuses otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        covering = Agreement.campuses.through.objects.filter(campuspage__in=campuses_of(user))
        return self.filter(pk__in=covering.values("agreement_id"))

    def editable_by(self, user):
        """Staff change only agreements whose campuses are all theirs: an agreement shared with another
        campus is read-only to them, so that they never drop or alter what concerns that other campus."""
        visible = self.visible_to(user)
        if not user.is_authenticated or user.is_superuser:
            return visible
        foreign = Agreement.campuses.through.objects.exclude(campuspage__in=campuses_of(user))
        return visible.exclude(pk__in=foreign.values("agreement_id"))


class Agreement(ClusterableModel):
    """A funding agreement (convention): who pays, for which campuses, formations or sessions, when, and for what."""

    funder = models.ForeignKey(
        Funder, verbose_name=_("financeur"), on_delete=models.PROTECT, related_name="agreements"
    )
    reference = models.CharField(
        _("référence de la convention"),
        max_length=60,
        unique=True,
        help_text=_("Le numéro écrit sur la convention signée, par exemple « REG-IDF-2026-014 »."),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    start_date = models.DateField(_("début de la période couverte"))
    end_date = models.DateField(_("fin de la période couverte"))
    amount = models.DecimalField(
        _("montant (€)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)], default=0
    )
    seats_funded = models.PositiveIntegerField(_("places financées"), default=0)
    campuses = models.ManyToManyField(
        "campus.CampusPage", verbose_name=_("campus couverts"), related_name="agreements"
    )
    formations = models.ManyToManyField(
        "formations.FormationPage",
        verbose_name=_("formations couvertes"),
        blank=True,
        related_name="agreements",
        help_text=_("Laissez vide si la convention couvre toutes les formations des campus choisis."),
    )
    sessions = models.ManyToManyField(
        "formations.Session",
        verbose_name=_("sessions couvertes"),
        blank=True,
        related_name="agreements",
        help_text=_("Laissez vide si la convention couvre toutes les sessions des formations choisies."),
    )
    requires_named_data = models.BooleanField(
        _("le financeur exige des données nominatives"),
        default=False,
        help_text=_(
            "Le fichier des participant·es ne donne alors le nom que des personnes qui ont accepté de le transmettre. "
            "Les autres restent sous pseudonyme."
        ),
    )
    notes = models.TextField(_("remarques"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # Its export files go with it: they hold personal data.
    data_jobs = GenericRelation(
        "transferts.DataJob",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="agreement",
    )

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("convention de financement")
        verbose_name_plural = _("conventions de financement")
        ordering = ["-start_date", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="agreement_ends_after_it_starts",
                violation_error_message=_("La fin de la période doit venir après son début."),
            ),
        ]

    def __str__(self):
        return f"{self.reference} – {self.title}"

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("La fin de la période doit venir après son début.")})


class IndicatorTarget(models.Model):
    """What an agreement expects of one indicator: a share in %, a number of people, or an amount in euros."""

    agreement = ParentalKey(Agreement, verbose_name=_("convention"), on_delete=models.CASCADE, related_name="targets")
    indicator = models.CharField(_("indicateur"), max_length=30, choices=IndicatorCode.choices)
    value = models.DecimalField(
        _("objectif"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
        help_text=_("En % pour une part ou un taux, en nombre de personnes, ou en euros pour un coût."),
    )

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["agreement", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "indicator"], name="one_target_per_indicator"),
        ]

    def __str__(self):
        return f"{self.get_indicator_display()} : {self.value}"
