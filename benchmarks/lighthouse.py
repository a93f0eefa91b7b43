"""Lighthouse (mobile) on the home page, the catalogue and a formation page of the demo, served for real.

`python -m benchmarks.lighthouse --write docs/benchmarks.md` (part of `make bench`, or `make lighthouse`) installs
the pinned Lighthouse of benchmarks/lighthouse/ with `npm ci` when it is missing, seeds the demo into a throw-away
SQLite database, serves it with gunicorn in production settings (DEBUG off, static files compressed by WhiteNoise,
uploaded images served beside them as an object store would), and runs Lighthouse's mobile audit, offline, with
Debian's Chromium. Each page is audited `--runs` times; the median of each category is kept: the performance
score is a simulation that moves a little from run to run. Target: 95 or more in all four categories.

Everything listens on loopback; every process started here is ended here, by its process id.
"""

import argparse
import contextlib
import datetime
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks import common
from tests.servers import free_port

HEADING = "### Lighthouse (mobile)"
LIGHTHOUSE_DIR = common.ROOT / "benchmarks" / "lighthouse"
LIGHTHOUSE_CLI = LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the networking flags, Chromium keeps trying to reach a network that is not there.
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
    "--disable-component-update --disable-sync"
)
CATEGORIES = {
    "performance": "Performance",
    "accessibility": "Accessibilité",
    "best-practices": "Bonnes pratiques",
    "seo": "SEO",
}
TARGET = 95
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CACHE_KEY_PREFIX = f"lighthouse-{secrets.token_hex(4)}"  # this run's keys, removed at its end


def application(environ, start_response):
    """The product's WSGI application with /media/ served from MEDIA_ROOT: gunicorn loads it for this audit."""
    global _application
    if _application is None:
        from django.conf import settings
        from django.core.wsgi import get_wsgi_application
        from whitenoise import WhiteNoise

        # Image sizes are made on a page's first view: WhiteNoise looks for new files as they come.
        _application = WhiteNoise(get_wsgi_application(), autorefresh=True, max_age=86400)
        _application.add_files(str(settings.MEDIA_ROOT), prefix="media/")
    return _application(environ, start_response)


_application = None


def install_lighthouse():
    if not LIGHTHOUSE_CLI.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=LIGHTHOUSE_DIR, check=True, timeout=600)
    version = json.loads((LIGHTHOUSE_DIR / "node_modules" / "lighthouse" / "package.json").read_text())["version"]
    return version


def environment(workdir):
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PSEUDONYM_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1",  # with the port once served
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": CACHE_KEY_PREFIX,
        # Plain HTTP on loopback: no redirect to HTTPS, which a real deployment's proxy terminates.
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private"),
        "TASKS_BACKEND": "immediate",
        "LOG_LEVEL": "ERROR",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "WEB_CONCURRENCY": "2",
    }


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=common.ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


@contextlib.contextmanager
def served(env, workdir):
    """gunicorn on a free loopback port, until the block ends; yields the address."""
    port = free_port()
    env = {**env, "SITE_URL": f"http://127.0.0.1:{port}", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    with open(workdir / "server.log", "w") as log:
        web = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "benchmarks.lighthouse:application", "--config", "gunicorn.conf.py"],
            cwd=common.ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz/", timeout=2)
                    break
                except OSError:
                    if web.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"gunicorn n'a pas démarré : voir {workdir / 'server.log'}") from None
                    time.sleep(0.3)
            yield base
        finally:
            web.terminate()
            try:
                web.wait(timeout=30)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()


