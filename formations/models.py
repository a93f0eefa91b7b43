import datetime
import functools
import logging
import operator
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import DatabaseError, models, transaction
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from campus.models import CampusScopedQuerySet
from formations import sections, serializers, structured_data
from formations.blocks import FormationStreamBlock
from formations.enums import (
    ApplicationState,
    CertificationLevel,
    EntryLevel,
    FeeKind,
    Format,
    HalfDayPart,
    Repertoire,
    Schedule,
    Weekday,
    label_of,
)
from home import text_search
from home.money import cents_to_euros_text
from home.routing import RoutedPageMixin
from home.seo import SiteUrlMixin

logger = logging.getLogger(__name__)

# --- Reference data -----------------------------------------------------------------------------


class RomeCode(models.Model):
    """A job of France Travail's ROME (Répertoire opérationnel des métiers et des emplois)."""

    code = models.CharField(
        _("code ROME"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^[A-N]\d{4}$", _("Un code ROME ressemble à M1805."))],
    )
    label = models.CharField(_("intitulé"), max_length=200)
    domain_code = models.CharField(_("code du domaine professionnel"), max_length=3, blank=True)
    domain_label = models.CharField(_("domaine professionnel"), max_length=200, blank=True)
    grand_domain_code = models.CharField(_("code du grand domaine"), max_length=1, blank=True)
    grand_domain_label = models.CharField(_("grand domaine"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("métier (ROME)")
        verbose_name_plural = _("métiers (ROME)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.label} ({self.code})"


class Domain(models.Model):
    """A training field, named by its Formacode® (Centre Inffo's thesaurus of training fields)."""

    formacode = models.CharField(
        _("code Formacode"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("Un code Formacode compte 5 chiffres."))],
    )
    label = models.CharField(_("intitulé"), max_length=200)

    class Meta:
        verbose_name = _("domaine de formation")
        verbose_name_plural = _("domaines de formation")
        ordering = ["label"]

    def __str__(self):
        return self.label


class Certification(models.Model):
    """A certification registered by France compétences, in the RNCP or the répertoire spécifique."""

    code = models.CharField(
        _("numéro de fiche"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^(RNCP|RS)\d{1,6}$", _("Un numéro de fiche ressemble à RNCP37674 ou RS5568."))],
    )
    repertoire = models.CharField(_("répertoire"), max_length=4, choices=Repertoire.choices)
    title = models.CharField(_("intitulé"), max_length=400)
    level = models.PositiveSmallIntegerField(
        _("niveau"), choices=CertificationLevel.choices, null=True, blank=True, help_text=_("Vide pour le RS.")
    )
    active = models.BooleanField(_("active"), default=True)
    certifiers = models.TextField(_("certificateurs"), blank=True)
    registration_end = models.DateField(_("fin d'enregistrement"), null=True, blank=True)
    rome_codes = models.ManyToManyField(RomeCode, verbose_name=_("métiers visés"), blank=True, related_name="+")
    url = models.URLField(_("fiche officielle"), blank=True, max_length=500)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["code"]

    def __str__(self):
        return f"{self.title} ({self.code})"

    def get_level_display(self):
        return label_of(CertificationLevel, self.level)

    @property
    def official_url(self):
        kind = "rncp" if self.repertoire == Repertoire.RNCP else "rs"
        number = self.code.removeprefix(self.repertoire)
        return f"https://www.francecompetences.fr/recherche/{kind}/{number}/"


# --- Formation pages ----------------------------------------------------------------------------


class PriceRange(NamedTuple):
    """What a formation's upcoming sessions ask, in cents: the formation page says it in one phrase."""

    lowest: int
    highest: int

    def __str__(self):
        if self.highest == 0:
            return gettext("Gratuit")
        if self.lowest == self.highest:
            return gettext("%(amount)s €") % {"amount": cents_to_euros_text(self.lowest)}
        if self.lowest == 0:
            return gettext("Gratuit ou %(highest)s € selon la session") % {
                "highest": cents_to_euros_text(self.highest)
            }
        return gettext("de %(lowest)s € à %(highest)s € selon la session") % {
            "lowest": cents_to_euros_text(self.lowest),
            "highest": cents_to_euros_text(self.highest),
        }


# How many of a campus's upcoming sessions its page reads for each formation it shows (campus_next).
SESSIONS_READ_PER_FORMATION = 4


class FormationPageQuerySet(PageQuerySet):
    def for_catalogue(self, today=None):
        """Live, public formations with what a catalogue card shows, in a constant number of queries."""
        return self.live().public()._with_card_fields(today or timezone.localdate())

    def _with_card_fields(self, today):
        prices = Session.objects.filter(formation=OuterRef("pk")).upcoming(today).order_by().values("formation")
        return (
            self.select_related("domain", "certification", "image")
            # The card's image sizes come with the image: one query for the whole list, not one per card.
            .prefetch_related("image__renditions")
            .annotate(
                lowest_price_cents=Subquery(prices.annotate(price=Min("price_cents")).values("price")),
                highest_price_cents=Subquery(prices.annotate(price=Max("price_cents")).values("price")),
            )
            .with_card_session(today=today)
        )

    def matching(self, text):
        """The formations whose indexed text (search_fields) has every word of `text`, with their `relevance`.

        Wagtail's search index, where accents and case do not matter (home/text_search.py). A word matches a
        whole word, or its stem on PostgreSQL ("développements" finds "développement"); the last word may also be
        the beginning of one ("cyber" finds "cybersécurité"), as in the admin's autocompletion. `relevance` is 1
        when the title has every word, else 0.

        The index is asked once for the ids of the formations it finds, and once for those whose title matches;
        this queryset keeps them: the other filters apply as before, and the count and the page do not run the
        full-text search again. Two queries, whatever the number of formations.
        """
        # Words only: the backends' query syntax must never see a quote, a colon or a star the person typed.
        words = re.findall(r"\w+", text)
        if not words:
            return self.annotate(relevance=Value(0)).none()
        in_title = text_search.indexed_pks(self.model, words, title_only=True)
        found = text_search.indexed_pks(self.model, words)
        return self.filter(pk__in=text_search.among(found)).annotate(
            relevance=Case(When(pk__in=text_search.among(in_title), then=Value(1)), default=Value(0))
            if in_title
            else Value(0)
        )

    def campus_next(self, campus, limit, today=None):
        """The campus's `limit` catalogue formations whose first upcoming session starts soonest, then those
        with no upcoming session, by title.

        The campus's upcoming sessions are read in date order on their (campus, start date) index, a few per
        formation wanted: the same few rows whether the campus has fifty formations or twenty thousand. Only when
        those few rows hold fewer formations than wanted (a formation with many sessions close together) are all
        its sessions grouped, once."""
        today = today or timezone.localdate()
        catalogue = self.for_catalogue(today).child_of(campus)
        sessions = Session.objects.filter(campus=campus, formation__live=True).upcoming(today)
        read = limit * SESSIONS_READ_PER_FORMATION
        starts = list(sessions.order_by("start_date", "pk").values_list("formation", flat=True)[:read])
        soonest = list(dict.fromkeys(starts))[:limit]
        if len(soonest) < limit and len(starts) == read:
            grouped = sessions.values("formation").annotate(first_start=Min("start_date"))
            soonest = list(grouped.order_by("first_start", "formation").values_list("formation", flat=True)[:limit])
        order = {pk: rank for rank, pk in enumerate(soonest)}
        formations = sorted(catalogue.filter(pk__in=soonest), key=lambda formation: order[formation.pk])
        if len(formations) < limit and len(soonest) < limit:
            upcoming = Session.objects.filter(formation=OuterRef("pk")).upcoming(today)
            formations += catalogue.exclude(Exists(upcoming)).order_by("title")[: limit - len(formations)]
        return formations

    def with_card_session(self, sessions=None, today=None):
        """The session each card shows, among the upcoming ones that match `sessions` (a Q on Session).

        The first that accepts applications, else the first by date: its start (`next_session_start`) and its
        state (`next_session_state`: open, waitlist or closed). With `sessions`, only the formations with such a
        session are kept. Called again, it replaces the card session: the catalogue's filters narrow it.

        Without `sessions`, the start is the one stored on the formation (`card_session_start`) while it holds,
        so that sorting the catalogue reads no session; computed again for a formation whose stored start is
        out of date or was never stored.
        """
        today = today or timezone.localdate()
        matching, card_session = _card_sessions(today, sessions)
        start = Subquery(card_session.values("start_date")[:1], output_field=models.DateField())
        if sessions is None:
            start = Case(
                When(card_session_start_until__gte=today, then=F("card_session_start")),
                default=start,
                output_field=models.DateField(),
            )
        queryset = self.annotate(
            next_session_start=start,
            next_session_state=Subquery(card_session.values("application_state")[:1]),
        )
        if sessions is not None:
            queryset = queryset.filter(Exists(matching))
        return queryset

    def store_card_session_start(self, today=None):
        """Store each formation's `card_session_start` as of `today` (see with_card_session), and the last day it
        holds (`card_session_start_until`). One UPDATE, whatever the number of formations.

        The start changes with the days only the day after one of its upcoming sessions starts, or after the
        last day one accepts applications: it holds until the first of those days, included. Without an upcoming
        session, it holds until a session is added (formations/signals.py stores it again then).
        """
        today = today or timezone.localdate()
        upcoming, card_session = _card_sessions(today)
        last_day = Case(
            When(
                Q(**open_for_applications_lookups(today)),
                then=Least("start_date", "application_deadline"),
            ),
            default=F("start_date"),
            output_field=models.DateField(),
        )
        holds_until = upcoming.order_by().values("formation").annotate(until=Min(last_day)).values("until")
        return self.update(
            card_session_start=Subquery(card_session.values("start_date")[:1]),
            card_session_start_until=Coalesce(Subquery(holds_until), Value(datetime.date.max)),
        )

    def refresh_card_session_starts(self, today=None):
        """Store again the card session starts that no longer hold on `today`, or were never stored."""
        today = today or timezone.localdate()
        stale = Q(card_session_start_until__lt=today) | Q(card_session_start_until__isnull=True)
        return self.filter(stale).store_card_session_start(today)

    def in_order(self, pks):
        """The formations of this queryset whose ids are `pks`, in that order: a page of ids sorted and counted
        beforehand. One query."""
        position = {pk: rank for rank, pk in enumerate(pks)}
        return sorted(self.order_by().filter(pk__in=list(position)), key=lambda formation: position[formation.pk])


def _card_sessions(today, sessions=None):
    """A formation's upcoming sessions (those that match `sessions`, a Q on Session), for a subquery: as they
    are, and in the order a card picks its session (the ones that accept applications first, then by date)."""
    matching = Session.objects.filter(formation=OuterRef("pk")).upcoming(today)
    if sessions is not None:
        matching = matching.filter(sessions)
    return matching, matching.with_application_state(today).order_by("state_rank", "start_date", "pk")


@functools.lru_cache(maxsize=1)
def _live_with_card_fields(today):
    # Once a day in each process: the stored card session starts that the night made out of date are stored
    # again, so that the day's catalogue sorts on them. They would be right anyway (with_card_session), slower.
    try:
        with transaction.atomic():
            FormationPage.objects.refresh_card_session_starts(today)
    except DatabaseError:
        logger.warning("Les dates des prochaines sessions n'ont pas pu être mises à jour.", exc_info=True)
    # Never evaluated, only copied (.all()): a queryset's cache of results stays empty, and no request alters it.
    return FormationPage.objects.live()._with_card_fields(today)


class FormationPage(RoutedPageMixin, SiteUrlMixin, Page):
    summary = models.TextField(
        _("résumé"), max_length=300, help_text=_("Deux ou trois phrases simples : à quoi mène la formation.")
    )
    body = StreamField(FormationStreamBlock(), blank=True, verbose_name=_("contenu"))
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Facultative. Une photo du métier ou du lieu, montrée sur la carte du catalogue et en haut de la page."
        ),
    )
    # No "decorative" choice: the image is the only picture of the job on the card, so it always says something.
    image_alt = models.CharField(
        _("description de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Ce que montre l'image, pour qui ne la voit pas. Obligatoire si une image est choisie."),
    )
    domain = models.ForeignKey(
        Domain,
        verbose_name=_("domaine"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="formation_pages",
    )
    target_jobs = ParentalManyToManyField(
        RomeCode, verbose_name=_("métiers visés (codes ROME)"), blank=True, related_name="formation_pages"
    )
    certification = models.ForeignKey(
        Certification,
        verbose_name=_("certification préparée"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="formation_pages",
    )
    entry_level = models.CharField(
        _("niveau demandé à l'entrée"), max_length=10, choices=EntryLevel.choices, default=EntryLevel.NONE
    )
    duration_hours = models.PositiveIntegerField(_("durée en heures"), validators=[MinValueValidator(1)])
    format = models.CharField(
        _("où se passe la formation"), max_length=12, choices=Format.choices, default=Format.ON_SITE
    )
    prerequisites = models.TextField(
        _("prérequis"), blank=True, help_text=_("Ce qu'il faut savoir ou avoir avant d'entrer, en mots simples.")
    )
    accessibility_referent_name = models.CharField(_("référent handicap : nom"), max_length=120, blank=True)
    accessibility_referent_email = models.EmailField(_("référent handicap : e-mail"), blank=True)
    accessibility_referent_phone = models.CharField(_("référent handicap : téléphone"), max_length=20, blank=True)
    # The start of the session its card shows without filters, and the last day it holds (see
    # FormationPageQuerySet.with_card_session): the catalogue sorts on them. Stored by formations/signals.py when
    # a session or the page is saved, and each day for the formations the night made out of date.
    card_session_start = models.DateField(null=True, blank=True, editable=False)
    card_session_start_until = models.DateField(null=True, blank=True, editable=False)

    objects = PageManager.from_queryset(FormationPageQuerySet)()

    # What the catalogue's keywords search (FormationPageQuerySet.matching). Wagtail indexes a page when it is
    # saved; a campus renamed reindexes its formations (signals.py).
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.AutocompleteField("summary"),
        index.SearchField("body"),
        index.SearchField("prerequisites"),
        index.RelatedFields(
            "target_jobs", [index.SearchField("label"), index.AutocompleteField("label"), index.SearchField("code")]
        ),
        index.RelatedFields(
            "certification",
            [index.SearchField("title"), index.AutocompleteField("title"), index.SearchField("code")],
        ),
        index.RelatedFields("domain", [index.SearchField("label"), index.AutocompleteField("label")]),
        index.SearchField("campus_words"),
        index.AutocompleteField("campus_words"),
        index.FilterField("format"),
    ]

    # The public API (docs/api.md): what the formation page shows, nothing of the staff's.
    api_fields = [
        APIField("summary"),
        APIField("duration_hours"),
        APIField("entry_level", serializer=serializers.ChoiceField(EntryLevel)),
        APIField("format", serializer=serializers.ChoiceField(Format)),
        APIField("price_range", serializer=serializers.PriceRangeField()),
        APIField("campus", serializer=serializers.CampusField()),
        APIField("domain", serializer=serializers.DomainField()),
        APIField("certification", serializer=serializers.CertificationField()),
        APIField("target_jobs", serializer=serializers.TargetJobsField()),
        APIField("sessions", serializer=serializers.SessionsField()),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("duration_hours"), FieldPanel("format")]),
                FieldPanel("entry_level"),
                FieldPanel("prerequisites"),
            ],
            heading=_("L'essentiel"),
        ),
        MultiFieldPanel(
            [FieldPanel("domain"), FieldPanel("certification"), FieldPanel("target_jobs")],
            heading=_("Certification et métiers"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("accessibility_referent_name"),
                FieldRowPanel(
                    [FieldPanel("accessibility_referent_email"), FieldPanel("accessibility_referent_phone")]
                ),
            ],
            heading=_("Accessibilité aux personnes en situation de handicap"),
        ),
        FieldPanel("body"),
    ]

    parent_page_types = ["campus.CampusPage"]
    subpage_types = []

    # The same for every anonymous visitor: served from the shared cache (home.page_cache).
    public_page_cache = True
    # What its page shows, read with it when its campus routes to it (home.routing).
    route_select_related = ("certification", "domain", "image")

    class Meta:
        verbose_name = _("formation")
        verbose_name_plural = _("formations")

    def clean(self):
        super().clean()
        if self.image_id and not self.image_alt.strip():
            raise ValidationError(
                {"image_alt": _("Décrivez ce que montre l'image, pour les personnes qui ne la voient pas.")}
            )
        if self.image_alt and not self.image_id:
            # A description left behind when the image is removed would describe nothing.
            self.image_alt = ""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campus"] = self.campus
        context["sessions"] = self.upcoming_sessions
        # Listed by the page and by its structured data: read once.
        models.prefetch_related_objects([self], "target_jobs")
        context["structured_data"] = structured_data.course(self, request)
        # Added by higher apps (see formations.sections), e.g. what became of those who did the training.
        context["page_sections"] = sections.page_sections(self, timezone.localdate())
        return context

    @cached_property
    def campus(self):
        from campus.models import CampusPage

        parent = self.__dict__.get("_cached_parent_obj")
        if isinstance(parent, CampusPage):  # left by routing: the campus served the request on its way here
            return parent
        return CampusPage.objects.filter(path=self.path[: -self.steplen]).first()

    def campus_words(self):
        """The campus's name and commune, for the search index: "Bondy" finds the formations of Bondy's campus."""
        campus = self.campus
        return f"{campus.title} {campus.commune}" if campus else ""

    @cached_property
    def upcoming_sessions(self):
        return list(self.sessions.upcoming().order_by("start_date"))

    def get_format_display(self):
        return label_of(Format, self.format)

    @cached_property
    def price_range(self):
        """The lowest and highest amounts its upcoming sessions ask, in cents; None without an upcoming session."""
        if "lowest_price_cents" in self.__dict__:  # annotated by for_catalogue()
            if self.lowest_price_cents is None:
                return None
            return PriceRange(self.lowest_price_cents, self.highest_price_cents)
        prices = [session.price_cents for session in self.upcoming_sessions]
        return PriceRange(min(prices), max(prices)) if prices else None

    @property
    def is_free(self):
        return self.price_range is not None and self.price_range.highest == 0

    @staticmethod
    def catalogue_formations(today=None):
        """FormationPage.objects.for_catalogue(), quicker to build: its annotations, built once a day, are copied.

        Building them took a tenth of the catalogue's time. The private sections are read again each time."""
        return _live_with_card_fields(today or timezone.localdate()).all().public()

    @staticmethod
    def attach_campuses(formations):
        """Give each formation its campus with one query, whatever the number of formations."""
        from campus.models import CampusPage

        formations = list(formations)
        parent_paths = {formation.path[: -formation.steplen] for formation in formations}
        # No one reads a campus's body here (cards, API, LHEO feed): not decoded.
        campuses = {
            campus.path: campus for campus in CampusPage.objects.filter(path__in=parent_paths).defer_streamfields()
        }
        for formation in formations:
            formation.__dict__["campus"] = campuses.get(formation.path[: -formation.steplen])
        return formations


