"""Demo content: real QPV communes, real certifications and ROME codes, sessions around today, and
about thirty learners with applications at every stage (demo/learners.py), one of whom can log in.

Idempotent: a second run changes nothing. `--formations N` tops the catalogue up to N formations
(spread over the campuses) for benchmarks.
"""

import datetime
import logging
import os
from pathlib import Path

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command
from django.db import transaction
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from campus.models import CampusIndexPage, CampusPage, Qpv
from demo.funders import build_demo_funders
from demo.images import photo_like_image_file
from demo.learners import build_demo_learners
from formations.enums import EntryLevel, Format, Schedule
from formations.models import Certification, Domain, FormationPage, RomeCode, Session
from home.models import HomePage
from inscriptions.models import Application, Learner

DEMO_PASSWORD_DEFAULT = "tremplin-demo"

CAMPUSES = [
    {
        "slug": "aubervilliers",
        "title": "Campus numérique d'Aubervilliers",
        "street_address": "12 rue du Landy",
        "postcode": "93300",
        "commune": "Aubervilliers",
        "insee_code": "93001",
        "qpv": "QP093028",
        "latitude": "48.914600",
        "longitude": "2.382100",
        "staff_username": "equipe.aubervilliers",
    },
    {
        "slug": "vaulx-en-velin",
        "title": "Campus numérique de Vaulx-en-Velin",
        "street_address": "5 avenue Gabriel Péri",
        "postcode": "69120",
        "commune": "Vaulx-en-Velin",
        "insee_code": "69256",
        "qpv": "QP069018",
        "latitude": "45.778700",
        "longitude": "4.922000",
        "staff_username": "equipe.vaulx",
    },
    {
        "slug": "marseille-nord",
        "title": "Campus numérique de Marseille Nord",
        "street_address": "Chemin de la Bigotte",
        "postcode": "13015",
        "commune": "Marseille 15e arrondissement",
        "insee_code": "13215",
        "qpv": "QP013051",
        "latitude": "43.363600",
        "longitude": "5.343600",
        "staff_username": "equipe.marseille",
    },
    {
        "slug": "roubaix",
        "title": "Campus numérique de Roubaix",
        "street_address": "40 boulevard de Belfort",
        "postcode": "59100",
        "commune": "Roubaix",
        "insee_code": "59512",
        "qpv": "QP059083",
        "latitude": "50.680000",
        "longitude": "3.181000",
        "staff_username": "equipe.roubaix",
    },
    {
        "slug": "clichy-sous-bois",
        "title": "Campus numérique de Clichy-sous-Bois",
        "street_address": "Allée Maurice Audin",
        "postcode": "93390",
        "commune": "Clichy-sous-Bois",
        "insee_code": "93014",
        "qpv": "QP093003",
        "latitude": "48.910600",
        "longitude": "2.546600",
        "staff_username": "equipe.clichy",
    },
]

# slug, title, certification, formacode, ROME codes, hours, format, session price (euros), entry level, summary
FORMATIONS = [
    (
        "developpeur-web-web-mobile",
        "Développeur web et web mobile",
        "RNCP37674",
        "31090",
        ["M1805"],
        750,
        Format.ON_SITE,
        0,
        EntryLevel.NONE,
        "Apprenez à créer des sites et des applications web, du design à la mise en ligne. "
        "Titre professionnel de niveau 5 (bac+2), reconnu par les employeurs.",
    ),
    (
        "concepteur-developpeur-applications",
        "Concepteur développeur d'applications",
        "RNCP37873",
        "31067",
        ["M1805", "M1806"],
        1050,
        Format.HYBRID,
        0,
        EntryLevel.LEVEL_4,
        "Concevez et développez des applications sécurisées en équipe. Titre professionnel de niveau 6 (bac+3/4).",
    ),
    (
        "cybersecurite",
        "Technicien en cybersécurité",
        "RNCP37488",
        "31045",
        ["M1801", "M1810"],
        420,
        Format.ON_SITE,
        0,
        EntryLevel.LEVEL_4,
        "Protégez les ordinateurs et les réseaux des entreprises contre les attaques. Certificat de niveau 4.",
    ),
    (
        "referent-cybersecurite-tpe-pme",
        "Référent cybersécurité en TPE/PME",
        "RS5568",
        "31006",
        ["M1802"],
        35,
        Format.REMOTE,
        290,
        EntryLevel.NONE,
        "Une semaine pour savoir protéger une petite entreprise : mots de passe, sauvegardes, bons réflexes.",
    ),
    (
        "premiers-pas-numerique",
        "Premiers pas dans les métiers du numérique",
        None,
        "32066",
        ["I1401", "M1802"],
        70,
        Format.ON_SITE,
        0,
        EntryLevel.NONE,
        "Deux semaines pour découvrir les métiers du numérique, reprendre confiance avec l'ordinateur "
        "et construire votre projet. Aucun diplôme demandé.",
    ),
]

