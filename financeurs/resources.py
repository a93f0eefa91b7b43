"""What funders download: one row per indicator of a report, one row per participant.

These resources are the single definition of the columns and their values. Values stay typed (dates, numbers,
booleans, None when unknown) and each writer of financeurs/exports.py renders them as its format expects; the
widget of each field says the column's type to the writers.

IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would turn every cell into text, so formulas are neutralised here, in the
free-text columns only (see inscriptions/resources.py).
"""

import collections
import datetime
import hmac
import json
import operator

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.models import BooleanField, Case, CharField, ExpressionWrapper, FilteredRelation, Q, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.fields import Field

from financeurs.anonymity import NOT_DISCLOSED, plan
from financeurs.enums import IndicatorCode
from financeurs.indicators import ENTERED, compute, participants
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
from inscriptions.workflow import Status

CHUNK_SIZE = 2000
# People read per query by the participant file's second pass, in pseudonym order: larger chunks mean fewer
# passes of the database's joins over the follow-ups (PostgreSQL hashes them once per query), smaller ones less
# memory (the chunk's rows are held to be put in order). At 100,000 people, 10,000 took 8 MiB more than 5,000
# for 0.2 s less.
ROWS_PER_QUERY = 5000
PROGRESS_EVERY = 1000
# Bits of a census entry under the pseudonym (see ParticipantResource.census()).
ENTRY_PK_BITS, ENTRY_KEY_BITS = 40, 24


def pseudonym(funder_id, pseudonym_id):
    """Stable across exports for one funder, different for another, so two funders cannot link their files.

    "P-" and the first 12 characters of the base32 of HMAC-SHA256(PSEUDONYM_KEY, "<funder id>:<pseudonym id>"),
    the pseudonym id being the 32 hexadecimal digits of the learner's random Learner.pseudonym_id, never the
    sequential primary key: a pseudonym says nothing of who signed up first.
    """
    return pseudonymiser(funder_id)(pseudonym_id.hex)


def pseudonymiser(funder_id):
    """pseudonym() for one funder, fast enough for 100,000 rows (base64.b32encode is slow pure Python)."""
    ranks_of, text_of = pseudonym_ranks(funder_id), pseudonym_text

    def pseudonymise(pseudonym_hex):
        return text_of(ranks_of(pseudonym_hex))

    return pseudonymise


def pseudonym_ranks(funder_id):
    """The pseudonym of a pseudonym id (32 hexadecimal digits) as a 60-bit integer that sorts as its text does.

    Each 5-bit digit is the rank of its base32 character in text order ("2" to "7" come before "A"), so the
    census sorts small integers rather than 100,000 strings, and writes the text only with the row.
    """
    keyed = hmac.new(settings.PSEUDONYM_KEY.encode(), digestmod="sha256")
    prefix = f"{funder_id}:"

    def ranks(pseudonym_hex):
        mac = keyed.copy()  # the key's padding is hashed once, not once per row
        mac.update(f"{prefix}{pseudonym_hex}".encode())
        # 60 bits = 12 base32 digits; adding 6 to every digit, modulo 32 and without carries between digits,
        # turns a base32 value into its character's rank ("A" = 0 becomes 6, "2" = 26 becomes 0).
        bits = int.from_bytes(mac.digest()[:8], "big") >> 4
        return ((bits & LOW_BITS) + RANK_SHIFT) ^ (bits & HIGH_BITS)

    return ranks


def pseudonym_text(ranks):
    """ "P-" and the 12 characters of pseudonym_ranks(), looked up two at a time."""
    pairs = RANKED_PAIRS
    return (
        f"P-{pairs[ranks >> 50]}{pairs[ranks >> 40 & 1023]}{pairs[ranks >> 30 & 1023]}"
        f"{pairs[ranks >> 20 & 1023]}{pairs[ranks >> 10 & 1023]}{pairs[ranks & 1023]}"
    )


BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
RANKED_ALPHABET = "".join(sorted(BASE32_ALPHABET))
RANKED_PAIRS = [first + second for first in RANKED_ALPHABET for second in RANKED_ALPHABET]
HIGH_BITS = int("10000" * 12, 2)  # the top bit of each of the 12 digits
LOW_BITS = int("01111" * 12, 2)
RANK_SHIFT = int("00110" * 12, 2)  # 6 in every digit


def memoised(function):
    """`function` computed once per distinct value (campus and formation titles, dates repeat a lot); a hit is a
    dict lookup."""

    class Cache(dict):
        def __missing__(self, value):
            self[value] = result = function(value)
            return result

    return Cache().__getitem__


def labels(choices):
    """Labels of a TextChoices in the active language, read once per export rather than once per cell."""
    return {value: str(label) for value, label in choices.choices}