# --- Sessions -----------------------------------------------------------------------------------


def open_for_applications_lookups(today):
    """The one rule of a session open for applications, for the queryset and the model method alike.

    Applications ticked open, the deadline not passed (the deadline day is still open) and the session not
    started (its first day is still open). A full session stays open: applicants join the waitlist.
    """
    return {"applications_open": True, "application_deadline__gte": today, "start_date__gte": today}


# « Places libres »: at least one seat not taken. With the rule above, the catalogue's « places ouvertes ».
SEATS_LEFT = Q(seats_taken__lt=models.F("capacity"))


def _matches(instance, lookup, expected):
    """Whether an instance meets one lookup of open_for_applications_lookups: exact or __gte."""
    field, _separator, operator_name = lookup.partition("__")
    value = getattr(instance, field)
    return value >= expected if operator_name == "gte" else value == expected


class SessionQuerySet(CampusScopedQuerySet):
    def upcoming(self, today=None):
        return self.filter(start_date__gte=today or timezone.localdate())

    def open_for_applications(self, today=None):
        """Sessions that accept applications today, full or not (see `open_for_applications_lookups`)."""
        return self.filter(**open_for_applications_lookups(today or timezone.localdate()))

    def with_seats_left(self):
        return self.filter(SEATS_LEFT)

    def with_application_state(self, today=None):
        """Each session's `application_state` (an ApplicationState), and `state_rank`: the open ones first."""
        is_open = Q(**open_for_applications_lookups(today or timezone.localdate()))
        return self.annotate(
            application_state=Case(
                When(is_open & SEATS_LEFT, then=Value(ApplicationState.OPEN)),
                When(is_open, then=Value(ApplicationState.WAITLIST)),
                default=Value(ApplicationState.CLOSED),
            ),
            state_rank=Case(When(is_open, then=Value(0)), default=Value(1)),
        )

    def under_pages(self, pages):
        """Sessions of the formations at or below any of these pages."""
        return self.filter(reduce(operator.or_, (Q(formation__path__startswith=page.path) for page in pages)))


