"""The catalogue as a LHEO 2.3 document: the format regional training catalogues (Carif-Oref) and France Travail
exchange. See docs/lheo.md for the mapping, element by element, and what is left out and why.

One `formation` per live, public formation that has at least one session open for applications; one `action` per
group of its open sessions sharing the same conditions (rhythm, price, place); one `session` per open session.
Written element by element with lxml's incremental writer, in a constant number of queries.
"""

import re
from io import BytesIO
from itertools import groupby

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from lxml import etree

from formations.enums import EntryLevel, FeeKind, Format, Repertoire, Schedule
from formations.models import FormationPage, Session
from home.money import cents_to_euros_text

NAMESPACE = "http://lheo.gouv.fr/2.3"
CONTENT_TYPE = "application/xml; charset=utf-8"

# dict-niveaux: 1 "sans niveau spécifique", 13 to 15 the levels 3 to 5 of the national framework.
ENTRY_LEVELS = {EntryLevel.NONE: "1", EntryLevel.LEVEL_3: "13", EntryLevel.LEVEL_4: "14", EntryLevel.LEVEL_5: "15"}
# dict-modalites-enseignement: 0 entirely on site, 1 mixed, 2 entirely at a distance.
TEACHING_MODES = {Format.ON_SITE: "0", Format.HYBRID: "1", Format.REMOTE: "2"}
# dict-AIS (objectif général): 6 certification, 7 professionnalisation.
GOAL_CERTIFICATION, GOAL_PROFESSIONAL = "6", "7"
PATHWAY_GROUP = "1"  # dict-type-parcours: en groupe
FIXED_DATES = "0"  # dict-modalites-es: entrées/sorties à dates fixes
RECRUITMENT_OPEN = "1"  # dict-etat-recrutement: ouvert
CONTACT_RECEPTION, CONTACT_DISABILITY = "4", "1"  # dict-type-contact: accueil, référent handicap
NOT_STATED = "-"  # what LHEO producers write in a mandatory text the offer does not say

VENUE_ADDRESS = re.compile(r"^(?P<street>.+?),?\s+(?P<postcode>\d{5})\s+(?P<city>.+)$")


def live_formations(today=None):
    """The formations the feed lists, each with its open sessions, campus, domain, certification and jobs."""
    today = today or timezone.localdate()
    # Partner catalogues list places on offer: a full session, open only to its waitlist, is left out.
    open_sessions = Session.objects.open_for_applications(today).with_seats_left().order_by("start_date", "pk")
    formations = (
        FormationPage.objects.live()
        .public()
        .filter(Exists(open_sessions.filter(formation=OuterRef("pk"))))
        .select_related("domain", "certification")
        .prefetch_related("target_jobs", Prefetch("sessions", queryset=open_sessions, to_attr="open_sessions"))
        .order_by("path")
    )
    return FormationPage.attach_campuses(formations)


