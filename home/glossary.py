"""The words a 17-year-old trips on, explained once: the glossary page lists them, templates point to them.

Each entry has an anchor (`/glossaire/#rncp`) that pages link to where the word appears, and, for a code or an
abbreviation, the words it stands for (the `<abbr>` title).
"""

import re
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Term:
    slug: str  # the anchor on the glossary page: /glossaire/#slug
    term: str  # the word as a learner reads it
    definition: str  # one short plain sentence (or two)
    abbreviation: str = ""
    expansion: str = ""  # what the abbreviation stands for
    url: str = ""  # an official page that says more
    url_label: str = ""

    @property
    def anchor_url(self):
        return f"{reverse('glossary')}#{self.slug}"


# In the order of the page: alphabetical, as a learner looks a word up.
TERMS = (
    Term(
        slug="alternance",
        term=_("Alternance"),
        definition=_(
            "Se former en alternant les périodes au centre de formation et en entreprise, avec un contrat de "
            "travail et un salaire (contrat d’apprentissage ou de professionnalisation)."
        ),
        url="https://www.alternance.emploi.gouv.fr/",
        url_label=_("Le portail de l’alternance"),
    ),
    Term(
        slug="cdd",
        term=_("CDD"),
        abbreviation="CDD",
        expansion=_("contrat à durée déterminée"),
        definition=_("Un contrat de travail qui a une date de fin, prévue dès la signature."),
    ),
    Term(
        slug="cdi",
        term=_("CDI"),
        abbreviation="CDI",
        expansion=_("contrat à durée indéterminée"),
        definition=_("Un contrat de travail sans date de fin : l’emploi stable."),
    ),
    Term(
        slug="cpf",
        term=_("CPF"),
        abbreviation="CPF",
        expansion=_("compte personnel de formation"),
        definition=_(
            "Un compte en euros, ouvert à toute personne qui a travaillé, pour payer une formation qui mène à une "
            "certification reconnue par l’État."
        ),
        url="https://www.moncompteformation.gouv.fr/",
        url_label=_("Mon compte formation"),
    ),
    Term(
        slug="fse",
        term=_("Fonds social européen"),
        abbreviation="FSE",
        expansion=_("Fonds social européen"),
        definition=_(
            "Un fonds de l’Union européenne qui paie des formations. Il demande des chiffres anonymes sur les "
            "personnes formées."
        ),
    ),
    Term(
        slug="formacode",
        term=_("Formacode"),
        definition=_("Un code de 5 chiffres qui range les formations par domaine, par exemple l’informatique."),
        url="https://formacode.centre-inffo.fr/",
        url_label=_("Le Formacode, sur le site de Centre Inffo"),
    ),
    Term(
        slug="interim",
        term=_("Intérim"),
        definition=_(
            "Travailler par missions, souvent courtes, dans différentes entreprises : c’est l’agence d’intérim qui "
            "vous paie."
        ),
    ),
    Term(
        slug="niveau",
        term=_("Niveau de certification"),
        definition=_(
            "Le niveau d’un diplôme ou d’un titre, de 1 à 8 : niveau 3 = CAP ou BEP, niveau 4 = bac, "
            "niveau 5 = bac+2, niveau 6 = bac+3 ou bac+4, niveau 7 = bac+5, niveau 8 = doctorat."
        ),
    ),
    Term(
        slug="qpv",
        term=_("QPV"),
        abbreviation="QPV",
        expansion=_("quartier prioritaire de la politique de la ville"),
        definition=_(
            "Un quartier où l’État et la commune aident davantage les habitants : emploi, formation, logement. "
            "Certaines formations et aides sont réservées à ceux qui y habitent."
        ),
        url="https://sig.ville.gouv.fr/",
        url_label=_("Trouver si une adresse est dans un QPV"),
    ),
    Term(
        slug="rncp",
        term=_("RNCP"),
        abbreviation="RNCP",
        expansion=_("Répertoire national des certifications professionnelles"),
        definition=_(
            "La liste officielle des diplômes et titres professionnels reconnus par l’État. Chacun y a un numéro, "
            "par exemple RNCP37674, et un niveau."
        ),
        url="https://www.francecompetences.fr/",
        url_label=_("France compétences"),
    ),
    Term(
        slug="rome",
        term=_("ROME"),
        abbreviation="ROME",
        expansion=_("Répertoire opérationnel des métiers et des emplois"),
        definition=_(
            "La liste des métiers de France Travail. Chaque métier y a un code, par exemple M1805 : il sert à "
            "chercher les offres d’emploi de ce métier."
        ),
    ),
    Term(
        slug="rqth",
        term=_("RQTH"),
        abbreviation="RQTH",
        expansion=_("reconnaissance de la qualité de travailleur handicapé"),
        definition=_(
            "Une décision de la MDPH (maison départementale des personnes handicapées) qui reconnaît un handicap "
            "ou un problème de santé au travail. Elle ouvre des aides et des aménagements pour se former et "
            "travailler."
        ),
        url="https://www.service-public.fr/particuliers/vosdroits/F1650",
        url_label=_("La RQTH sur service-public.fr"),
    ),
    Term(
        slug="rs",
        term=_("RS"),
        abbreviation="RS",
        expansion=_("Répertoire spécifique"),
        definition=_(
            "La liste officielle des certifications courtes reconnues par l’État : une compétence précise, sans "
            "niveau. Chacune y a un numéro, par exemple RS5568."
        ),
        url="https://www.francecompetences.fr/",
        url_label=_("France compétences"),
    ),
    Term(
        slug="lieu",
        term=_("Sur place, à distance, les deux"),
        definition=_(
            "Où se passe la formation. Sur place : au campus. À distance : de chez vous, sur un ordinateur. "
            "Les deux : une partie au campus, une partie à distance."
        ),
    ),
    Term(
        slug="tpe-pme",
        term=_("TPE, PME"),
        abbreviation="TPE/PME",
        expansion=_("très petite entreprise, petite ou moyenne entreprise"),
        definition=_("Une TPE compte moins de 10 salariés, une PME moins de 250."),
    ),
)

BY_SLUG = {term.slug: term for term in TERMS}
BY_ABBREVIATION = {term.abbreviation: term for term in TERMS if term.abbreviation}
CODE = re.compile(r"^([A-Z]+)(.*)$")


def term(slug):
    """The entry of that anchor; a wrong slug in a template fails loudly rather than linking nowhere."""
    return BY_SLUG[slug]


def split_code(code):
    """A code's glossary entry and the rest: "RNCP37674" → (the RNCP entry, "37674"); (None, code) if unknown."""
    match = CODE.match(code or "")
    if match and match[1] in BY_ABBREVIATION:
        return BY_ABBREVIATION[match[1]], match[2]
    return None, code


def explained(text, slug):
    """A form's help text followed by a link to the entry, for a question that names a code (QPV, RQTH…)."""
    entry = term(slug)
    label = gettext("%(term)s : ce que cela veut dire") % {"term": entry.abbreviation or entry.term}
    return format_html('{} <a href="{}">{}</a>', text, entry.anchor_url, label)