def counted(rows, progress, withheld=0):
    """Pass rows through, calling progress(rows so far) every PROGRESS_EVERY rows and at the end, where the rows
    withheld from the file count as done too."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done + withheld)


def text(header):
    return Field(column_name=header)


def day(header):
    return Field(column_name=header, widget=widgets.DateWidget())


def yes_no(header):
    return Field(column_name=header, widget=widgets.BooleanWidget())


def number(header):
    return Field(column_name=header, widget=widgets.DecimalWidget())


class RowResource(resources.Resource):
    """A resource whose rows are mappings built by `rows()`: `export()` and the writers' fast path share them."""

    def __init__(self, progress=None):
        super().__init__()
        self.progress = progress
        for name, field in self.fields.items():
            field.dehydrate_method = operator.itemgetter(name)

    @property
    def keys(self):
        return [self.get_field_name(field) for field in self.get_export_fields()]

    def column_types(self):
        """One of "date", "bool", "number" or "text" per exported column, in order."""
        kinds = {widgets.DateWidget: "date", widgets.BooleanWidget: "bool", widgets.DecimalWidget: "number"}
        return [kinds.get(type(field.widget), "text") for field in self.get_export_fields()]

    def iter_queryset(self, queryset):
        keys = self.keys
        rows = self.rows(queryset)
        if self.progress is not None:
            rows = counted(rows, self.progress, withheld=self.withheld(queryset))
        for values in rows:
            yield dict(zip(keys, values, strict=True))

    def rows(self, queryset=None):
        raise NotImplementedError

    def withheld(self, queryset=None):
        """How many rows of the queryset the file leaves out."""
        return 0


# The profile as the file gives it, read from the learner, or, once the training started, from the facts
# recorded on the application that day (inscriptions' ENTRY_FACTS names each one's entry column).
# Never the RQTH nor the European Social Fund's answers: health and origin data serve the figures only, not rows a
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
        # In no order (rows are looked up by pk): the model's ordering would cost a sort per query.
        applications = Application.objects.order_by().annotate(
            **{
                alias: FilteredRelation("follow_ups", condition=Q(follow_ups__milestone=milestone))
                for alias, milestone in milestones.items()
            },
            **profile,
            end_text=Cast("session__end_date", CharField()),
            consented=CONSENTED,
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
                    placements.get(exit_placement),
                    None if exit_placement is None else exit_placement in positive,
                    placements.get(six_placement),
                    None if six_placement is None else six_placement in positive,
                    placements.get(twelve_placement),
                    None if twelve_placement is None else twelve_placement in positive,
                    *free_text,
                    status == Status.CERTIFIED,
                )


# The figures that wait for everyone's 6-month follow-up to be due.
SIX_MONTH_CODES = frozenset(
    {IndicatorCode.POSITIVE_6_MONTHS, IndicatorCode.RESPONSE_RATE_6_MONTHS, "EECR05", "EECR06"}
)


# The figures that count leavers: people still "en formation" after their session ended are missing from them.
LEAVER_CODES = frozenset(
    {IndicatorCode.COMPLETED, IndicatorCode.DROPPED_OUT, IndicatorCode.POSITIVE_EXIT, IndicatorCode.RESPONSE_RATE_EXIT}
)


class ReportResource(RowResource):
    """One row per indicator of an agreement's report over a period: the indicators, then the ESF+ ones."""

    code = text(_("Code"))
    label = text(_("Indicateur"))
    value = number(_("Valeur"))
    unit = text(_("Unité"))
    numerator = number(_("Numérateur"))
    denominator = number(_("Dénominateur"))
    target = number(_("Objectif"))
    value_over_all = number(_("Valeur parmi toutes les personnes sorties"))
    denominator_over_all = number(_("Base de cette valeur"))
    target_met = yes_no(_("Objectif atteint"))
    women = number(_("Femmes"))
    men = number(_("Hommes"))
    remark = text(_("Remarque"))

    class Meta:
        export_order = [
            "code",
            "label",
            "value",
            "unit",
            "numerator",
            "denominator",
            "value_over_all",
            "denominator_over_all",
            "target",
            "target_met",
            "women",
            "men",
            "remark",
        ]

    def __init__(self, agreement, period, report=None):
        super().__init__()
        self.agreement, self.period = agreement, period
        self._report = report

    @property
    def report(self):
        if self._report is None:
            self._report = compute(self.agreement, self.period)
        return self._report

    def get_queryset(self):
        return [*self.report.indicators, *self.report.esf]

    def rows(self, queryset=None):
        report = self.report
        incomplete = ""
        if not report.results_complete:
            incomplete = _("Résultats à 6 mois pas encore complets : ils le seront le %(day)s.") % {
                "day": report.results_complete_on.strftime("%d/%m/%Y")
            }
        not_yet_left = ""
        if report.still_in_training_after_end:
            not_yet_left = _(
                "%(count)d personne(s) encore « en formation » après la fin de leur session : pas encore comptée(s) "
                "parmi les personnes sorties."
            ) % {"count": report.still_in_training_after_end}
        for result in self.get_queryset() if queryset is None else queryset:
            women, men = gender_breakdown(result)
            remarks = [str(result.not_collected_reason or ""), result.verdict_withheld]
            if result.code in SIX_MONTH_CODES:
                remarks.append(incomplete)
            if result.code in LEAVER_CODES:
                remarks.append(not_yet_left)
            yield (
                result.code,
                str(result.label),
                result.value,
                result.unit,
                result.numerator,
                result.denominator,
                result.value_over_all,
                result.denominator_over_all,
                result.target,
                result.target_met,
                women,
                men,
                " ".join(remark for remark in remarks if remark) or None,
            )


def gender_breakdown(result):
    """Women and men counts of an ESF+ indicator; (None, None) for the others."""
    return result.women, result.men