CAMPUS_FORMATIONS = {
    "aubervilliers": ["developpeur-web-web-mobile", "premiers-pas-numerique", "referent-cybersecurite-tpe-pme"],
    "vaulx-en-velin": ["developpeur-web-web-mobile", "cybersecurite", "premiers-pas-numerique"],
    "marseille-nord": ["concepteur-developpeur-applications", "premiers-pas-numerique"],
    "roubaix": ["cybersecurite", "developpeur-web-web-mobile"],
    "clichy-sous-bois": [
        "premiers-pas-numerique",
        "referent-cybersecurite-tpe-pme",
        "concepteur-developpeur-applications",
    ],
}


def demo_data(app_label, name):
    return Path(apps.get_app_config(app_label).path) / "data" / "demo" / name


class Command(BaseCommand):
    help = "Crée le contenu de démonstration (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--formations", type=int, default=0, help="Nombre total de formations à atteindre.")
        parser.add_argument("--no-users", action="store_true", help="Ne pas créer les comptes de démonstration.")

    def handle(self, *args, formations=0, no_users=False, **options):
        self.today = timezone.localdate()
        verbosity = options.get("verbosity", 1)
        quiet = {"verbosity": 0} if verbosity < 2 else {}
        if verbosity < 2:
            # Wagtail logs every page it creates: thousands of lines for a benchmark seed.
            logging.getLogger("wagtail").setLevel(logging.WARNING)
        call_command("import_rome", demo_data("formations", "rome_codes.csv"), **quiet)
        call_command("import_formacode", demo_data("formations", "formacode.csv"), **quiet)
        call_command("import_certifications", demo_data("formations", "certifications.xml"), **quiet)
        call_command("import_qpv", demo_data("campus", "qpv.csv"), **quiet)

        with transaction.atomic():
            home = self.ensure_home_page()
            index = self.ensure_child(
                home,
                CampusIndexPage,
                "campus",
                title="Nos campus",
                introduction="Des lieux près de chez vous pour apprendre les métiers du numérique.",
            )
            campuses = [self.ensure_campus(index, data) for data in CAMPUSES]
            for campus in campuses:
                for slug in CAMPUS_FORMATIONS[campus.slug]:
                    self.ensure_formation(campus, slug)
            if formations:
                self.top_up_formations(campuses, formations)
        # Pages index themselves when saved; a database seeded before a change of the indexed fields or of the
        # search configuration gets its index rebuilt here, so the catalogue's keywords find every formation.
        call_command("update_index", **quiet)
        if not no_users:
            self.ensure_users(campuses)
            # Learners with an application at every stage, and the learner account of the demo.
            build_demo_learners()
            # Funders, their agreements and accounts, and a partner's referrals.
            build_demo_funders()
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Démo prête : {CampusPage.objects.count()} campus, {FormationPage.objects.count()} formations, "
                    f"{Session.objects.count()} sessions, {Learner.objects.count()} candidat·es, "
                    f"{Application.objects.count()} candidatures."
                )
            )

    # --- Pages ------------------------------------------------------------------------------

    def ensure_home_page(self):
        home = HomePage.objects.first()
        if home is None:
            root = Page.get_first_root_node()
            # Wagtail's installation page ("Welcome to your new Wagtail site!") makes way for ours.
            for page in root.get_children().exclude(content_type__model="homepage"):
                page.delete()
            home = root.add_child(
                instance=HomePage(
                    title="Trouvez votre formation au numérique",
                    slug="accueil",
                    introduction="Des formations gratuites ou presque, près de chez vous, pour travailler dans le "
                    "numérique. Avec ou sans diplôme.",
                )
            )
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(
                hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Tremplin"
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.site_name = "Tremplin"
            site.save()
        return home

    def ensure_child(self, parent, model, slug, **fields):
        page = model.objects.child_of(parent).filter(slug=slug).first()
        if page is None:
            page = parent.add_child(instance=model(slug=slug, **fields))
        return page

    def ensure_campus(self, index, data):
        data = dict(data)
        data.pop("staff_username")
        qpv = Qpv.objects.filter(code=data.pop("qpv")).first()
        return self.ensure_child(
            index,
            CampusPage,
            data.pop("slug"),
            qpv=qpv,
            summary=f"Un lieu ouvert à tous les jeunes de {data['commune']} et des quartiers voisins, "
            "pour se former aux métiers du numérique.",
            email=f"contact@{index.slug}-{data['insee_code']}.tremplin.localhost",
            phone="01 23 45 67 89",
            opening_hours="Lundi au vendredi : 9 h – 18 h\nSamedi : 10 h – 13 h (permanence d'accueil)",
            accessibility="<p>Locaux de plain-pied, accessibles en fauteuil roulant. Boucle magnétique à "
            "l'accueil. Un référent handicap vous reçoit sur rendez-vous.</p>",
            **data,
        )

    def ensure_formation_image(self, slug, title):
        """One picture per kind of formation, drawn once: the campuses offering it share it."""
        image_model = get_image_model()
        image_title = f"Démo : {title}"
        image = image_model.objects.filter(title=image_title).first()
        if image is None:
            # 1200 × 750 is enough for every size the pages ask for, and quick to draw and compress.
            seed = [row[0] for row in FORMATIONS].index(slug)
            image = image_model(title=image_title, file=photo_like_image_file(seed, f"demo-{slug}.jpg", 1200, 750))
            image.save()
        alt = f"Image de démonstration pour « {title} » : des formes de couleur floues."
        return image, alt

    def ensure_formation(self, campus, slug):
        (slug, title, certification, formacode, romes, hours, fmt, session_price, entry_level, summary) = next(
            row for row in FORMATIONS if row[0] == slug
        )
        image, image_alt = self.ensure_formation_image(slug, title)
        formation = FormationPage.objects.child_of(campus).filter(slug=slug).first()
        if formation is not None and formation.image_id is None:
            # A demo seeded before formations had images gets them on the next run.
            formation.image, formation.image_alt = image, image_alt
            formation.save_revision().publish()
        if formation is None:
            formation = campus.add_child(
                instance=FormationPage(
                    title=title,
                    slug=slug,
                    summary=summary,
                    image=image,
                    image_alt=image_alt,
                    certification=Certification.objects.filter(code=certification).first(),
                    domain=Domain.objects.filter(formacode=formacode).first(),
                    duration_hours=hours,
                    format=fmt,
                    entry_level=entry_level,
                    prerequisites="Savoir lire et écrire en français. Être motivé·e : aucune connaissance "
                    "en informatique n'est demandée.",
                    accessibility_referent_name="Samia Benali",
                    accessibility_referent_email=f"handicap@{campus.slug}.tremplin.localhost",
                    body=self.formation_body(title, hours),
                )
            )
            formation.target_jobs.set(RomeCode.objects.filter(code__in=romes))
            formation.save_revision().publish()
        self.ensure_sessions(formation, campus, price_cents=session_price * 100)
        return formation

    def formation_body(self, title, hours):
        return [
            ("heading", {"text": "Le programme", "level": "h2"}),
            (
                "module",
                {
                    "title": "Découverte et remise à niveau",
                    "hours": max(hours // 10, 7),
                    "description": "<p>Prendre en main l'ordinateur, travailler en équipe, apprendre à apprendre.</p>",
                },
            ),
            (
                "module",
                {
                    "title": f"Le cœur du métier : {title.lower()}",
                    "hours": max(hours // 2, 14),
                    "description": "<p>Des projets concrets, du premier jour au dernier.</p>",
                },
            ),
            (
                "module",
                {
                    "title": "Stage en entreprise et recherche d'emploi",
                    "hours": max(hours // 5, 7),
                    "description": "<p>Un stage, un CV, des entretiens préparés avec l'équipe.</p>",
                },
            ),
            (
                "testimonial",
                {
                    "quote": "Je ne savais pas coder en arrivant. Aujourd'hui j'ai un CDI.",
                    "name": "Yanis",
                    "role": "développeur web",
                },
            ),
            (
                "faq",
                {
                    "title": "Questions fréquentes",
                    "questions": [
                        {
                            "question": "Faut-il avoir un ordinateur ?",
                            "answer": "<p>Non, le campus vous en prête un.</p>",
                        },
                        {
                            "question": "Est-ce rémunéré ?",
                            "answer": "<p>Selon votre situation, vous pouvez être "
                            "rémunéré pendant la formation. L'équipe vous aide à faire les démarches.</p>",
                        },
                    ],
                },
            ),
        ]

    def ensure_sessions(self, formation, campus, price_cents=0):
        if formation.sessions.exists():
            return
        today = self.today
        offsets = [(-40, 60, Schedule.FULL_TIME), (21, 120, Schedule.FULL_TIME), (75, 180, Schedule.PART_TIME)]
        for start_offset, length, schedule in offsets:
            start = today + datetime.timedelta(days=start_offset)
            Session.objects.create(
                formation=formation,
                campus=campus,
                start_date=start,
                end_date=start + datetime.timedelta(days=length),
                application_deadline=start - datetime.timedelta(days=7),
                capacity=12 if schedule == Schedule.FULL_TIME else 16,
                # The formation page shows what its sessions ask.
                price_cents=price_cents,
                schedule=schedule,
                schedule_details="Du lundi au jeudi, de 9 h à 16 h"
                if schedule == Schedule.FULL_TIME
                else "Mardi et jeudi, de 14 h à 18 h",
                first_day_details=(
                    "Arrivez un quart d’heure avant le début : l’équipe vous accueille à l’entrée. "
                    "Apportez une pièce d’identité et de quoi prendre des notes ; les ordinateurs sont sur place."
                ),
            )

    def top_up_formations(self, campuses, target):
        """Bench data: plain copies of the demo formations, spread over the campuses, with sessions."""
        existing = FormationPage.objects.count()
        certifications = list(Certification.objects.all()) or [None]
        domains = list(Domain.objects.all()) or [None]
        jobs = list(RomeCode.objects.all())
        formats = list(Format)
        for number in range(existing + 1, target + 1):
            campus = campuses[number % len(campuses)]
            formation = campus.add_child(
                instance=FormationPage(
                    title=f"Formation numérique n° {number}",
                    slug=f"formation-{number}",
                    summary="Une formation de démonstration pour mesurer le catalogue.",
                    certification=certifications[number % len(certifications)],
                    domain=domains[number % len(domains)],
                    duration_hours=35 + (number * 37) % 1000,
                    format=formats[number % len(formats)],
                    entry_level=list(EntryLevel)[number % len(EntryLevel)],
                )
            )
            if jobs:
                formation.target_jobs.set([jobs[number % len(jobs)]])
                formation.save()
            self.ensure_sessions(formation, campus, price_cents=0 if number % 3 else 15000)

    # --- Accounts ---------------------------------------------------------------------------

    def ensure_users(self, campuses):
        password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
        User = get_user_model()
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"email": "admin@tremplin.localhost", "is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(password)
            admin.save()
        # Everyone logs in with a verified e-mail, the demo's teams too.
        self.verify_email(admin)
        by_slug = {campus.slug: campus for campus in campuses}
        for data in CAMPUSES:
            campus = by_slug[data["slug"]]
            user, created = User.objects.get_or_create(
                username=data["staff_username"],
                defaults={
                    "email": f"{data['staff_username']}@tremplin.localhost",
                    "first_name": "Équipe",
                    "last_name": campus.commune,
                },
            )
            if created:
                user.set_password(password)
                user.save()
            self.verify_email(user)
            user.groups.add(campus.staff_group)

    @staticmethod
    def verify_email(user):
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
