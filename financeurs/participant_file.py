"""The participant file: one row per person in an agreement's scope, pseudonymised, named only where allowed.

Its columns and values are defined here once; financeurs/exports.py renders them (see financeurs/resources.py for
the rows' base class and financeurs/pseudonyms.py for the pseudonyms).
"""

import collections
import datetime
import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, Case, CharField, ExpressionWrapper, FilteredRelation, Q, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from financeurs.anonymity import NOT_DISCLOSED, plan
from financeurs.indicators import ENTERED, participants
from financeurs.pseudonyms import pseudonym_ranks, pseudonym_text
from financeurs.resources import RowResource, day, labels, memoised, number, text, yes_no
from inscriptions.enums import (
    AgeBand,
    FollowUpMilestone,
    JobSeekingDuration,
    Placement,
    QpvResidence,
    Referrer,
    Situation,
)
from inscriptions.models import ENTRY_FACTS as APPLICATION_ENTRY_FACTS
from inscriptions.models import Application
from inscriptions.resources import neutralise_formula
from inscriptions.services.attendance import hours_present
from inscriptions.workflow import Status

CHUNK_SIZE = 2000
# People read per query by the participant file's second pass, in pseudonym order: larger chunks mean fewer
# passes of the database's joins over the follow-ups (PostgreSQL hashes them once per query), smaller ones less
# memory (the chunk's rows are held to be put in order). At 100,000 people, 10,000 took 8 MiB more than 5,000
# for 0.2 s less.
ROWS_PER_QUERY = 5000
# Bits of a census entry under the pseudonym (see ParticipantResource.census()).
ENTRY_PK_BITS, ENTRY_KEY_BITS = 40, 24


# named file could tie to a name.
PROFILE_COLUMNS = ("gender", "qpv_residence", "diploma", "situation", "job_seeking_duration")
_ENTRY_COLUMN_OF = {profile: entry for entry, profile in APPLICATION_ENTRY_FACTS.items()}
ENTRY_COLUMNS = tuple(_ENTRY_COLUMN_OF[name] for name in PROFILE_COLUMNS)
LEARNER_COLUMNS = tuple(f"learner__{name}" for name in PROFILE_COLUMNS)


# Dates are read as ISO text ("2026-03-05", both databases) and cut to (year, month) once per distinct day:
# converting 100,000 dates in Python, or extracting them in SQLite's Python functions, made the file slow.
MONTH = memoised(lambda text: (int(text[:4]), int(text[5:7])) if text else None)


def among_ids(ids):
    """Application.pk among `ids`, the ids as one query parameter: with pk__in, Django and psycopg spend more time
    on 10,000 placeholders than the database spends on the query."""
    table = Application._meta.db_table
    if connection.vendor == "postgresql":
        return RawSQL(f'"{table}"."id" = ANY(%s)', (ids,), output_field=BooleanField())
    if connection.vendor == "sqlite":
        return RawSQL(f'"{table}"."id" IN (SELECT value FROM json_each(%s))', (json.dumps(ids),), BooleanField())
    return Q(pk__in=ids)


def raw_rows(queryset, chunked=False):
    """The rows of a values_list() queryset as the database driver returns them, a few at a time.

    Without Django's converters, which cost a function call per row and column: booleans come as 0 or 1 from
    SQLite, and dates as ISO text, so a caller that needs them typed converts them itself. `chunked` reads through
    a server-side cursor on PostgreSQL, so that a large result is not held in memory at once.
    """
    # The SELECT lists the columns in the order of values_list() (Django 5.2 keeps it in Query.selected).
    try:
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
    except EmptyResultSet:  # a filter that can match nothing (no campus, say): Django skips the query too
        return
    database = connections[queryset.db]
    if chunked and database.vendor == "postgresql":
        # Streamed from an ordinary query: a server-side cursor (Django's chunked_cursor()) is planned for its
        # first rows and without parallel workers, which made the census twice as slow.
        database.ensure_connection()
        with database.cursor() as cursor:
            yield from cursor.cursor.stream(sql, params, size=CHUNK_SIZE)
        return
    with database.chunked_cursor() if chunked else database.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_SIZE):
            yield from rows


# Sums of hours come as Decimal from PostgreSQL and as a float or text from SQLite: two places either way.
HOURS = memoised(lambda value: Decimal(str(value)).quantize(Decimal("0.01")))
DATE = memoised(lambda value: datetime.date.fromisoformat(value) if isinstance(value, str) else value)


