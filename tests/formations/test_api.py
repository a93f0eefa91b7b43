"""The public API's formations, /api/v2/pages/?type=formations.FormationPage (docs/api.md)."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import PageViewRestriction

from formations.enums import CertificationLevel, EntryLevel, FeeKind, Format, Schedule
from tests.campus.factories import CampusPageFactory, UserFactory
from tests.formations.catalogue.browsing import in_days
from tests.formations.factories import (
    CertificationFactory,
    DomainFactory,
    FormationPageFactory,
    RomeCodeFactory,
    SessionFactory,
)

API = "/api/v2/pages/"
FORMATIONS = {"type": "formations.FormationPage"}


def get_api(client, params=None, path=API, status=200):
    response = client.get(path, params or {})
    assert response.status_code == status, response.content
    return response.json()


def formation_ids(client, params=None):
    return [item["id"] for item in get_api(client, {**FORMATIONS, "limit": 50, **(params or {})})["items"]]


def catalogue_ids(client, params=None):
    response = client.get("/formations/", params or {})
    assert response.status_code == 200
    return [formation.pk for formation in response.context["page_obj"].object_list]


@pytest.fixture
def campus(home_page):
    return CampusPageFactory(title="Campus numérique d'Aubervilliers", commune="Aubervilliers", postcode="93300")


@pytest.fixture
def formation(campus):
    formation = FormationPageFactory(
        parent=campus,
        title="Développeur web",
        summary="Apprendre à faire des sites.",
        duration_hours=600,
        entry_level=EntryLevel.LEVEL_4,
        format=Format.HYBRID,
        domain=DomainFactory(formacode="31054", label="Informatique"),
        certification=CertificationFactory(
            code="RNCP37674", title="Développeur web", level=CertificationLevel.LEVEL_5
        ),
        target_jobs=[RomeCodeFactory(code="M1805", label="Études et développement informatique")],
    )
    SessionFactory(
        formation=formation,
        start_date=in_days(20),
        application_deadline=in_days(10),
        price_cents=29000,
        fee_kind=FeeKind.DEPOSIT,
        schedule=Schedule.PART_TIME,
        schedule_details="du lundi au jeudi",
        capacity=12,
    )
    SessionFactory(formation=formation, start_date=in_days(40), full=True)
    SessionFactory(formation=formation, start_date=in_days(60), closed=True)
    SessionFactory(formation=formation, past=True)  # begun: no longer offered
    return formation


# --- What a formation says ----------------------------------------------------------------------


def test_the_listing_gives_each_live_formation_with_its_offer(client, formation, campus):
    data = get_api(client, {**FORMATIONS, "fields": "*"})

    assert data["meta"]["total_count"] == 1
    [item] = data["items"]
    assert item["id"] == formation.pk
    assert item["title"] == "Développeur web"
    assert item["meta"]["html_url"] == formation.full_url
    assert item["summary"] == "Apprendre à faire des sites."
    assert item["duration_hours"] == 600
    assert item["entry_level"] == {"code": "4", "label": "Baccalauréat (niveau 4)"}
    assert item["format"] == {"code": "hybride", "label": "Les deux (sur place et à distance)"}
    assert item["price_range"] == {
        "lowest_euros": "0.00",
        "highest_euros": "290.00",
        "text": "Gratuit ou 290 € selon la session",
    }
    assert item["campus"] == {
        "id": campus.pk,
        "title": "Campus numérique d'Aubervilliers",
        "commune": "Aubervilliers",
        "postcode": "93300",
        "url": campus.full_url,
    }
    assert item["domain"] == {"formacode": "31054", "label": "Informatique"}
    assert item["certification"] == {
        "repertoire": "RNCP",
        "code": "RNCP37674",
        "title": "Développeur web",
        "level": {"code": 5, "label": "Niveau 5 (bac+2)"},
        "url": "https://www.francecompetences.fr/recherche/rncp/37674/",
    }
    assert item["target_jobs"] == [{"code": "M1805", "label": "Études et développement informatique"}]
    first, full, closed = item["sessions"]
    assert first == {
        "id": first["id"],
        "start_date": in_days(20).isoformat(),
        "end_date": (in_days(20) + datetime.timedelta(days=90)).isoformat(),
        "application_deadline": in_days(10).isoformat(),
        "schedule": {"code": "temps_partiel", "label": "Temps partiel"},
        "schedule_details": "du lundi au jeudi",
        "price_euros": "290.00",
        "fee_kind": {"code": "caution", "label": "Caution remboursable"},
        "capacity": 12,
        "seats_left": 12,
        "application_state": {"code": "ouverte", "label": "Candidatures ouvertes"},
    }
    assert (full["application_state"]["code"], full["seats_left"]) == ("liste_attente", 0)
    assert closed["application_state"]["code"] == "fermee"


def test_the_detail_of_a_formation_says_the_same_as_the_listing(client, formation):
    listed = get_api(client, {**FORMATIONS, "fields": "*"})["items"][0]

    detail = get_api(client, path=f"{API}{formation.pk}/")

    assert detail["meta"]["parent"]["id"] == formation.get_parent().pk
    for field in ["summary", "price_range", "campus", "domain", "certification", "target_jobs", "sessions"]:
        assert detail[field] == listed[field], field


def test_a_formation_without_an_upcoming_session_has_no_price_nor_session(client, campus):
    formation = FormationPageFactory(parent=campus)
    SessionFactory(formation=formation, past=True)

    [item] = get_api(client, {**FORMATIONS, "fields": "price_range,sessions,certification,domain"})["items"]

    assert (item["price_range"], item["sessions"], item["certification"], item["domain"]) == (None, [], None, None)


def test_the_answer_may_be_kept_a_few_minutes_by_anyone(client, formation):
    response = client.get(API, FORMATIONS)

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Content-Type"] == "application/json"


def test_the_api_is_read_only(client, formation):
    assert client.head(API, FORMATIONS).status_code == 200
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(API).status_code == 405
        assert method(f"{API}{formation.pk}/").status_code == 405


def test_format_filters_by_modality_and_never_switches_to_html(client, formation, campus):
    on_site = FormationPageFactory(parent=campus, format=Format.ON_SITE)

    response = client.get(API, {**FORMATIONS, "format": "sur_place"}, HTTP_ACCEPT="text/html")

    assert response["Content-Type"] == "application/json"
    assert [item["id"] for item in response.json()["items"]] == [on_site.pk]


# --- Nothing private ----------------------------------------------------------------------------


@pytest.fixture
def hidden(campus):
    """A draft formation with its session, a published one behind a password, one for logged-in people."""
    draft = FormationPageFactory(parent=campus, draft=True, title="Brouillon web secret")
    SessionFactory(formation=draft, schedule_details="session du brouillon")
    private = FormationPageFactory(parent=campus, title="Formation web réservée")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.PASSWORD, password="x")
    members = FormationPageFactory(parent=campus, title="Formation web des membres")
    PageViewRestriction.objects.create(page=members, restriction_type=PageViewRestriction.LOGIN)
    return draft, private, members


@pytest.mark.parametrize(
    "params",
    [
        FORMATIONS,
        {**FORMATIONS, "fields": "*"},
        {"type": "wagtailcore.Page"},
        {},
        {"type": "formations.FormationPage,campus.CampusPage"},
        {**FORMATIONS, "q": "web"},
    ],
)
def test_drafts_and_restricted_formations_and_their_sessions_are_absent(client, formation, hidden, params):
    data = get_api(client, {"limit": 50, **params})
    body = json.dumps(data, ensure_ascii=False)

    assert formation.pk in [item["id"] for item in data["items"]]
    for page in hidden:
        assert page.pk not in [item["id"] for item in data["items"]]
        assert page.title not in body
    assert "session du brouillon" not in body


def test_a_draft_or_restricted_formation_has_no_detail(client, hidden):
    for page in hidden:
        assert get_api(client, path=f"{API}{page.pk}/", status=404) == {"message": "No Page matches the given query."}


def test_logged_in_staff_see_no_more_than_anyone(client, formation, hidden, campus):
    client.force_login(UserFactory(superuser=True))

    assert formation_ids(client) == [formation.pk]
    for page in hidden:
        assert get_api(client, path=f"{API}{page.pk}/", status=404)


def test_a_browser_that_gave_a_page_password_sees_no_more_than_anyone(client, formation, hidden):
    session = client.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = list(
        PageViewRestriction.objects.values_list("pk", flat=True)
    )
    session.save()

    assert formation_ids(client) == [formation.pk]
    assert get_api(client, path=f"{API}{hidden[1].pk}/", status=404)


@pytest.mark.parametrize(
    "params",
    [
        {"fields": "owner"},
        {"fields": "locked_by"},
        {"fields": "latest_revision"},
        {"fields": "live_revision"},
        {"fields": "owner", "type": "wagtailcore.Page"},
        {"fields": "*,owner", "type": "wagtailcore.Page"},
        {"fields": "accessibility_referent_email", **FORMATIONS},
        {"fields": "staff_group", "type": "campus.CampusPage"},
        {"fields": "sessions(seats_taken)", **FORMATIONS},
        {"fields": "campus(owner)", **FORMATIONS},
        {"fields": "certification(certifiers)", **FORMATIONS},
        {"fields": "parent(owner)", **FORMATIONS},
        {"owner": "1", **FORMATIONS},
        {"owner": "1", "type": "wagtailcore.Page"},
        {"locked_by": "1", "type": "campus.CampusPage"},
    ],
)
def test_asking_for_a_private_field_is_refused(client, formation, params):
    assert "message" in get_api(client, params, status=400)


@pytest.mark.parametrize(
    "params", [{"fields": "*"}, {"fields": "*", **FORMATIONS}, {"fields": "*", "type": "campus.CampusPage"}]
)
def test_every_field_at_once_tells_nothing_of_the_staff(client, campus, params):
    owner = UserFactory(email="responsable.secret@tremplin.example", staff_of=campus)
    formation = FormationPageFactory(
        parent=campus, owner=owner, accessibility_referent_email="referent@campus.example"
    )
    formation.save_revision(user=owner, log_action=False)
    campus.owner = owner
    campus.save()
    data = get_api(client, {**params, "limit": 50})
    body = json.dumps(data, ensure_ascii=False)

    assert data["items"]
    assert "responsable.secret" not in body
    assert "referent@campus.example" not in body
    for key in [
        "owner",
        "locked_by",
        "latest_revision",
        "staff_group",
        "collection",
        "seats_taken",
        "has_unpublished_changes",
    ]:
        assert f'"{key}"' not in body


def test_a_login_attempt_through_the_api_is_ignored(client, formation):
    response = client.get(API, FORMATIONS, HTTP_AUTHORIZATION="Basic bm9ib2R5Om5vdC1hLXBhc3N3b3Jk")

    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"


# --- Pagination -----------------------------------------------------------------------------------


def test_pages_of_results_are_read_with_limit_and_offset(client, campus):
    pages = [FormationPageFactory(parent=campus, title=f"Formation {letter}") for letter in "ABCDE"]

    data = get_api(client, {**FORMATIONS, "tri": "titre", "limit": 2, "offset": 2})

    assert data["meta"]["total_count"] == 5
    assert [item["id"] for item in data["items"]] == [pages[2].pk, pages[3].pk]


def test_no_more_than_fifty_formations_an_answer(client, formation):
    assert get_api(client, {**FORMATIONS, "limit": 50})["items"]
    assert get_api(client, {**FORMATIONS, "limit": 51}, status=400) == {"message": "limit cannot be higher than 50"}


def test_formations_are_searched_with_the_catalogue_words_not_wagtail_search(client, formation):
    data = get_api(client, {**FORMATIONS, "search": "web"}, status=400)

    assert "search" in data["message"]


# --- The catalogue's filters --------------------------------------------------------------------


@pytest.fixture
def offers(campus, home_page):
    """Formations that each filter of the catalogue tells apart, in two campuses."""
    other_campus = CampusPageFactory(title="Campus de Bondy")
    web, data_job = RomeCodeFactory(code="M1805", label="Développement web"), RomeCodeFactory(code="M1403")
    level_5, level_3 = CertificationFactory(level=CertificationLevel.LEVEL_5), CertificationFactory(level=3)
    digital, office = DomainFactory(label="Numérique"), DomainFactory(label="Bureautique")
    specs = [
        (campus, "Développeur web", Format.HYBRID, EntryLevel.LEVEL_4, 600, level_5, digital, [web]),
        (campus, "Technicien support", Format.ON_SITE, EntryLevel.NONE, 400, level_3, office, [data_job]),
        (other_campus, "Data analyst", Format.REMOTE, EntryLevel.LEVEL_5, 800, level_5, digital, [data_job, web]),
        (other_campus, "Bureautique", Format.ON_SITE, EntryLevel.NONE, 70, None, office, []),
        (campus, "Sans session", Format.ON_SITE, EntryLevel.NONE, 120, None, None, []),
    ]
    formations = [
        FormationPageFactory(
            parent=parent,
            title=title,
            format=modality,
            entry_level=entry,
            duration_hours=hours,
            certification=certification,
            domain=domain,
            target_jobs=jobs,
        )
        for parent, title, modality, entry, hours, certification, domain, jobs in specs
    ]
    developer, support, analyst, office_course, _no_session = formations
    SessionFactory(formation=developer, start_date=in_days(10), schedule=Schedule.PART_TIME, price_cents=0)
    SessionFactory(formation=developer, start_date=in_days(50), full=True, price_cents=0)
    SessionFactory(formation=support, start_date=in_days(20), price_cents=120000)
    SessionFactory(formation=support, start_date=in_days(5), closed=True, schedule=Schedule.PART_TIME)
    SessionFactory(formation=analyst, start_date=in_days(30), full=True, schedule=Schedule.PART_TIME)
    SessionFactory(formation=analyst, past=True)
    SessionFactory(formation=office_course, deadline_passed=True, price_cents=0)
    SessionFactory(formation=office_course, start_date=in_days(90), price_cents=5000)
    return {"campus": campus, "other_campus": other_campus, "digital": digital}


CATALOGUE_FILTERS = [
    {},
    {"q": "web"},
    {"q": "analyst data"},
    {"format": "sur_place"},
    {"prerequis": "aucun"},
    {"niveau": "5"},
    {"metier": "M1403"},
    {"rythme": "temps_partiel"},
    {"gratuit": "on"},
    {"gratuit": "true"},
    {"places": "on"},
    {"places": "on", "rythme": "temps_partiel"},
    {"duree_min": "100", "duree_max": "700"},
    {"tri": "duree"},
    {"tri": "titre", "format": "sur_place", "prerequis": "aucun"},
    {"q": "e", "places": "on", "tri": "titre"},
]


@pytest.mark.parametrize("params", CATALOGUE_FILTERS)
def test_the_api_finds_the_catalogue_formations_in_the_catalogue_order(client, offers, params):
    assert formation_ids(client, params) == catalogue_ids(client, params)


def test_the_campus_domain_and_dates_filters_agree_with_the_catalogue(client, offers):
    for params in [
        {"campus": offers["campus"].pk},
        {"campus": offers["other_campus"].pk, "places": "on"},
        {"domaine": offers["digital"].pk},
        {"debut_min": in_days(15).isoformat()},
        {"debut_min": in_days(8).isoformat(), "debut_max": in_days(35).isoformat(), "rythme": "temps_partiel"},
    ]:
        assert formation_ids(client, params) == catalogue_ids(client, params), params
    assert len(formation_ids(client, {"campus": offers["campus"].pk})) == 3


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    params=st.fixed_dictionaries(
        {},
        optional={
            "q": st.sampled_from(["web", "data", "e", "bureau", "numérique"]),
            "format": st.sampled_from(Format.values),
            "prerequis": st.sampled_from(EntryLevel.values),
            "niveau": st.sampled_from(["3", "5"]),
            "metier": st.sampled_from(["M1805", "M1403"]),
            "rythme": st.sampled_from(Schedule.values),
            "gratuit": st.just("on"),
            "places": st.just("on"),
            "debut_min": st.integers(0, 60).map(lambda days: in_days(days).isoformat()),
            "debut_max": st.integers(0, 100).map(lambda days: in_days(days).isoformat()),
            "duree_min": st.sampled_from(["0", "100", "500"]),
            "duree_max": st.sampled_from(["100", "600", "1000"]),
            "tri": st.sampled_from(["date", "duree", "titre"]),
        },
    )
)
def test_any_combination_of_filters_finds_what_the_catalogue_finds(client, offers, params):
    response = client.get("/formations/", params)
    if response.context["form"].errors:  # e.g. a start after the end: the API refuses what the catalogue explains
        assert client.get(API, {**FORMATIONS, **params}).status_code == 400
    else:
        assert formation_ids(client, params) == catalogue_ids(client, params)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("campus", "abc", "Sélectionnez un choix valide"),
        ("campus", "999999", "Sélectionnez un choix valide"),
        ("domaine", "abc", "Sélectionnez un choix valide"),
        ("niveau", "12", "Sélectionnez un choix valide"),
        ("prerequis", "bac+12", "Sélectionnez un choix valide"),
        ("format", "xyz", "Sélectionnez un choix valide"),
        ("rythme", "nuit", "Sélectionnez un choix valide"),
        ("metier", "ZZZZ", "Sélectionnez un choix valide"),
        ("tri", "hack", "Sélectionnez un choix valide"),
        ("debut_min", "2025-13-45", "Saisissez une date valide"),
        ("debut_max", "demain", "Saisissez une date valide"),
        ("duree_min", "abc", "Saisissez un nombre"),
        ("duree_max", "NaN", "Saisissez un nombre"),
        ("duree_min", "-5", "Une durée ne peut pas être négative."),
        ("q", "x" * 500, "au plus 100 caractères"),
        ("q", "web\x00", "Le caractère nul n’est pas autorisé."),
    ],
)
def test_a_bad_filter_value_is_refused_naming_the_parameter_and_why(client, formation, name, value, message):
    data = get_api(
        client,
        {**FORMATIONS, name: value, "format": "hybride"} if name != "format" else {**FORMATIONS, name: value},
        status=400,
    )

    assert list(data["errors"]) == [name]
    assert message in " ".join(data["errors"][name])
    assert name in data["message"] and message in data["message"]


def test_bounds_in_the_wrong_order_are_refused_naming_both(client, formation):
    data = get_api(client, {**FORMATIONS, "debut_min": in_days(60), "debut_max": in_days(30)}, status=400)

    assert data["errors"] == {"debut_min, debut_max": ["La première date doit venir avant la seconde."]}


@pytest.mark.parametrize(
    "params",
    [
        {**FORMATIONS, "page": "2"},
        {**FORMATIONS, "debut": "2027-01-01"},
        {**FORMATIONS, "title": "Développeur web"},
        {**FORMATIONS, "summary": "x"},
        {"q": "web"},
        {"type": "campus.CampusPage", "places": "on"},
    ],
)
def test_an_unknown_parameter_is_refused_by_name(client, formation, params):
    unknown = next(name for name in params if name != "type")

    assert unknown in get_api(client, params, status=400)["message"]


# --- Queries --------------------------------------------------------------------------------------


def add_formations(campuses, count):
    domain, certification = DomainFactory(), CertificationFactory()
    jobs = [RomeCodeFactory(code="M1844"), RomeCodeFactory(code="M1805")]
    for number in range(count):
        formation = FormationPageFactory(
            parent=campuses[number % len(campuses)], domain=domain, certification=certification, target_jobs=jobs
        )
        SessionFactory(formation=formation, start_date=in_days(10 + number))
        SessionFactory(formation=formation, start_date=in_days(40 + number), full=True)


@pytest.mark.parametrize(
    "params",
    [
        {"fields": "*"},
        {"fields": "*", "q": "formation", "places": "on", "tri": "duree", "metier": "M1844", "gratuit": "on"},
        {"rythme": "temps_plein", "debut_min": "2000-01-01", "format": "sur_place"},
    ],
)
def test_the_api_needs_as_many_queries_for_15_formations_as_for_3(client, home_page, params):
    campuses = [CampusPageFactory() for _ in range(3)]
    add_formations(campuses, 3)
    params = {**FORMATIONS, "limit": 50, **params}
    get_api(client, params)  # Warm the site and content type caches.

    with CaptureQueriesContext(connection) as three:
        assert len(get_api(client, params)["items"]) == 3
    add_formations(campuses, 12)
    with CaptureQueriesContext(connection) as fifteen:
        assert len(get_api(client, params)["items"]) == 15

    assert len(fifteen) == len(three), "\n".join(query["sql"] for query in fifteen.captured_queries)
