"""Demo funders for seed_demo: a region, the ESF+ and a foundation, their agreements and their accounts."""

import datetime
import decimal
import os

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campus.models import CampusPage
from financeurs.enums import FunderKind, IndicatorCode
from financeurs.models import Agreement, Funder, IndicatorTarget
from inscriptions.enums import Referrer
from inscriptions.models import Referral

DEMO_PASSWORD_DEFAULT = "tremplin-demo"

# name, kind, account e-mail, [(reference, title, campus slugs, amount, seats, named data, targets)]
FUNDERS = [
    (
        "Région Île-de-France",
        FunderKind.REGION,
        "financeur.region@exemple.fr",
        [
            (
                "REG-IDF-2026-014",
                "Parcours vers les métiers du numérique – Seine-Saint-Denis",
                ["aubervilliers", "clichy-sous-bois"],
                "96000",
                40,
                False,
                {
                    IndicatorCode.STARTED: 40,
                    IndicatorCode.POSITIVE_6_MONTHS: 60,
                    IndicatorCode.WOMEN: 30,
                    IndicatorCode.QPV: 50,
                    IndicatorCode.COST_PER_LEARNER: 3000,
                },
            )
        ],
    ),
    (
        "Fonds social européen plus (FSE+) – Île-de-France",
        FunderKind.ESF_PLUS,
        "financeur.fse@exemple.fr",
        [
            (
                "FSE-IDF-2026-007",
                "Inclusion numérique des jeunes des quartiers prioritaires",
                ["aubervilliers"],
                "45000",
                20,
                True,
                {IndicatorCode.POSITIVE_EXIT: 50, IndicatorCode.NO_BACCALAUREATE: 40, IndicatorCode.UNDER_26: 80},
            )
        ],
    ),
    (
        "Fondation Numérique Solidaire",
        FunderKind.FOUNDATION,
        "financeur.fondation@exemple.fr",
        [
            (
                "FNS-2026-03",
                "Premiers emplois du numérique à Marseille et Vaulx-en-Velin",
                ["marseille-nord", "vaulx-en-velin"],
                "30000",
                24,
                False,
                {IndicatorCode.POSITIVE_6_MONTHS: 50, IndicatorCode.DROPPED_OUT: 4},
            )
        ],
    ),
]

# first name, last name, e-mail, partner, adviser, days ago
REFERRALS = [
    ("Samir", "Belkacem", "samir.belkacem@exemple.fr", "Mission Locale d’Aubervilliers", "M. Durand", 6),
    ("Jade", "Lopes", "jade.lopes@exemple.fr", "Mission Locale d’Aubervilliers", "M. Durand", 6),
    ("Ousmane", "Sy", "ousmane.sy@exemple.fr", "Mission Locale d’Aubervilliers", "Mme Roux", 20),
]


@transaction.atomic
def build_demo_funders():
    """Idempotent: agreements are found by reference, accounts by e-mail."""
    today = timezone.localdate()
    campuses = {campus.slug: campus for campus in CampusPage.objects.all()}
    password = os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT)
    User = get_user_model()
    for name, kind, email, agreements in FUNDERS:
        funder, _ = Funder.objects.get_or_create(name=name, defaults={"kind": kind, "contact_email": email})
        user, created = User.objects.get_or_create(username=email, defaults={"email": email})
        if created:
            user.set_password(password)
            user.save()
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        funder.members.add(user)
        for reference, title, slugs, amount, seats, named, targets in agreements:
            agreement, created = Agreement.objects.get_or_create(
                reference=reference,
                defaults={
                    "funder": funder,
                    "title": title,
                    # Wide enough to hold the demo's past cohorts, whose 6- and 12-month follow-ups are known.
                    "start_date": today - datetime.timedelta(days=730),
                    "end_date": today + datetime.timedelta(days=365),
                    "amount": decimal.Decimal(amount),
                    "seats_funded": seats,
                    "requires_named_data": named,
                },
            )
            if created:
                agreement.campuses.set([campuses[slug] for slug in slugs if slug in campuses])
                IndicatorTarget.objects.bulk_create(
                    IndicatorTarget(agreement=agreement, indicator=code, value=decimal.Decimal(value))
                    for code, value in targets.items()
                )
    campus = campuses.get("aubervilliers")
    if campus is not None:
        for first_name, last_name, email, partner, adviser, days_ago in REFERRALS:
            Referral.objects.get_or_create(
                campus=campus,
                email=email,
                defaults={
                    "first_name": first_name,
                    "last_name": last_name,
                    "partner_kind": Referrer.MISSION_LOCALE,
                    "partner_name": partner,
                    "adviser": adviser,
                    "referred_on": today - datetime.timedelta(days=days_ago),
                },
            )
