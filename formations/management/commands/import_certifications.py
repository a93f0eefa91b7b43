import datetime
from collections import defaultdict
from pathlib import Path

from django.core.management import BaseCommand, CommandError
from django.utils.translation import gettext as _
from lxml import etree

from formations.enums import Repertoire
from formations.models import Certification, RomeCode
from home.reference_imports import check, fail, save_all

# Where each model field comes from in a <FICHE>, to name it in error messages.
SOURCE_TAGS = {
    "code": "NUMERO_FICHE",
    "repertoire": "NUMERO_FICHE",
    "url": "NUMERO_FICHE",
    "title": "INTITULE",
    "level": "NIVEAU",
    "active": "ACTIF",
    "certifiers": "CERTIFICATEURS",
    "registration_end": "DATE_FIN_ENREGISTREMENT",
}


def read_fiches(path):
    """Yield the <FICHE> elements one by one: the full export weighs hundreds of megabytes."""
    # No DTD, no entity expansion, no network: the file comes from outside.
    fiches = etree.iterparse(str(path), tag="FICHE", resolve_entities=False, no_network=True, load_dtd=False)
    for _event, fiche in fiches:
        yield fiche
        fiche.clear(keep_tail=True)
        while fiche.getprevious() is not None:
            del fiche.getparent()[0]


def parse_fiche(fiche):
    """Return an unsaved certification, its ROME codes, and the problems found as (tag, message) pairs."""
    code = fiche.findtext("NUMERO_FICHE", "").strip()
    level = fiche.findtext("NOMENCLATURE_EUROPE/NIVEAU")
    active = fiche.findtext("ACTIF", "").strip()
    certification = Certification(
        code=code,
        repertoire=Repertoire.RS if code.startswith(Repertoire.RS) else Repertoire.RNCP,
        title=fiche.findtext("INTITULE", "").strip(),
        # "NIV5" -> "5"; the model field rejects anything but levels 3 to 8.
        level=(level or "").strip().removeprefix("NIV") or None,
        active={"Oui": True, "Non": False}.get(active, active),
        certifiers="\n".join(
            name.strip() for name in fiche.xpath("CERTIFICATEURS/CERTIFICATEUR/NOM_CERTIFICATEUR/text()")
        ),
    )
    # The export's LIEN_URL_DESCRIPTION is free text (several links, or none): point to the official page instead.
    certification.url = certification.official_url
    problems = []
    if end := fiche.findtext("DATE_FIN_ENREGISTREMENT", "").strip():
        try:
            certification.registration_end = datetime.datetime.strptime(end, "%d/%m/%Y").date()
        except ValueError:
            message = _("« %(value)s » n'est pas une date JJ/MM/AAAA.") % {"value": end}
            problems.append(("DATE_FIN_ENREGISTREMENT", message))
    problems += [(SOURCE_TAGS.get(field, field), message) for field, message in check(certification)]
    rome_codes = [rome.strip() for rome in fiche.xpath("CODES_ROME/ROME/CODE/text()")]
    return certification, rome_codes, problems


class Command(BaseCommand):
    help = (
        "Importe les certifications RNCP ou RS depuis un export XML de France compétences (flux V4.1) ; "
        "tout ou rien. Les codes ROME sont reliés s'ils sont déjà importés."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="Chemin du fichier XML.")

    def handle(self, path, **options):
        known_romes = dict(RomeCode.objects.values_list("code", "pk"))
        certifications, links, errors, first_seen = [], {}, [], {}
        unknown_romes = defaultdict(list)
        try:
            for number, fiche in enumerate(read_fiches(path), start=1):
                certification, rome_codes, problems = parse_fiche(fiche)
                code = certification.code
                where = _("fiche %(number)d (%(code)s)") % {"number": number, "code": code or "?"}
                if code and code in first_seen:
                    problems.append(("NUMERO_FICHE", _("déjà vue fiche %(number)d.") % {"number": first_seen[code]}))
                first_seen.setdefault(code, number)
                errors += [
                    _("%(where)s, champ %(tag)s : %(message)s") % {"where": where, "tag": tag, "message": message}
                    for tag, message in problems
                ]
                for rome in rome_codes:
                    if rome not in known_romes:
                        unknown_romes[rome].append(code)
                links[code] = {known_romes[rome] for rome in rome_codes if rome in known_romes}
                certifications.append(certification)
        except OSError as error:
            message = _("Impossible de lire %(path)s : %(error)s") % {"path": path, "error": error.strerror}
            raise CommandError(message) from error
        except etree.XMLSyntaxError as error:
            raise CommandError(
                _("%(path)s n'est pas un fichier XML valide, rien n'a été enregistré : %(error)s")
                % {"path": path, "error": error}
            ) from error
        if not certifications:
            raise CommandError(_("Aucune fiche <FICHE> dans %(path)s.") % {"path": path})
        if errors:
            fail(errors)

        result = save_all(Certification, certifications, key="code", m2m={"rome_codes": links})
        if options["verbosity"]:
            if unknown_romes:
                unknown = "; ".join(f"{rome} ({', '.join(codes)})" for rome, codes in sorted(unknown_romes.items()))
                warning = _("Codes ROME inconnus, non reliés : %(codes)s.") % {"codes": unknown}
                self.stderr.write(self.style.WARNING(warning))
            self.stdout.write(result.summary(_("certifications"), feminine=True))
