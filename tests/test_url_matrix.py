"""Who gets what at every address of the site: each URL pattern × each role, with the answer expected.

Every pattern of the URLconf needs its row (or a third-party admin prefix below): a new view without one fails
`test_every_url_pattern_has_its_row`, naming the pattern. A row is one line:

    get("/admin/candidatures/{application_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),

The path's {placeholders} are filled with objects that belong to someone (the learner's, campus A's, funder X's:
see `world`). Roles: anonymous, learner, other_learner (campus B), staff_a, staff_b, funder_x (campus A's
agreement), funder_y (campus B's), superuser. Group keywords set several roles at once: `learners`, `staff`,
`funders`, `outsiders` (learners and funders), `everyone`; a role named on its own wins over its group.
"""

import copy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve

from tests.url_matrix.answers import (
    ADMIN_HOME,
    BULK_DONE,
    DETAIL,
    FORBIDDEN,
    LOGIN,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    PORTAL,
    SKIP,
    SPACE,
    Redirect,
    admin,
    admin_post,
    get,
    logged_in,
    post,
)
from tests.url_matrix.urlconf import AnyId, is_third_party, route_of, third_party_rows, url_patterns
from tests.url_matrix.world import build_world

REFERENCE_DATA = admin(staff=ADMIN_HOME, superuser=OK)  # campus teams hold no permission on reference data

# --- The table ----------------------------------------------------------------------------------