def write_feed(output, today=None):
    """Write the whole LHEO document to a binary file-like object (a file, an HttpResponse)."""
    formations = live_formations(today)
    organisation = settings.LHEO_ORGANISATION
    with etree.xmlfile(output, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(_tag("lheo"), nsmap={None: NAMESPACE}), xml.element(_tag("offres")):
            for formation in formations:
                xml.write(formation_element(formation, organisation), pretty_print=True)


def feed_bytes(today=None):
    buffer = BytesIO()
    write_feed(buffer, today)
    return buffer.getvalue()


# --- Elements -----------------------------------------------------------------------------------


def _tag(name):
    return f"{{{NAMESPACE}}}{name}"


def _sub(parent, name, text=None, **attributes):
    element = etree.SubElement(parent, _tag(name), attributes)
    if text is not None:
        element.text = str(text)
    return element


def _clip(text, length):
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _text_or_dash(text, length):
    text = _clip(text, length)
    return text or NOT_STATED


def _date(day):
    return day.strftime("%Y%m%d")


def absolute(path):
    return f"{settings.PUBLIC_BASE_URL}{path}"


def page_url(page):
    """A page's address on the public site, built on PUBLIC_BASE_URL whatever the Site's hostname."""
    parts = page.get_url_parts()
    return absolute(parts[2] if parts else "/")


def formation_element(formation, organisation):
    campus = formation.campus
    attributes = {"numero": f"formation-{formation.pk}"}
    if formation.first_published_at:
        attributes["datecrea"] = _date(formation.first_published_at)
    if formation.last_published_at:
        attributes["datemaj"] = _date(formation.last_published_at)
    element = etree.Element(_tag("formation"), attributes, nsmap={None: NAMESPACE})

    domain = _sub(element, "domaine-formation")
    if formation.domain:
        _sub(domain, "code-FORMACODE", formation.domain.formacode)
    for job in sorted(formation.target_jobs.all(), key=lambda job: job.code)[:5]:  # LHEO takes five ROME codes
        _sub(domain, "code-ROME", job.code)

    certification = formation.certification
    _sub(element, "intitule-formation", _clip(formation.title, 255))
    _sub(element, "objectif-formation", _text_or_dash(formation.summary, 3000))
    _sub(element, "resultats-attendus", _expected_results(certification))
    _sub(element, "contenu-formation", _text_or_dash(programme_text(formation), 3000))
    _sub(element, "certifiante", "1" if certification else "0")
    _contact(element, "contact-formation", CONTACT_RECEPTION, campus_coordinates(campus))
    if formation.accessibility_referent_email or formation.accessibility_referent_phone:
        _contact(element, "contact-formation", CONTACT_DISABILITY, referent_coordinates(formation))
    _sub(element, "parcours-de-formation", PATHWAY_GROUP)
    _sub(element, "code-niveau-entree", ENTRY_LEVELS[formation.entry_level])
    _sub(element, "objectif-general-formation", GOAL_CERTIFICATION if certification else GOAL_PROFESSIONAL)
    if certification:
        codes = _sub(element, "certification")
        number = certification.code.removeprefix(certification.repertoire)
        _sub(codes, "code-RNCP" if certification.repertoire == Repertoire.RNCP else "code-RS", number)
        if certification.level:
            _sub(element, "code-niveau-sortie", str(10 + certification.level))
    url = _sub(element, "url-formation")
    _sub(url, "urlweb", page_url(formation))

    for sessions in actions_of(formation.open_sessions):
        action_element(element, formation, campus, sessions)

    organisation_element(element, organisation)
    return element


def actions_of(sessions):
    """The sessions grouped by conditions, each group in date order, the group starting first first."""
    groups = [list(group) for _key, group in groupby(sorted(sessions, key=_conditions_key), key=_conditions_key)]
    for group in groups:
        group.sort(key=lambda session: (session.start_date, session.pk))
    return sorted(groups, key=lambda group: (group[0].start_date, group[0].pk))


def _conditions_key(session):
    """What an LHEO action holds for all its sessions: the rhythm, the price and the place."""
    return (session.schedule, session.schedule_details, session.fee_kind, session.price_cents, session.venue_address)


def _expected_results(certification):
    if certification is None:
        return NOT_STATED
    text = f"{certification.title} ({certification.code})"
    if certification.level:
        text += f", {certification.get_level_display()}"
    return _clip(text, 3000)


def programme_text(formation):
    """The programme's modules, in words: "title (n h) : what one learns", one after the other."""
    parts = []
    for block in formation.body:
        if block.block_type != "module":
            continue
        module = block.value
        heading = module["title"]
        if module.get("hours"):
            heading += f" ({module['hours']} h)"
        description = strip_tags(getattr(module["description"], "source", "") or "")
        parts.append(f"{heading} : {description}" if description.strip() else heading)
    return " ; ".join(parts)


def action_element(parent, formation, campus, sessions):
    first = sessions[0]
    action = _sub(parent, "action", numero=f"action-{formation.pk}-{first.pk}")
    rhythm = Schedule(first.schedule).label
    if first.schedule_details:
        rhythm = f"{rhythm} : {first.schedule_details}"
    _sub(action, "rythme-formation", _clip(rhythm, 3000))
    for code in settings.LHEO_TARGET_PUBLIC_CODES[:10]:
        _sub(action, "code-public-vise", code)
    _sub(action, "niveau-entree-obligatoire", "0" if formation.entry_level == EntryLevel.NONE else "1")
    _sub(action, "modalites-alternance", NOT_STATED)
    _sub(action, "modalites-enseignement", TEACHING_MODES[formation.format])
    _sub(action, "conditions-specifiques", _text_or_dash(formation.prerequisites, 3000))
    _sub(action, "prise-en-charge-frais-possible", "0")
    place = venue_address(first.venue_address) if first.venue_address else campus_address(campus)
    if place is not None:
        coordinates = _sub(_sub(action, "lieu-de-formation"), "coordonnees")
        coordinates.append(place)
    _sub(action, "modalites-entrees-sorties", FIXED_DATES)
    url = _sub(action, "url-action")
    _sub(url, "urlweb", page_url(formation))
    for session in sessions:
        session_element(action, session, campus)
    information = _sub(action, "adresse-information")
    information.append(campus_address(campus))
    if campus.accessibility:
        _sub(action, "acces-handicapes", _clip(strip_tags(campus.accessibility), 250))
    _sub(action, "langue-formation", "FR")
    if first.fee_kind == FeeKind.DEPOSIT and first.price_cents:
        _sub(
            action,
            "frais-restants",
            _clip(f"Caution de {cents_to_euros_text(first.price_cents)} €, rendue après la formation", 200),
        )
    if first.fee_kind == FeeKind.FEE:
        _sub(action, "prix-total-TTC", f"{first.price_cents / 100:.2f}")
    _sub(action, "duree-indicative", f"{formation.duration_hours} heures")
    _sub(action, "nombre-heures-total", str(formation.duration_hours))


def session_element(action, session, campus):
    element = _sub(action, "session", numero=f"session-{session.pk}")
    period = _sub(element, "periode")
    _sub(period, "debut", _date(session.start_date))
    _sub(period, "fin", _date(session.end_date))
    registration = _sub(element, "adresse-inscription")
    registration.append(campus_address(campus))
    _sub(element, "modalites-inscription", "Candidature en ligne, sur la page de la session.")
    registration_period = _sub(_sub(element, "periode-inscription"), "periode")
    _sub(registration_period, "debut", _date(timezone.localtime(session.created_at).date()))
    _sub(registration_period, "fin", _date(session.application_deadline))
    _sub(element, "etat-recrutement", RECRUITMENT_OPEN)
    url = _sub(element, "url-session")
    _sub(url, "urlweb", absolute(reverse("inscriptions:postuler", args=[session.pk])))
    return element


def organisation_element(parent, organisation):
    element = _sub(parent, "organisme-formation-responsable")
    _sub(element, "numero-activite", organisation["numero_activite"])
    siret = _sub(element, "SIRET-organisme-formation")
    _sub(siret, "SIRET", organisation["siret"])
    _sub(element, "nom-organisme", _clip(organisation["name"], 250))
    _sub(element, "raison-sociale", _clip(organisation["legal_name"] or organisation["name"], 250))
    coordinates = _sub(_sub(element, "coordonnees-organisme"), "coordonnees")
    web = _sub(coordinates, "web")
    _sub(web, "urlweb", absolute("/"))
    contact = _sub(_sub(element, "contact-organisme"), "coordonnees")
    _email(contact, organisation["email"])
    web = _sub(contact, "web")
    _sub(web, "urlweb", absolute("/"))


def _email(coordinates, address):
    """An e-mail address, left out when LHEO cannot hold it whole (160 characters): cut, it would be wrong."""
    if address and len(address) <= 160:
        _sub(coordinates, "courriel", address)


def _contact(parent, name, kind, coordinates):
    contact = _sub(parent, name)
    _sub(contact, "type-contact", kind)
    contact.append(coordinates)


def _address_lines(street):
    """A street address in lines of at most 50 characters (LHEO allows four)."""
    words, lines, line = street.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if len(candidate) <= 50:
            line = candidate
        else:
            lines.append(line or word[:50])
            line = "" if not line else word[:50]
    if line:
        lines.append(line)
    return lines[:4] or [NOT_STATED]


def _address(street, postcode, city, insee_code="", latitude=None, longitude=None):
    address = etree.Element(_tag("adresse"))
    for line in _address_lines(street):
        _sub(address, "ligne", line)
    _sub(address, "codepostal", postcode)
    _sub(address, "ville", _clip(city, 50))
    _sub(address, "departement", postcode[:3] if postcode.startswith("97") else postcode[:2])
    if insee_code:
        _sub(address, "code-INSEE-commune", insee_code)
    _sub(address, "pays", "FR")
    if latitude is not None and longitude is not None:
        geo = _sub(address, "geolocalisation")
        _sub(geo, "latitude", f"{latitude:f}")
        _sub(geo, "longitude", f"{longitude:f}")
    return address


def campus_address(campus):
    return _address(
        campus.street_address, campus.postcode, campus.commune, campus.insee_code, campus.latitude, campus.longitude
    )


def venue_address(text):
    """A session's own place, "5 rue Réaumur, 93300 Aubervilliers"; None when it does not read as an address."""
    match = VENUE_ADDRESS.match(" ".join(text.split()))
    if match is None:
        return None
    return _address(match["street"], match["postcode"], match["city"])


def campus_coordinates(campus):
    coordinates = etree.Element(_tag("coordonnees"))
    _sub(coordinates, "nom", _clip(campus.title, 50))
    coordinates.append(campus_address(campus))
    if campus.phone:
        _sub(_sub(coordinates, "telfixe"), "numtel", _clip(campus.phone, 25))
    _email(coordinates, campus.email)
    _sub(_sub(coordinates, "web"), "urlweb", page_url(campus))
    return coordinates


def referent_coordinates(formation):
    coordinates = etree.Element(_tag("coordonnees"))
    if formation.accessibility_referent_name:
        _sub(coordinates, "nom", _clip(formation.accessibility_referent_name, 50))
    if formation.accessibility_referent_phone:
        _sub(_sub(coordinates, "telfixe"), "numtel", _clip(formation.accessibility_referent_phone, 25))
    _email(coordinates, formation.accessibility_referent_email)
    return coordinates
