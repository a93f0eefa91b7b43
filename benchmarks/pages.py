"""Public pages benchmark: catalogue, formation page and campus page, rendered (cache off) and from the shared cache.

The catalogue and a formation page at 200 and 2,000 formations; a campus page at 200, 2,000 and 20,000 formations,
most of the 20,000 on that campus (bulk-inserted: `seed_demo` would take an hour). A bare Django view (one line
of text, no template, no query) is timed in the same run: the machine is shared, the ratio to it says more than
the milliseconds. One pass per database, as `benchmarks.catalogue` does.
"""

import datetime
import time
import uuid

from benchmarks import common

SIZES = (200, 2000, 20000)
PAGE_SIZES = (200, 2000)
WARMUP, SAMPLES = 5, 40
CAMPUS_SLUG = "aubervilliers"
HEADING = "### Pages publiques : rendues et servies par le cache"


def bulk_formations(campus, count):
    """`count` formations under `campus`, each with one upcoming session, in a few bulk inserts."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone
    from wagtail.models import Locale, Page

    from formations.models import FormationPage, Session

    content_type = ContentType.objects.get_for_model(FormationPage)
    locale = Locale.get_default()
    last = campus.get_last_child()
    step = int(last.path[-Page.steplen :], 36) if last else 0
    today = timezone.localdate()
    fields = [field for field in FormationPage._meta.local_concrete_fields if field.name != "page_ptr"]
    with transaction.atomic():
        for first in range(0, count, 1000):
            numbers = range(step + first + 1, step + min(first + 1000, count) + 1)
            pages = Page.objects.bulk_create(
                Page(
                    path=Page._get_path(campus.path, campus.depth + 1, number),
                    depth=campus.depth + 1,
                    numchild=0,
                    title=f"Formation en nombre n° {number}",
                    draft_title=f"Formation en nombre n° {number}",
                    slug=f"formation-en-nombre-{number}",
                    url_path=f"{campus.url_path}formation-en-nombre-{number}/",
                    content_type=content_type,
                    locale=locale,
                    translation_key=uuid.uuid4(),
                    live=True,
                    first_published_at=timezone.now(),
                    last_published_at=timezone.now(),
                )
                for number in numbers
            )
            formations = [
                FormationPage(
                    page_ptr_id=page.pk,
                    summary="Une formation de démonstration pour mesurer la page d'un campus.",
                    duration_hours=35 + page.pk % 900,
                )
                for page in pages
            ]
            # Django's bulk_create refuses a model with a parent table: the child rows go in as the ORM writes them.
            FormationPage._base_manager._insert(
                formations, fields=[FormationPage._meta.get_field("page_ptr"), *fields], using="default"
            )
            Session.objects.bulk_create(
                Session(
                    formation_id=page.pk,
                    campus=campus,
                    start_date=today + datetime.timedelta(days=30 + page.pk % 300),
                    end_date=today + datetime.timedelta(days=120 + page.pk % 300),
                    application_deadline=today + datetime.timedelta(days=20 + page.pk % 300),
                    capacity=12,
                )
                for page in pages
            )
        Page.objects.filter(pk=campus.pk).update(numchild=campus.get_children().count())
        # Bulk inserts send no signal: the catalogue's stored starts are filled as the day's first catalogue does.
        FormationPage.objects.refresh_card_session_starts()
    common.analyze()


def timed(client, settings, urls, size, cached, campus_formations):
    from django.core.cache import cache

    settings.PUBLIC_PAGE_CACHE_SECONDS = 600 if cached else 0
    cache.clear()
    rows = common.time_requests(client, urls, warmup=WARMUP, samples=SAMPLES, size=size)
    for row in rows:
        row.update(cached=cached, campus_formations=campus_formations)
    return rows


def measure():
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import clear_url_caches

    from campus.models import CampusPage
    from formations.models import FormationPage

    settings.ROOT_URLCONF = "benchmarks.urls"
    clear_url_caches()
    client = Client(HTTP_HOST="localhost")
    results = []
    for size in SIZES:
        if size in PAGE_SIZES:
            call_command("seed_demo", formations=size, no_users=True, verbosity=0)
            common.analyze()
        campus = CampusPage.objects.get(slug=CAMPUS_SLUG)
        missing = size - FormationPage.objects.count()
        if missing > 0:
            started = time.perf_counter()
            bulk_formations(campus, missing)
            print(f"{missing} formations en {time.perf_counter() - started:.0f} s", flush=True)
        formation = FormationPage.objects.child_of(campus).live().order_by("path").first()
        on_campus = FormationPage.objects.child_of(campus).count()
        pages = {"vue Django nue": "/bench/bare/", "page d'un campus": campus.url}
        if size in PAGE_SIZES:
            pages |= {"catalogue, sans filtre": "/formations/", "page d'une formation": formation.url}
        for cached in (False, True):
            results += timed(client, settings, pages, size, cached, on_campus)
    return results


def report(passes):
    lines = [
        f"{HEADING} (issue 15)",
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make bench`.",
        f"Client de test Django (toute la pile), {SAMPLES} requêtes par ligne après {WARMUP} d'échauffement ; "
        "connexion à la base gardée d'une requête à l'autre et vérifiée avant chacune, comme en production (où "
        "elle est renouvelée chaque minute). "
        "« rendue » : cache des pages coupé (`PUBLIC_PAGE_CACHE_SECONDS=0`), chaque requête lit la base et "
        "rend les gabarits ; « cache » : visiteur anonyme servi par le cache partagé (mémoire locale ici, Redis en "
        "production). « × nue » : la médiane rapportée à celle d'une vue Django qui renvoie deux octets, mesurée "
        "dans la même passe (la machine est partagée : ce rapport varie moins que les millisecondes).",
        "",
        "| base | page | formations (du campus) | cache | médiane (ms) | × nue | p90 (ms) | requêtes SQL "
        "| octets HTML |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in passes:
        vendor = common.VENDORS[result["vendor"]]
        rows = result["results"]
        bare_of = {(row["size"], row["cached"]): row["median_ms"] for row in rows if row["label"] == "vue Django nue"}
        for row in rows:
            if row["label"] == "vue Django nue" and row["cached"]:
                continue
            ratio = row["median_ms"] / bare_of[(row["size"], row["cached"])]
            queries = "/".join(str(q) for q in row["queries"])
            lines.append(
                f"| {vendor} | {row['label']} | {common.thousands(row['size'])} "
                f"({common.thousands(row['campus_formations'])}) | {'cache' if row['cached'] else 'rendue'} "
                f"| {row['median_ms']:.1f} | ×{ratio:.1f} | {row['p90_ms']:.1f} | {queries} "
                f"| {common.thousands(row['bytes'])} |"
            )
        campus_rows = [row for row in rows if row["label"] == "page d'un campus" and not row["cached"]]
        small, large = campus_rows[0], campus_rows[-1]
        verdicts.append(
            f"- {vendor}, page d'un campus rendue : de {common.thousands(small['campus_formations'])} à "
            f"{common.thousands(large['campus_formations'])} formations du campus, médiane "
            f"×{large['median_ms'] / small['median_ms']:.2f}, requêtes SQL {small['queries']} → {large['queries']}, "
            f"{common.thousands(large['bytes'])} octets (objectif < 30 000 : "
            f"{'atteint' if large['bytes'] < 30_000 else 'MANQUÉ'})."
        )
        for label, target in (("catalogue, sans filtre", 15), ("page d'une formation", 15)):
            for cached, goal in ((False, target), (True, 3)):
                row = next(r for r in rows if r["label"] == label and r["size"] == 2000 and r["cached"] == cached)
                verdicts.append(
                    f"- {vendor}, {label}, {'cache' if cached else 'rendue'}, 2 000 formations : médiane "
                    f"{row['median_ms']:.1f} ms (objectif ≤ {goal} ms : "
                    f"{'atteint' if row['median_ms'] <= goal else 'MANQUÉ'})."
                )
    return "\n".join([*lines, "", *verdicts, ""])


if __name__ == "__main__":
    common.main("benchmarks.pages", __doc__, measure=measure, report=report, heading=HEADING)