ROWS = [
    # Logging in and out: one door, allauth's.
    get("/admin/login/", anonymous=LOGIN, outsiders=FORBIDDEN, staff=LOGIN, superuser=LOGIN),
    get("/_util/login/", everyone=LOGIN),
    get("/admin/logout/", everyone=OK, anonymous=Redirect("/")),
    post("/admin/logout/", everyone=Redirect("/")),
    get("/comptes/login/", anonymous=OK, learners=SPACE, funders=PORTAL, staff=ADMIN_HOME, superuser=ADMIN_HOME),
    get("/comptes/logout/", everyone=OK, anonymous=Redirect("/")),
    post("/comptes/logout/", everyone=Redirect("/")),
    get("/comptes/inactive/", everyone=OK),
    get("/comptes/signup/", anonymous=OK, learners=SPACE, funders=PORTAL, staff=ADMIN_HOME, superuser=ADMIN_HOME),
    get("/comptes/reauthenticate/", everyone=OK, anonymous=LOGIN),
    get("/comptes/email/", everyone=OK, anonymous=LOGIN),
    get("/comptes/confirm-email/", anonymous=LOGIN, everyone=Redirect("/comptes/email/")),
    get("/comptes/password/change/", everyone=OK, anonymous=LOGIN),
    get("/comptes/password/set/", anonymous=LOGIN, everyone=Redirect("/comptes/password/change/")),
    get("/comptes/password/reset/", everyone=OK),
    get(
        "/comptes/login/code/confirm/",
        anonymous=Redirect("/comptes/login/code/"),
        learners=SPACE,
        funders=PORTAL,
        staff=ADMIN_HOME,
        superuser=ADMIN_HOME,
    ),
    get("/comptes/password/reset/confirm/", everyone=LOGIN),
    get("/comptes/password/reset/complete/", everyone=Redirect("/comptes/password/reset/")),
    get("/comptes/password/reset/done/", everyone=OK),
    get("/comptes/login/code/", anonymous=OK, learners=SPACE, funders=PORTAL, staff=ADMIN_HOME, superuser=ADMIN_HOME),
    # The load balancer's probe: the same answer for everyone, whoever is logged in.
    get("/healthz/", everyone=OK),
    post("/healthz/", everyone=NOT_ALLOWED),
    # Public pages, the catalogue and Wagtail's page serving.
    get("/", everyone=OK),
    get("/formations/", everyone=OK),
    # The open offers in LHEO 2.3, for regional catalogues and France Travail: public, read-only.
    get("/formations/lheo.xml", everyone=OK),
    post("/formations/lheo.xml", everyone=NOT_ALLOWED),
    # The API for partner sites: public pages only, the same answer for everyone, read-only.
    get("/api/v2/pages/?type=formations.FormationPage", everyone=OK),
    post("/api/v2/pages/", everyone=NOT_ALLOWED),
    get("/api/v2/pages/{formation_a}/", everyone=OK),
    post("/api/v2/pages/{formation_a}/", everyone=NOT_ALLOWED),
    get("/api/v2/pages/find/?html_path=/nulle-part/", everyone=NOT_FOUND),
    get("/confidentialite/", everyone=OK),
    # The glossary: the same words explained to everyone, nothing to post.
    get("/glossaire/", everyone=OK),
    post("/glossaire/", everyone=NOT_ALLOWED),
    # For search engines: the same for everyone, and nothing to post.
    get("/robots.txt", everyone=OK),
    post("/robots.txt", everyone=NOT_ALLOWED),
    get("/sitemap.xml", everyone=OK),
    post("/sitemap.xml", everyone=NOT_ALLOWED),
    get("/favicon.ico", everyone=Redirect("/static/favicon.ico")),
    post("/favicon.ico", everyone=NOT_ALLOWED),
    get("/au-revoir/", everyone=OK),
    get("/_util/authenticate_with_password/1/{campus_a}/", everyone=NOT_FOUND),
    get("/documents/1/cv.pdf", everyone=NOT_FOUND),
    get("/documents/authenticate_with_password/1/", everyone=NOT_FOUND),
    # Applying and the learner's space.
    # The learner has already applied to session A: told so, with a 409.
    get("/inscriptions/sessions/{session_a}/postuler/", **logged_in(learner=409)),
    post("/inscriptions/sessions/{session_a}/postuler/", **logged_in(learner=409)),
    get("/inscriptions/candidatures/{application_a}/envoyee/", **logged_in(everyone=NOT_FOUND, learner=OK)),
    get("/inscriptions/accord-parental/{guardian_token}/", everyone=OK),
    post("/inscriptions/accord-parental/{guardian_token}/", everyone=OK),
    get("/mon-espace/", **logged_in(funders=PORTAL)),
    get("/mon-espace/profil/", **logged_in()),
    post("/mon-espace/profil/", **logged_in()),
    get("/mon-espace/candidatures/{application_a}/paiement/", everyone=NOT_ALLOWED),
    post("/mon-espace/candidatures/{application_a}/paiement/", **logged_in(everyone=NOT_FOUND, learner=SPACE)),
    get("/mon-espace/candidatures/{application_a}/paiement/merci/", **logged_in(everyone=NOT_FOUND, learner=OK)),
    get("/mon-espace/candidatures/{application_a}/paiement/annule/", **logged_in(everyone=NOT_FOUND, learner=OK)),
    get("/mon-espace/candidatures/{application_a}/retirer/", **logged_in(everyone=NOT_FOUND, learner=OK)),
    post("/mon-espace/candidatures/{application_a}/retirer/", **logged_in(everyone=NOT_FOUND, learner=SPACE)),
    get("/mon-espace/accord-parental/renvoyer/", everyone=NOT_ALLOWED),
    post("/mon-espace/accord-parental/renvoyer/", **logged_in(everyone=SPACE)),
    get("/mon-espace/mes-donnees.json", **logged_in(learners=OK, everyone=SPACE)),
    # Only a person holding a place not yet started answers the funders' questions; the matrix's are undecided.
    get("/mon-espace/questions-financeurs/", **logged_in(everyone=SPACE)),
    post("/mon-espace/questions-financeurs/", **logged_in(everyone=SPACE)),
    # Nobody here accepted an earlier notice: the page sends each one on to her space.
    get("/mon-espace/confidentialite/accepter/", **logged_in(everyone=SPACE)),
    post("/mon-espace/confidentialite/accepter/", **logged_in(everyone=SPACE)),
    get("/mon-espace/supprimer/", **logged_in(staff=FORBIDDEN, superuser=FORBIDDEN)),
    post("/mon-espace/supprimer/", **logged_in(staff=FORBIDDEN, superuser=FORBIDDEN)),
    get("/suivi/{survey_token}/", everyone=OK),
    post("/suivi/{survey_token}/", everyone=OK),
    get("/paiements/stripe/webhook/", everyone=NOT_ALLOWED),
    post("/paiements/stripe/webhook/", everyone=400),
    # The funders' portal: each funder sees its own agreements; anyone else learns nothing.
    get("/financeurs/", anonymous=LOGIN, everyone=FORBIDDEN, funders=OK, superuser=OK),
    get(
        "/financeurs/conventions/{agreement_x}/",
        anonymous=LOGIN,
        everyone=FORBIDDEN,
        funder_x=OK,
        funder_y=NOT_FOUND,
        superuser=OK,
    ),
    get(
        "/financeurs/conventions/{agreement_x}/rapport.csv",
        anonymous=LOGIN,
        everyone=NOT_FOUND,
        funder_x=OK,
        superuser=OK,
    ),
    get(
        "/financeurs/conventions/{agreement_x}/participants.csv",
        anonymous=LOGIN,
        everyone=NOT_FOUND,
        funder_x=OK,
        superuser=OK,
    ),
    get("/financeurs/exports/{export_job_x}/", anonymous=LOGIN, everyone=NOT_FOUND, funder_x=OK),
    get("/financeurs/exports/{export_job_x}/fichier", anonymous=LOGIN, everyone=NOT_FOUND, funder_x=OK),
    # The admin's front door and Wagtail's own corners.
    get("/admin/", **admin(staff=OK, superuser=OK)),
    get("/admin/test404/", **admin(staff=OK, superuser=OK)),
    get(
        "/admin/no-such-page/",
        **admin(anonymous=Redirect("/admin/login/"), staff=NOT_FOUND, superuser=NOT_FOUND),
    ),
    get("/admin/sprite/", everyone=OK, outsiders=FORBIDDEN),
    get("/admin/jsi18n/", everyone=OK, outsiders=FORBIDDEN),
    # Passwords are reset at the one login's own page: Wagtail's are switched off.
    *[
        get(path, **admin(anonymous=NOT_FOUND, staff=NOT_FOUND, superuser=NOT_FOUND))
        for path in [
            "/admin/password_reset/",
            "/admin/password_reset/done/",
            "/admin/password_reset/confirm/1/1/",
            "/admin/password_reset/complete/",
        ]
    ],
    get("/admin/reports/site-history/", **admin(staff=FORBIDDEN, superuser=OK)),
    get("/admin/reports/site-history/results/", **admin(staff=FORBIDDEN, superuser=OK)),
    get("/admin/users/", **admin(staff=ADMIN_HOME, superuser=OK)),
    get("/admin/groups/", **admin(staff=ADMIN_HOME, superuser=OK)),
    get("/admin/sites/", **admin(staff=ADMIN_HOME, superuser=OK)),
    get("/admin/workflows/list/", **admin(staff=ADMIN_HOME, superuser=OK)),
    get("/admin/pages/{campus_a}/edit/", **admin(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    # Posted empty, the page form fails inside Wagtail's StreamField widget (a server error): only the refusal is
    # checked here, which comes first.
    post("/admin/pages/{campus_a}/edit/", **admin_post(staff_a=SKIP, staff_b=ADMIN_HOME, superuser=SKIP)),
    # Campus A has sessions: even a superuser is sent back to the campus list, with a message.
    get(
        "/admin/pages/{campus_a}/delete/",
        **admin(staff=ADMIN_HOME, superuser=Redirect("/admin/pages/{campus_index}/")),
    ),
    # Bulk actions: on pages (Wagtail's), and on applications (ours: each a status change).
    # Wagtail answers the confirmation page, listing campus A's page among those the team may not delete.
    get("/admin/bulk/wagtailcore/page/delete/?id={campus_a}", **admin(staff=OK, superuser=OK)),
    get(
        "/admin/bulk/inscriptions/application/etudier/?id={application_a}",
        **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    post(
        "/admin/bulk/inscriptions/application/etudier/?id={application_a}",
        **admin_post(staff_a=BULK_DONE, staff_b=NOT_FOUND, superuser=BULK_DONE),
    ),
    # Sessions.
    get("/admin/sessions/", **admin(staff=OK, superuser=OK)),
    get("/admin/sessions/results/", **admin(staff=OK, superuser=OK)),
    get("/admin/sessions/new/", **admin(staff=OK, superuser=OK)),
    post("/admin/sessions/new/", **admin_post(staff=OK, superuser=OK)),
    get("/admin/sessions/edit/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    post("/admin/sessions/edit/{session_a}/", **admin_post(staff_b=NOT_FOUND, staff_a=OK, superuser=OK)),
    get("/admin/sessions/delete/{session_a}/", **admin(staff_a=ADMIN_HOME, staff_b=NOT_FOUND, superuser=OK)),
    post(
        "/admin/sessions/delete/{session_a}/",
        **admin_post(staff_a=ADMIN_HOME, staff_b=NOT_FOUND, superuser=Redirect("/admin/sessions/")),
    ),
    get("/admin/sessions/history/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/sessions/history-results/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/sessions/usage/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/sessions/copy/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    # Applications, their decisions, CVs, follow-ups and payments.
    get("/admin/candidatures/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/results/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/{application_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/{application_a}/statut/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/candidatures/{application_a}/statut/",
        **admin_post(staff_a=DETAIL, staff_b=NOT_FOUND, superuser=DETAIL),
    ),
    # A dated step's confirmation screen: the application is only submitted, so it goes back to the detail page.
    get(
        "/admin/candidatures/{application_a}/etape/in_training/",
        **admin(staff_a=DETAIL, staff_b=NOT_FOUND, superuser=DETAIL),
    ),
    post(
        "/admin/candidatures/{application_a}/etape/in_training/",
        **admin_post(staff_a=DETAIL, staff_b=NOT_FOUND, superuser=DETAIL),
    ),
    get(
        "/admin/candidatures/{application_a}/notes/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post("/admin/candidatures/{application_a}/notes/", **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/{application_a}/accord-parental/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/candidatures/{application_a}/accord-parental/",
        **admin_post(staff_a=DETAIL, staff_b=NOT_FOUND, superuser=DETAIL),
    ),
    get(
        "/admin/candidatures/{application_a}/suivi/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post("/admin/candidatures/{application_a}/suivi/", **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/{application_a}/profil/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/candidatures/{application_a}/profil/",
        **admin_post(
            staff_a=Redirect("/admin/candidatures/{application_a}/#avant-formation"),
            staff_b=NOT_FOUND,
            superuser=Redirect("/admin/candidatures/{application_a}/#avant-formation"),
        ),
    ),
    get("/admin/candidatures/{application_a}/cv/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/candidatures/suivis-a-faire/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/mes-notifications/", **admin(staff=OK, superuser=OK)),
    post(
        "/admin/candidatures/mes-notifications/",
        **admin_post(
            staff=Redirect("/admin/candidatures/mes-notifications/"),
            superuser=Redirect("/admin/candidatures/mes-notifications/"),
        ),
    ),
    get(
        "/admin/candidatures/{application_a}/paiements/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post("/admin/candidatures/{application_a}/paiements/", **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/{application_a}/paiements/{payment_a}/rembourser/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_FOUND, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/candidatures/{application_a}/paiements/{payment_a}/rembourser/",
        **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    get("/admin/candidatures/paiements/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/paiements/resultats/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/paiements/export/", **admin(staff=OK, superuser=OK)),
    get("/admin/candidatures/presences/{session_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/candidatures/presences/{session_a}/imprimer/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/presences/{session_a}/emargement.xlsx",
        **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    get(
        "/admin/candidatures/presences/{session_a}/{session_a_day}/matin/",
        **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    # The session starts in a month: the sheet is shown again, saying the day has not come.
    post(
        "/admin/candidatures/presences/{session_a}/{session_a_day}/matin/",
        **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    # A session's people, and their export.
    get("/admin/candidatures/sessions/{session_a}/personnes/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get(
        "/admin/candidatures/sessions/{session_a}/personnes/export/",
        **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK),
    ),
    # Partners' referrals.
    get("/admin/orientations/", **admin(staff=OK, superuser=OK)),
    get("/admin/orientations/results/", **admin(staff=OK, superuser=OK)),
    get("/admin/orientations/new/", **admin(staff=OK, superuser=OK)),
    post("/admin/orientations/new/", **admin_post(staff=OK, superuser=OK)),
    get("/admin/orientations/edit/{referral_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    post("/admin/orientations/edit/{referral_a}/", **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/orientations/delete/{referral_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    post(
        "/admin/orientations/delete/{referral_a}/",
        **admin_post(
            staff_a=Redirect("/admin/orientations/"), staff_b=NOT_FOUND, superuser=Redirect("/admin/orientations/")
        ),
    ),
    get("/admin/orientations/history/{referral_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/orientations/history-results/{referral_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/orientations/usage/{referral_a}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    # Agreements and funders.
    get("/admin/conventions/", **admin(staff=OK, superuser=OK)),
    get("/admin/conventions/results/", **admin(staff=OK, superuser=OK)),
    get("/admin/conventions/new/", **admin(staff=OK, superuser=OK)),
    post("/admin/conventions/new/", **admin_post(staff=OK, superuser=OK)),
    get("/admin/conventions/edit/{agreement_x}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    post("/admin/conventions/edit/{agreement_x}/", **admin_post(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/conventions/delete/{agreement_x}/", **admin(staff_a=ADMIN_HOME, staff_b=NOT_FOUND, superuser=OK)),
    post(
        "/admin/conventions/delete/{agreement_x}/",
        **admin_post(
            staff_a=ADMIN_HOME,
            staff_b=NOT_FOUND,
            superuser=Redirect("/admin/conventions/"),
        ),
    ),
    get("/admin/conventions/history/{agreement_x}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/conventions/history-results/{agreement_x}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/conventions/usage/{agreement_x}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/conventions/inspect/{agreement_x}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=OK)),
    get("/admin/financeurs/", **admin(staff=OK, superuser=OK)),
    get("/admin/financeurs/results/", **admin(staff=OK, superuser=OK)),
    get("/admin/financeurs/new/", **admin(staff=OK, superuser=OK)),
    post("/admin/financeurs/new/", **admin_post(staff=OK, superuser=OK)),
    # Funder X's agreements are all campus A's: campus B's team may neither change it nor read what names it.
    get("/admin/financeurs/edit/{funder_x}/", **admin(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    post("/admin/financeurs/edit/{funder_x}/", **admin_post(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    get("/admin/financeurs/delete/{funder_x}/", **admin(staff=ADMIN_HOME, superuser=OK)),
    post(
        "/admin/financeurs/delete/{funder_x}/",
        **admin_post(staff=ADMIN_HOME, superuser=ADMIN_HOME),
    ),
    get("/admin/financeurs/history/{funder_x}/", **admin(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    get("/admin/financeurs/history-results/{funder_x}/", **admin(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    get("/admin/financeurs/usage/{funder_x}/", **admin(staff_a=OK, staff_b=ADMIN_HOME, superuser=OK)),
    # Imports: each team's own jobs.
    get("/admin/imports/", **admin(staff=OK, superuser=OK)),
    post("/admin/imports/", **admin_post(staff=OK, superuser=OK)),
    get("/admin/imports/{import_job_conventions}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=NOT_FOUND)),
    get("/admin/imports/{import_job_suivis}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=NOT_FOUND)),
    get("/admin/imports/{import_job_orientations}/", **admin(staff_a=OK, staff_b=NOT_FOUND, superuser=NOT_FOUND)),
    get(
        "/admin/imports/{import_job_suivis}/confirmer/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_ALLOWED, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/imports/{import_job_suivis}/confirmer/",
        **admin_post(staff_a=Redirect("/admin/imports/{import_job_suivis}/"), staff_b=NOT_FOUND, superuser=NOT_FOUND),
    ),
    get(
        "/admin/imports/{import_job_suivis}/annuler/",
        **admin(staff_a=NOT_ALLOWED, staff_b=NOT_ALLOWED, superuser=NOT_ALLOWED),
    ),
    post(
        "/admin/imports/{import_job_suivis}/annuler/",
        **admin_post(staff_a=Redirect("/admin/imports/"), staff_b=NOT_FOUND, superuser=NOT_FOUND),
    ),
    get("/admin/imports/modele/suivis.csv", **admin(staff=OK, superuser=OK)),
    # Background tasks whose attempts are all spent: the superusers only.
    get("/admin/taches-en-echec/", **admin(staff=ADMIN_HOME, superuser=OK)),
    get("/admin/taches-en-echec/{failed_task}/reessayer/", **admin(staff=NOT_ALLOWED, superuser=NOT_ALLOWED)),
    post(
        "/admin/taches-en-echec/{failed_task}/reessayer/",
        **admin_post(staff=ADMIN_HOME, superuser=Redirect("/admin/taches-en-echec/")),
    ),
    # Reference data: kept by the superusers (and the import commands).
    *[
        get(f"/admin/snippets/{model}/{view}", **REFERENCE_DATA)
        for model in ["campus/qpv", "formations/romecode", "formations/domain", "formations/certification"]
        for view in ["", "results/", "add/"]
    ],
    *[
        get(f"/admin/snippets/{model}/{view}/{{{key}}}/", **REFERENCE_DATA)
        for model, key in [
            ("campus/qpv", "qpv"),
            ("formations/romecode", "rome_code"),
            ("formations/domain", "domain"),
            ("formations/certification", "certification"),
        ]
        for view in ["edit", "delete", "usage", "history", "history-results", "copy"]
    ],
    *[
        get(f"/admin/snippets/choose/{model}/{view}", **admin(staff=OK, superuser=OK))
        for model in ["campus/qpv", "formations/romecode", "formations/domain", "formations/certification"]
        for view in ["", "results/", "chosen-multiple/"]
    ],
    *[
        get(f"/admin/snippets/choose/{model}/create/", **REFERENCE_DATA)
        for model in ["campus/qpv", "formations/romecode", "formations/domain", "formations/certification"]
    ],
    *[
        get(f"/admin/snippets/choose/{model}/chosen/{{{key}}}/", **admin(staff=OK, superuser=OK))
        for model, key in [
            ("campus/qpv", "qpv"),
            ("formations/romecode", "rome_code"),
            ("formations/domain", "domain"),
            ("formations/certification", "certification"),
        ]
    ],
]

# Wagtail's own admin views: the door is ours (the middleware and the login), what lies behind is Wagtail's.
THIRD_PARTY_ADMIN = [
    "admin/api/",
    "admin/failwhale/",
    "admin/pages/",
    "admin/bulk/",
    "admin/choose-",
    "admin/tag-autocomplete/",
    "admin/collections/",
    "admin/workflows/",
    "admin/reports/",
    "admin/account/",
    "admin/logout/",
    "admin/dismissibles/",
    "admin/editing-sessions/",
    "admin/block-preview/",
    "admin/settings/",
    "admin/redirects/",
    "admin/embeds/",
    "admin/snippets/",
    "admin/documents/",
    "admin/images/",
    "admin/sites/",
    "admin/users/",
    "admin/groups/",
    "admin/sprite/",
    "admin/password_reset/",
    "admin/jsi18n/",
]
THIRD_PARTY_ANSWERS = admin(staff=SKIP, superuser=SKIP)
# Patterns no request reaches: an earlier one answers their address (ours, sending to the one login).
SHADOWED = {
    ("admin/login/", "wagtailadmin_login"),
    ("admin/logout/", "wagtailadmin_logout"),
    ("_util/login/", "wagtailcore_login"),
}


# --- The tests ----------------------------------------------------------------------------------


def describe(response):
    if response.status_code in (301, 302):
        return f"{response.status_code} → {response.url}"
    return str(response.status_code)


def matches(response, expected):
    if isinstance(expected, Redirect):
        return response.status_code == 302 and response.url.split("?")[0] == expected.to
    return response.status_code == expected


@pytest.fixture
def world():
    return build_world()


def test_every_url_pattern_has_its_row():
    covered = {route_of(row.path.format_map(AnyId())) for row in ROWS}
    missing = [
        f"{pattern.route} ({pattern.name or 'sans nom'})"
        for pattern in url_patterns()
        if pattern.route not in covered
        and not is_third_party(pattern.route, THIRD_PARTY_ADMIN)
        and (pattern.route, pattern.name) not in SHADOWED
    ]
    assert not missing, "Patterns without a row in the matrix:\n" + "\n".join(missing)


def test_shadowed_patterns_are_answered_by_the_one_login():
    for route, _name in SHADOWED:
        assert resolve("/" + route).route == route and resolve("/" + route).url_name is None


def test_every_role_gets_the_expected_answer_at_every_url(world):
    ids, users = world
    clients = {"anonymous": Client(raise_request_exception=False)}
    for role, user in users.items():
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(user)
    mismatches = []
    for row in ROWS + third_party_rows(ROWS, THIRD_PARTY_ADMIN, THIRD_PARTY_ANSWERS, SHADOWED):
        path = row.path.format(**ids)
        for role, expected in row.answers.items():
            if expected is SKIP:
                continue
            if isinstance(expected, Redirect):
                expected = Redirect(expected.to.format(**ids))
            client = clients[role]
            cookies = copy.deepcopy(client.cookies)
            # Each request in its own savepoint: a deletion or a logout leaves the next request the same world.
            with transaction.atomic():
                response = getattr(client, row.method)(path, row.data)
                transaction.set_rollback(True)
            client.cookies = cookies
            if response.streaming:
                # Read to the end, the client closes the file it streams (CVs, exports) without ending the request.
                b"".join(response.streaming_content)
            if not matches(response, expected):
                mismatches.append(
                    f"{row.method.upper()} {path} as {role}: expected {expected}, got {describe(response)}"
                )
    assert not mismatches, f"{len(mismatches)} answers differ from the matrix:\n" + "\n".join(mismatches)