def capacity_below_seats_taken(taken):
    """Why a session's capacity cannot go down to what staff typed."""
    return ngettext(
        "Il y a déjà %(taken)d inscrit·e, la capacité ne peut pas descendre sous %(taken)d.",
        "Il y a déjà %(taken)d inscrit·es, la capacité ne peut pas descendre sous %(taken)d.",
        taken,
    ) % {"taken": taken}


DEFAULT_CLASS_DAYS = "12345"


@dataclass(frozen=True, order=True)
class HalfDay:
    """A morning or an afternoon of class on a session's timetable, and how many hours it lasts."""

    day: datetime.date
    part: str
    hours: Decimal

    @property
    def part_label(self):
        return HalfDayPart(self.part).label

    @property
    def slug(self):
        return f"{self.day.isoformat()}/{self.part}"


def slot_hours(start, end):
    """Hours between two times of a day, as a Decimal with two places (3.5 for 9:00-12:30)."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return (Decimal(minutes) / 60).quantize(Decimal("0.01"))


class Session(models.Model):
    """A dated run of a formation. Applications will point at it, so it is never deleted by a page edit."""

    formation = models.ForeignKey(
        FormationPage, verbose_name=_("formation"), on_delete=models.PROTECT, related_name="sessions"
    )
    # Copied from the formation's parent page so that staff scoping and filters need no tree walk.
    campus = models.ForeignKey(
        "campus.CampusPage",
        verbose_name=_("campus"),
        on_delete=models.PROTECT,
        related_name="sessions",
        editable=False,
    )
    start_date = models.DateField(_("date de début"))
    end_date = models.DateField(_("date de fin"))
    application_deadline = models.DateField(_("date limite de candidature"))
    capacity = models.PositiveSmallIntegerField(_("nombre de places"), validators=[MinValueValidator(1)])
    seats_taken = models.PositiveSmallIntegerField(_("places occupées"), default=0, editable=False)
    schedule = models.CharField(_("rythme"), max_length=15, choices=Schedule.choices, default=Schedule.FULL_TIME)
    applications_open = models.BooleanField(
        _("candidatures ouvertes"), default=True, help_text=_("Décochez pour fermer les candidatures avant la date.")
    )
    # In cents: money is never a float. 0 means the session is free for the learner.
    price_cents = models.PositiveIntegerField(
        _("montant à payer"),
        default=0,
        help_text=_("En centimes. 0 si la session est gratuite."),
    )
    fee_kind = models.CharField(_("nature du montant"), max_length=10, choices=FeeKind.choices, default=FeeKind.FEE)
    schedule_details = models.CharField(
        _("horaires"), max_length=200, blank=True, help_text=_("Ex. : du lundi au jeudi, de 9 h à 16 h")
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)
    # The timetable the attendance sheets are drawn from (inscriptions/services/attendance.py): class days, and a
    # morning and/or an afternoon. New and existing sessions start from Monday to Friday, 9:00-12:30 and
    # 13:30-17:00, which staff change for a part-time session; no day or no slot means no sheet.
    class_days = models.CharField(
        _("jours de cours"),
        max_length=7,
        blank=True,
        default=DEFAULT_CLASS_DAYS,
        help_text=_("Les jours où la formation a lieu : les feuilles de présence suivent ces jours."),
    )
    morning_start = models.TimeField(
        _("début du matin"), null=True, blank=True, default=datetime.time(9), help_text=_("Ex. : 09:00")
    )
    morning_end = models.TimeField(
        _("fin du matin"), null=True, blank=True, default=datetime.time(12, 30), help_text=_("Ex. : 12:30")
    )
    afternoon_start = models.TimeField(
        _("début de l’après-midi"),
        null=True,
        blank=True,
        default=datetime.time(13, 30),
        help_text=_("Laissez vide s’il n’y a pas cours l’après-midi."),
    )
    afternoon_end = models.TimeField(
        _("fin de l’après-midi"), null=True, blank=True, default=datetime.time(17), help_text=_("Ex. : 17:00")
    )

    # What a person needs on day one, told in the admission, enrolment and reminder e-mails and in /mon-espace/.
    venue_address = models.CharField(
        _("lieu de la formation"),
        max_length=250,
        blank=True,
        help_text=_(
            "À remplir seulement si la formation n’a pas lieu à l’adresse du campus. "
            "Ex. : 5 rue Réaumur, 93300 Aubervilliers"
        ),
    )
    first_day_details = models.TextField(
        _("premier jour"),
        blank=True,
        help_text=_(
            "À quelle heure arriver, qui accueille, quoi apporter. Ex. : Arrivez à 9 h, Samia vous accueille "
            "à l’entrée ; apportez une pièce d’identité."
        ),
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(application_deadline__lte=models.F("end_date")), name="session_deadline_before_end"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_has_seats"),
            models.CheckConstraint(condition=Q(seats_taken__lte=models.F("capacity")), name="session_not_overbooked"),
        ]
        indexes = [
            models.Index(fields=["formation", "start_date"]),
            # A campus page reads its next sessions in date order (FormationPageQuerySet.campus_next).
            models.Index(fields=["campus", "start_date"], name="session_campus_start"),
        ]

    def __str__(self):
        return _("%(formation)s – du %(start)s au %(end)s") % {
            "formation": self.formation.title,
            "start": self.start_date.strftime("%d/%m/%Y"),
            "end": self.end_date.strftime("%d/%m/%Y"),
        }

    def save(self, *args, **kwargs):
        # Always follow the formation: an edit may move the session to a formation of another campus.
        if self.formation_id:
            self.campus = self.formation.campus
        update_fields = kwargs.get("update_fields")
        may_move = not self._state.adding and (update_fields is None or "campus" in update_fields)
        # The seat counter belongs to the enrolment pipeline, which moves it under a row lock. An edit of
        # a session loaded earlier (the admin form) must not write back a stale count.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "seats_taken"
            ]
        super().save(*args, **kwargs)
        if may_move:
            # Applications copy their session's campus, which decides which staff see them: they move with
            # it here, where the campus is written (an edit, a formation page moved), not in a hook that only
            # the admin's edit view would run. Through the reverse relation: formations imports no app above.
            self.applications.exclude(campus_id=self.campus_id).update(campus_id=self.campus_id)

    @classmethod
    def from_db(cls, db, field_names, values):
        session = super().from_db(db, field_names, values)
        # A session moved to another formation changes the card of the one it leaves too (formations/signals.py).
        session.formation_id_in_db = session.__dict__.get("formation_id")
        return session

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("La date de fin doit venir après la date de début.")
        if self.application_deadline and self.end_date and self.application_deadline > self.end_date:
            errors["application_deadline"] = _("La date limite de candidature doit venir avant la fin de la session.")
        if self.capacity is not None and self.capacity < self.seats_taken:
            errors["capacity"] = capacity_below_seats_taken(self.seats_taken)
        if self.formation_id and self.formation.campus is None:
            errors["formation"] = _("Cette formation n'est rattachée à aucun campus.")
        errors.update(self.timetable_errors())
        if errors:
            raise ValidationError(errors)

    def timetable_errors(self):
        errors = {}
        if any(day not in Weekday.values for day in self.class_days or ""):
            errors["class_days"] = _("Choisissez des jours de la semaine.")
        for part, label in (("morning", _("du matin")), ("afternoon", _("de l’après-midi"))):
            start, end = getattr(self, f"{part}_start"), getattr(self, f"{part}_end")
            if (start is None) != (end is None):
                field = f"{part}_end" if end is None else f"{part}_start"
                errors[field] = _("Donnez le début et la fin %(part)s, ou laissez les deux vides.") % {"part": label}
            elif start is not None and end <= start:
                errors[f"{part}_end"] = _("La fin %(part)s doit venir après son début.") % {"part": label}
        if (
            "morning_end" not in errors
            and "afternoon_end" not in errors
            and self.morning_end
            and self.afternoon_start
            and self.afternoon_start < self.morning_end
        ):
            errors["afternoon_start"] = _("L’après-midi doit commencer après la fin du matin.")
        return errors

    @property
    def slots(self):
        """{part: hours} of the timetable's half-days, morning first; empty without a timetable."""
        slots = {}
        if self.morning_start and self.morning_end and self.morning_end > self.morning_start:
            slots[HalfDayPart.MORNING.value] = slot_hours(self.morning_start, self.morning_end)
        if self.afternoon_start and self.afternoon_end and self.afternoon_end > self.afternoon_start:
            slots[HalfDayPart.AFTERNOON.value] = slot_hours(self.afternoon_start, self.afternoon_end)
        return slots

    def is_class_day(self, day):
        return str(day.isoweekday()) in (self.class_days or "")

    def half_days(self, start=None, end=None):
        """The half-days of class between the session's start and end dates (within start and end, if given)."""
        first = max(self.start_date, start) if start else self.start_date
        last = min(self.end_date, end) if end else self.end_date
        slots = self.slots
        found = []
        day = first
        while day <= last:
            if self.is_class_day(day):
                found += [HalfDay(day, part, hours) for part, hours in slots.items()]
            day += datetime.timedelta(days=1)
        return found

    def half_day(self, day, part):
        """The half-day of the timetable on that day and part, or None."""
        hours = self.slots.get(part)
        if hours is None or not (self.start_date <= day <= self.end_date) or not self.is_class_day(day):
            return None
        return HalfDay(day, part, hours)

    @property
    def address(self):
        """Where the training takes place: its own place if given, else the campus's address."""
        if self.venue_address:
            return self.venue_address
        if not self.campus_id or not self.campus.street_address:
            return ""
        return f"{self.campus.street_address}, {self.campus.postcode} {self.campus.commune}"

    @property
    def is_paid(self):
        return self.price_cents > 0

    @property
    def price_euros(self):
        return self.price_cents / 100

    @property
    def seats_left(self):
        return max(self.capacity - self.seats_taken, 0)

    @property
    def is_full(self):
        return self.seats_left == 0

    def is_open_for_applications(self, today=None):
        """Open to applications, full or not: past capacity, applicants join the waitlist."""
        lookups = open_for_applications_lookups(today or timezone.localdate())
        return all(_matches(self, lookup, expected) for lookup, expected in lookups.items())

    def application_state(self, today=None):
        """The session's ApplicationState, as `with_application_state` gives it in the database."""
        if not self.is_open_for_applications(today):
            return ApplicationState.CLOSED
        return ApplicationState.WAITLIST if self.is_full else ApplicationState.OPEN
