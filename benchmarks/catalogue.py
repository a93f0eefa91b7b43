"""Catalogue benchmark: median response time and SQL queries per request at 200 and 2,000 formations.

`make bench` runs one pass per database (SQLite always, PostgreSQL when it answers on loopback), each
in its own process and on its own throw-away database, and writes docs/benchmarks.md.
Requests go through Django's full stack (middleware, URL routing, view, templates) with the test
client: no network at all.
"""

import time

from benchmarks import common

SIZES = (200, 2000)
WARMUP, SAMPLES = 5, 40
URLS = {
    "catalogue, sans filtre": "/formations/",
    "catalogue, filtré": "/formations/?q=formation&gratuit=on&places=on&format=sur_place&duree_max=900&tri=duree",
    "catalogue, page 5": "/formations/?page=5",
    # Typed without accents, as young people do: the search index finds « Développeur web ».
    "catalogue, mots-clés": "/formations/?q=developpeur",
    "API, 20 formations": "/api/v2/pages/?type=formations.FormationPage&limit=20&fields=*",
}
HEADING = "### Catalogue `/formations/`"


def measure():
    """Seed each size in turn (the seed only adds), then time each URL."""
    from django.core.management import call_command
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    results = []
    for size in SIZES:
        started = time.perf_counter()
        call_command("seed_demo", formations=size, no_users=True, verbosity=0)
        seed_seconds = time.perf_counter() - started
        common.analyze()
        results += common.time_requests(
            client, URLS, warmup=WARMUP, samples=SAMPLES, size=size, seed_seconds=seed_seconds
        )
    return results


def report(passes):
    return common.report(
        passes,
        title=f"{HEADING} (issue 2)",
        intro=[
            f"Client de test Django (toute la pile : middleware, routage, vue, gabarits), {SAMPLES} requêtes par "
            f"ligne après {WARMUP} d'échauffement ; médiane et 90e centile en millisecondes ; requêtes SQL par "
            "requête HTTP ; connexion à la base gardée d'une requête à l'autre et vérifiée avant chacune, comme en "
            "production (où elle est renouvelée chaque minute)."
        ],
        columns=("page", "formations"),
        cells=lambda row: (row["label"], common.thousands(row["size"])),
        noun="formations",
    )


if __name__ == "__main__":
    # The catalogue as it is rendered: benchmarks.pages times it from the cache of public pages too.
    common.main(
        "benchmarks.catalogue",
        __doc__,
        measure=measure,
        report=report,
        heading=HEADING,
        env={"PUBLIC_PAGE_CACHE_SECONDS": "0"},
    )