# Whoever entered training: the file gives the profile recorded that day (ENTRY_COLUMNS).
ENTRY_RECORDED = Q(entry_recorded_at__isnull=False)
# Agreed to be named, and not anonymised since; whether the person entered training is checked on the status.
CONSENTED = ExpressionWrapper(
    Q(learner__named_data_consent_at__isnull=False, learner__anonymised_at__isnull=True), output_field=BooleanField()
)


class ParticipantResource(RowResource):
    """One row per person in the agreement's scope over the period: pseudonymised, named only where allowed.

    Named columns, and the free text of the latest follow-up (employer, job title), exist only when the agreement
    requires named data, and are filled only for the people who entered the training and agreed to it (and were
    not anonymised since); everyone else keeps them blank.

    The quasi-identifiers of the pseudonymised rows are generalised so that the file is k-anonymous (see
    financeurs/anonymity.py). Two passes keep memory low: census() reads the quasi-identifiers and pseudonyms of
    everyone (a few small columns) and decides the plan; rows() then reads the rest in chunks, in pseudonym order,
    which is random and different for each funder (an order by session or by id would say what the generalised
    columns hide, and would line two funders' files up).
    """

    pseudonym = text(_("Pseudonyme"))
    first_name = text(_("Prénom"))
    last_name = text(_("Nom"))
    email = text(_("E-mail"))
    birth_date = day(_("Date de naissance"))
    age_band = text(_("Tranche d’âge"))
    gender = text(_("Genre"))
    qpv_residence = text(_("Résident·e QPV"))
    diploma = text(_("Diplôme"))
    situation = text(_("Situation à l’entrée"))
    job_seeking_duration = text(_("Durée de recherche d’emploi"))
    referrer = text(_("Orienté·e par"))
    campus = text(_("Campus"))
    formation = text(_("Formation"))
    # Months (or quarters, or years), never days: see anonymity.Plan.period().
    session_start = text(_("Début de session"))
    session_end = text(_("Fin de session"))
    status = text(_("Statut"))
    left_on = text(_("Date de sortie"))
    # The hours of the half-days marked present (inscriptions/services/attendance.py): not a quasi-identifier.
    hours_attended = number(_("Heures suivies"))
    exit_placement = text(_("Situation à la sortie"))
    exit_positive = yes_no(_("Sortie positive à la sortie"))
    six_months_placement = text(_("Situation à 6 mois"))
    six_months_positive = yes_no(_("Sortie positive à 6 mois"))
    twelve_months_placement = text(_("Situation à 12 mois"))
    twelve_months_positive = yes_no(_("Sortie positive à 12 mois"))
    latest_employer = text(_("Employeur ou organisme (dernier suivi)"))
    latest_job_title = text(_("Poste ou formation (dernier suivi)"))
    certified = yes_no(_("Certifié·e"))

    NAMED = ("first_name", "last_name", "email", "birth_date")
    # Free text can name a person as surely as a name does ("stagiaire chez mon oncle, boulangerie X").
    FREE_TEXT = ("latest_employer", "latest_job_title")

    class Meta:
        export_order = [
            "pseudonym",
            "first_name",
            "last_name",
            "email",
            "birth_date",
            "age_band",
            "gender",
            "qpv_residence",
            "diploma",
            "situation",
            "job_seeking_duration",
            "referrer",
            "campus",
            "formation",
            "session_start",
            "session_end",
            "status",
            "left_on",
            "hours_attended",
            "exit_placement",
            "exit_positive",
            "six_months_placement",
            "six_months_positive",
            "twelve_months_placement",
            "twelve_months_positive",
            "latest_employer",
            "latest_job_title",
            "certified",
        ]

    def __init__(self, agreement, period, progress=None):
        super().__init__(progress=progress)
        self.agreement, self.period = agreement, period
        self._census = None
        if not agreement.requires_named_data:
            for name in (*self.NAMED, *self.FREE_TEXT):
                del self.fields[name]

    def get_queryset(self):
        return participants(self.agreement, self.period)

    @property
    def anonymity(self):
        """The anonymity.Plan of this file."""
        return self.census()[2]

    def withheld(self, queryset=None):
        return self.census(queryset)[2].withheld_rows

    def census(self, queryset=None):
        """Pass one: (entries, keys, plan), sorted by pseudonym.

        Each entry is one integer (100,000 tuples and strings took more memory than the rest of the file): the
        pseudonym's pseudonym_ranks() above the application's pk (ENTRY_PK_BITS) above the index of its fine key
        in `keys` and whether the row was counted as named (lowest bit). Sorting them sorts by pseudonym, then pk.

        Taken once per resource: rows() shows the quasi-identifiers read here, so the file keeps the plan's
        promise even if a profile changes while it is written.
        """
        if self._census is not None:
            return self._census
        queryset = self.get_queryset() if queryset is None else queryset
        named_file = self.agreement.requires_named_data
        columns = ["pk", "pseudonym_text", "status", "consented"]
        # The quasi-identifiers, last, in the order of fine_key(): the gender and diploma recorded at entry into
        # training for whoever entered, the profile's for the others.
        columns += ["age_on_submission", "gender_shown", "campus__title", "session__formation__title", "start_text"]
        columns += ["diploma_shown", "left_text"]
        # Text and booleans computed by the database: converting 100,000 UUIDs and dates in Python is slow.
        values = (
            Application.objects.filter(pk__in=queryset.values("pk"))
            .order_by()  # rows are sorted by pseudonym here: the model's ordering would only cost a sort
            .annotate(
                pseudonym_text=Cast("learner__pseudonym_id", CharField()),
                start_text=Cast("session__start_date", CharField()),
                left_text=Cast("left_on", CharField()),
                consented=CONSENTED,
                gender_shown=Case(When(ENTRY_RECORDED, then=_ENTRY_COLUMN_OF["gender"]), default="learner__gender"),
                diploma_shown=Case(When(ENTRY_RECORDED, then=_ENTRY_COLUMN_OF["diploma"]), default="learner__diploma"),
            )
            .values_list(*columns)
        )

        ranks = pseudonym_ranks(self.agreement.funder_id)
        age_bands = {age: AgeBand.for_age(age) for age in range(130)}
        safe = memoised(lambda value: neutralise_formula(value) or None)
        keys, counts, entries = {}, [], []

        def number_of(columns):
            """The index of the fine key of these columns, computed once per distinct value of them."""
            age, gender, campus, formation, start, diploma, left_on = columns
            key = (age_bands.get(age), gender, safe(campus), safe(formation), MONTH(start), diploma, MONTH(left_on))
            if key not in keys:
                keys[key] = len(keys)
                counts.append(0)
            return keys[key]

        numbers = memoised(number_of)
        for row in raw_rows(values, chunked=True):
            pk, pseudonym_hex, status, consented = row[:4]
            number = numbers(row[4:])
            named = bool(named_file and consented and status in ENTERED)
            if not named:
                counts[number] += 1
            entries.append(
                ranks(pseudonym_hex.replace("-", "")) << ENTRY_PK_BITS + ENTRY_KEY_BITS
                | pk << ENTRY_KEY_BITS
                | 2 * number + named
            )
        counted = collections.Counter({key: counts[number] for key, number in keys.items() if counts[number]})
        entries.sort()
        self._census = entries, list(keys), plan(counted, settings.PARTICIPANT_FILE_K)
        return self._census

    def rows(self, queryset=None):
        """Value tuples in column order, a chunk of people per query (follow-ups joined, not fetched per row)."""
        entries, keys, anonymity = self.census(queryset)
        named_file = self.agreement.requires_named_data
        milestones = {"exit": FollowUpMilestone.EXIT, "six": FollowUpMilestone.SIX_MONTHS}
        milestones["twelve"] = FollowUpMilestone.TWELVE_MONTHS
        # The profile as of entry into training for whoever entered (ENTRY_COLUMNS), chosen by the database; the
        # gender and diploma come from the census's fine key.
        profile = {
            f"{name}_shown": Case(
                When(ENTRY_RECORDED, then=entry),
                default=learner,
                output_field=CharField(),
            )
            for name, entry, learner in zip(PROFILE_COLUMNS, ENTRY_COLUMNS, LEARNER_COLUMNS, strict=True)
            if name not in ("gender", "diploma")
        }
        columns = ["pk", *profile, "learner__referrer", "end_text", "status"]
        columns += [f"{alias}__placement" for alias in milestones]
        if named_file:
            columns += [
                "consented",
                "learner__first_name",
                "learner__last_name",
                "learner__user__email",
                "learner__birth_date",
            ]
            # The free text of the follow-ups, which only a named file shows.
            for alias in milestones:
                columns += [f"{alias}__employer", f"{alias}__job_title"]
        # Last, after the named columns, whose positions the loop below reads.
        columns.append("hours_attended")
        # In no order (rows are looked up by pk): the model's ordering would cost a sort per query.
        applications = Application.objects.order_by().annotate(
            **{
                alias: FilteredRelation("follow_ups", condition=Q(follow_ups__milestone=milestone))
                for alias, milestone in milestones.items()
            },
            **profile,
            end_text=Cast("session__end_date", CharField()),
            consented=CONSENTED,
            hours_attended=hours_present(),
        )

        shown = memoised(anonymity.shown)
        not_disclosed = (str(NOT_DISCLOSED),) * 8  # the seven quasi-identifiers and the session's end
        withhold = anonymity.withheld_rows > 0
        end_period = memoised(lambda text: anonymity.period(MONTH(text)))
        safe = memoised(lambda value: neutralise_formula(value) or None)
        qpv, situations, durations = labels(QpvResidence), labels(Situation), labels(JobSeekingDuration)
        referrers, statuses, placements = labels(Referrer), labels(Status), labels(Placement)
        positive = set(Placement.positive())
        blank_names = (None, None, None, None)

        pk_mask, key_mask = (1 << ENTRY_PK_BITS) - 1, (1 << ENTRY_KEY_BITS) - 1
        for first in range(0, len(entries), ROWS_PER_QUERY):
            chunk = entries[first : first + ROWS_PER_QUERY]
            ids = [entry >> ENTRY_KEY_BITS & pk_mask for entry in chunk]
            chosen = applications.filter(among_ids(ids)).values_list(*columns)
            fetched = {row[0]: row for row in raw_rows(chosen, chunked=True)}
            for entry, pk in zip(chunk, ids, strict=True):
                row = fetched.get(pk)
                if row is None:  # deleted since the census
                    continue
                pseudonym_value = pseudonym_text(entry >> ENTRY_PK_BITS + ENTRY_KEY_BITS)
                key, counted_as_named = keys[(entry & key_mask) >> 1], entry & 1
                (
                    _pk,
                    qpv_residence,
                    situation,
                    duration,
                    referrer,
                    session_end,
                    status,
                    exit_placement,
                    six_placement,
                    twelve_placement,
                ) = row[:10]
                identity, free_text = (pseudonym_value,), ()
                named = False
                if named_file:
                    consented, first_name, last_name, email, birth_date = row[10:15]
                    # Consent covers the funders of the training the person took: not those of one they only
                    # applied to. Counted as named by the census and still so now: a withdrawal in between
                    # leaves the row outside every class, so its quasi-identifiers are not disclosed.
                    named = counted_as_named and consented and status in ENTERED
                    if named:
                        identity += (
                            neutralise_formula(first_name),
                            neutralise_formula(last_name),
                            neutralise_formula(email) or None,
                            DATE(birth_date),
                        )
                        # The latest follow-up's: twelve months, else six, else the exit.
                        if twelve_placement is not None:
                            employer, job = row[19:21]
                        elif six_placement is not None:
                            employer, job = row[17:19]
                        else:
                            employer, job = row[15:17]
                        free_text = (safe(employer), safe(job))
                    else:
                        identity += blank_names
                        free_text = (None, None)
                quasi = shown(key)
                if named:
                    quasi += (end_period(session_end),)
                elif counted_as_named or anonymity.is_suppressed(quasi):
                    if withhold:
                        continue
                    quasi = not_disclosed
                else:
                    quasi += (end_period(session_end),)
                age_band, gender, campus, formation, start, diploma, left_on, end = quasi
                hours = row[-1]
                if hours is not None:
                    hours = HOURS(hours)
                elif status in ENTERED:
                    hours = Decimal(0)
                yield (
                    *identity,
                    age_band,
                    gender,
                    qpv.get(qpv_residence),
                    diploma,
                    situations.get(situation),
                    durations.get(duration),
                    referrers.get(referrer),
                    campus,
                    formation,
                    start,
                    end,
                    statuses.get(status),
                    left_on,
                    hours,
                    placements.get(exit_placement),
                    None if exit_placement is None else exit_placement in positive,
                    placements.get(six_placement),
                    None if six_placement is None else six_placement in positive,
                    placements.get(twelve_placement),
                    None if twelve_placement is None else twelve_placement in positive,
                    *free_text,
                    status == Status.CERTIFIED,
                )