def audit(url, workdir, attempts=3):
    """One Lighthouse mobile run: the four category scores out of 100, and the heaviest failing audits."""
    output = workdir / "report.json"
    for attempt in range(1, attempts + 1):
        with tempfile.TemporaryDirectory() as profile:
            finished = subprocess.run(
                [
                    "node",
                    str(LIGHTHOUSE_CLI),
                    url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={output}",
                    f"--only-categories={','.join(CATEGORIES)}",
                    f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}",
                ],
                cwd=LIGHTHOUSE_DIR,
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                capture_output=True,
                text=True,
                timeout=300,
            )
        if not finished.returncode:
            break
        # Lighthouse says why on stderr. Its trace recording fails now and then (NO_NAVSTART, "please run
        # Lighthouse again"): such a run measures nothing, so it is run again, a bounded number of times.
        print(f"{url} : passage {attempt} en échec : {finished.stderr.strip()[-500:]}", file=sys.stderr)
    else:
        raise RuntimeError(f"Lighthouse a échoué {attempts} fois sur {url} :\n{finished.stderr[-3000:]}")
    report = json.loads(output.read_text())
    scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
    failing = sorted(
        {
            report["audits"][ref["id"]]["title"]
            for category in report["categories"].values()
            for ref in category["auditRefs"]
            if ref["weight"]
            and (report["audits"][ref["id"]]["score"] or 0) < 0.9
            and report["audits"][ref["id"]]["scoreDisplayMode"] in ("binary", "numeric", "metricSavings")
        }
    )
    # What a phone fetched (total-byte-weight), and the images it got: a missing image would be a 404 here.
    requests = report["audits"]["network-requests"]["details"]["items"]
    images = [item for item in requests if item.get("resourceType") == "Image"]
    missing = [item["url"] for item in requests if item.get("statusCode") != 200]
    if missing:
        raise RuntimeError(f"Réponses en erreur pendant l'audit : {missing}")
    weight = report["audits"]["total-byte-weight"]["numericValue"] / 1024
    return scores, failing, weight, len(images)


def measure(runs):
    version = install_lighthouse()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        env = environment(workdir)
        manage(env, "migrate", "--no-input")
        manage(env, "collectstatic", "--no-input")
        manage(env, "seed_demo", "--verbosity", "0")
        formation = subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from formations.models import FormationPage; "
                "print(FormationPage.objects.live().filter(image__isnull=False).order_by('path').first().url)",
            ],
            cwd=common.ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        pages = {"Accueil": "/", "Catalogue": "/formations/", "Page d'une formation": formation}
        results = []
        with served(env, workdir) as base:
            for label, path in pages.items():
                # The first view makes the image sizes; Lighthouse measures the pages as visitors find them.
                urllib.request.urlopen(f"{base}{path}", timeout=60).read()
                runs_scores, failing = [], set()
                for _ in range(runs):
                    scores, failed, weight, images = audit(f"{base}{path}", workdir)
                    runs_scores.append(scores)
                    failing.update(failed)
                median = {key: statistics.median(run[key] for run in runs_scores) for key in CATEGORIES}
                results.append(
                    {
                        "label": label,
                        "path": path,
                        "scores": median,
                        "failing": sorted(failing),
                        "kb": weight,
                        "images": images,
                    }
                )
                print(f"{label} ({path}) : {median}", file=sys.stderr)
    forget_cached(REDIS_URL, CACHE_KEY_PREFIX)
    return version, results


def forget_cached(redis_url, prefix):
    import redis

    client = redis.Redis.from_url(redis_url, socket_timeout=5)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


def report(version, results, runs):
    lines = [
        HEADING,
        "",
        f"Mesuré le {datetime.date.today():%d/%m/%Y} sur {common.machine()}, avec `make lighthouse` "
        f"(Lighthouse {version}, profil mobile, Chromium de Debian, hors ligne).",
        "La démo (`seed_demo`, images comprises) servie par gunicorn en réglages de production ; médiane de "
        f"{runs} passage{'s' if runs > 1 else ''} par page. Objectif : {TARGET} ou plus dans chaque catégorie.",
        "",
        "| page | " + " | ".join(CATEGORIES.values()) + " | transféré (Ko) | images chargées |",
        "|---|" + "---:|" * (len(CATEGORIES) + 2),
    ]
    verdicts = []
    for result in results:
        scores = result["scores"]
        lines.append(
            f"| {result['label']} | "
            + " | ".join(f"{scores[key]:g}" for key in CATEGORIES)
            + f" | {result['kb']:.0f} | {result['images']} |"
        )
        missed = [CATEGORIES[key] for key in CATEGORIES if scores[key] < TARGET]
        if missed:
            verdicts.append(f"- {result['label']} : objectif MANQUÉ ({', '.join(missed)}).")
        if result["failing"]:
            verdicts.append(f"- {result['label']}, audits à revoir : {' ; '.join(result['failing'])}.")
    if not verdicts:
        verdicts.append(f"- Objectif atteint : {TARGET} ou plus partout.")
    return "\n".join([*lines, "", *verdicts, ""])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", help="Markdown file to update (e.g. docs/benchmarks.md)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median kept)")
    args = parser.parse_args()
    if not shutil.which("node"):
        sys.exit("Node.js est introuvable : Lighthouse en a besoin (Node 20).")
    version, results = measure(args.runs)
    section = report(version, results, args.runs)
    print(section)
    if args.write:
        common.write_section(args.write, section, HEADING)
    if any(score < TARGET for result in results for score in result["scores"].values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
