"""Staff import of funding agreements (conventions) with their targets, creating the funders named if missing.

An agreement is known by its reference. Staff may only import agreements that cover nothing but their campuses.
"""

from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campus.models import CampusPage
from campus.permissions import campuses_of
from financeurs.enums import FunderKind, IndicatorCode
from financeurs.models import Agreement, Funder, IndicatorTarget
from formations.models import FormationPage
from home.reference_imports import BATCH_SIZE
from transferts.importers import Column, Importer, RowError
from transferts.parsers import (
    as_text,
    choice,
    decimal_number,
    normalise,
    parse_bool,
    parse_date,
    parse_positive_integer,
    text,
)

SEPARATOR = "|"


def names_list(value):
    return [name.strip() for name in as_text(value).split(SEPARATOR) if name.strip()]


def target_columns():
    return tuple(
        Column(
            f"objectif {code}",
            f"target:{code}",
            decimal_number(),
            required=False,
            help=format_lazy(
                gettext_lazy("Objectif « {label} » (en %, en nombre de personnes ou en €) ; facultatif."), label=label
            ),
        )
        for code, label in IndicatorCode.choices
    )


class AgreementImport(Importer):
    kind = "conventions"
    label = gettext_lazy("Conventions de financement")
    noun = gettext_lazy("conventions")
    permission = "financeurs.add_agreement"
    needs_campus = False
    target_codes = IndicatorCode.choices
    help_text = gettext_lazy(
        "Une ligne par convention, reconnue à sa référence : la réimporter la met à jour. Le financeur est créé "
        "s'il n'existe pas encore. Les objectifs vont dans des colonnes « objectif <code> », une par indicateur."
    )
    columns = (
        Column("référence", "reference", text(60), aliases=("reference de la convention", "n° de convention")),
        Column("financeur", "funder", text(200)),
        Column(
            "type de financeur",
            "funder_kind",
            choice(FunderKind, aliases={"etat": FunderKind.STATE, "fse": FunderKind.ESF_PLUS}),
            help=gettext_lazy("« Région », « État », « FSE+ », « Département », « Commune », « Fondation »…"),
        ),
        Column("intitulé", "title", text(200)),
        Column("début", "start_date", parse_date, help=gettext_lazy("jj/mm/aaaa.")),
        Column("fin", "end_date", parse_date, help=gettext_lazy("jj/mm/aaaa.")),
        Column(
            "montant (€)",
            "amount",
            decimal_number(),
            help=gettext_lazy("Par exemple « 120 000,00 »."),
        ),
        Column("places financées", "seats_funded", parse_positive_integer, aliases=("places",)),
        Column(
            "campus",
            "campuses",
            names_list,
            help=gettext_lazy("Le nom des campus couverts, séparés par « | »."),
        ),
        Column(
            "formations",
            "formations",
            names_list,
            required=False,
            default=(),
            help=gettext_lazy("Séparées par « | » ; vide si la convention couvre toutes les formations des campus."),
        ),
        Column(
            "données nominatives",
            "requires_named_data",
            parse_bool,
            required=False,
            default=False,
            help=gettext_lazy("« oui » si le financeur exige les noms des participant·es ; « non » si vide."),
        ),
        *target_columns(),
    )
    compared = ("funder_id", "title", "start_date", "end_date", "amount", "seats_funded", "requires_named_data")

    @classmethod
    def template_columns(cls):
        # The template shows the two targets most asked for; the others are listed in the help.
        return [
            column
            for column in cls.columns
            if not column.key.startswith("target:")
            or column.key in {"target:sorties_positives_6_mois", "target:part_femmes"}
        ]

    def build(self, records, plan):
        errors = plan.errors
        records = self.check_duplicates(records, lambda record: record["reference"], "référence", errors)
        user = self.user
        campuses = list(CampusPage.objects.values_list("pk", "title", "slug", "path"))
        own_campuses = None if user.is_superuser else set(campuses_of(user).values_list("pk", flat=True))
        campus_by_name = {}
        for row in campuses:
            campus_by_name.setdefault(normalise(row[1]), row)
            campus_by_name.setdefault(normalise(row[2]), row)
        formations = list(FormationPage.objects.values_list("pk", "title", "slug", "path"))
        funders = {normalise(funder.name): funder for funder in Funder.objects.all()}
        references = [record["reference"] for _line, record in records]
        existing = {
            agreement.reference: agreement
            for agreement in Agreement.objects.filter(reference__in=references).prefetch_related(
                "campuses", "formations", "targets"
            )
        }

        def is_own(campus_pk):
            return own_campuses is None or campus_pk in own_campuses

        new_funders = {}
        for line, record in records:
            valid = True
            if record["end_date"] < record["start_date"]:
                errors.append(RowError(line, "fin", _("la fin de la période doit venir après son début.")))
                valid = False
            campus_rows = []
            for name in record["campuses"]:
                row = campus_by_name.get(normalise(name))
                if row is None:
                    errors.append(RowError(line, "campus", _("aucun campus « %(name)s ».") % {"name": name}))
                    valid = False
                elif not is_own(row[0]):
                    errors.append(
                        RowError(
                            line,
                            "campus",
                            _("vous ne faites pas partie de l'équipe du campus « %(name)s ».") % {"name": name},
                        )
                    )
                    valid = False
                else:
                    campus_rows.append(row)
            if not record["campuses"]:
                errors.append(RowError(line, "campus", _("cette valeur est obligatoire.")))
                valid = False
            formation_ids = []
            for name in record["formations"]:
                wanted = normalise(name)
                found = next(
                    (
                        formation[0]
                        for formation in formations
                        if wanted in (normalise(formation[1]), normalise(formation[2]))
                        and any(formation[3].startswith(campus[3]) for campus in campus_rows)
                    ),
                    None,
                )
                if found is None:
                    errors.append(
                        RowError(
                            line,
                            "formations",
                            _("aucune formation « %(name)s » dans les campus de la convention.") % {"name": name},
                        )
                    )
                    valid = False
                else:
                    formation_ids.append(found)
            current = existing.get(record["reference"])
            current_campuses = list(current.campuses.all()) if current is not None else []
            # An agreement with no campus yet belongs to no team: only a superuser may take it over.
            if current is not None and (
                not (current_campuses or own_campuses is None)
                or not all(is_own(campus.pk) for campus in current_campuses)
            ):
                # One message whoever holds the reference, and nothing of what it says: another campus's agreement
                # must not be told apart from a shared one or an unassigned one, nor be read through the import.
                errors.append(
                    RowError(
                        line,
                        "référence",
                        _(
                            "vous ne pouvez pas utiliser la référence « %(reference)s » : vérifiez-la, ou demandez à "
                            "un super-administrateur."
                        )
                        % {"reference": record["reference"]},
                    )
                )
                valid = False
            if not valid:
                continue

            funder_key = normalise(record["funder"])
            funder = funders.get(funder_key) or new_funders.get(funder_key)
            if funder is None:
                funder = new_funders[funder_key] = Funder(name=record["funder"], kind=record["funder_kind"])
            targets = {
                column.key.removeprefix("target:"): record[column.key]
                for column in self.columns
                if column.key.startswith("target:") and record[column.key] is not None
            }
            values = {
                "title": record["title"],
                "start_date": record["start_date"],
                "end_date": record["end_date"],
                "amount": record["amount"],
                "seats_funded": record["seats_funded"],
                "requires_named_data": record["requires_named_data"],
            }
            links = {
                "campuses": {row[0] for row in campus_rows},
                "formations": set(formation_ids),
                "targets": targets,
            }
            if current is None:
                agreement = Agreement(reference=record["reference"], **values)
                agreement.import_funder, agreement.import_links = funder, links
                plan.to_create.append(agreement)
                plan.actions[line] = "create"
                continue
            current_links = {
                "campuses": {campus.pk for campus in current.campuses.all()},
                "formations": {formation.pk for formation in current.formations.all()},
                "targets": {target.indicator: target.value for target in current.targets.all()},
            }
            changed = (
                any(getattr(current, name) != value for name, value in values.items())
                or current.funder_id != funder.pk
                or current_links != links
            )
            if changed:
                for name, value in values.items():
                    setattr(current, name, value)
                current.import_funder, current.import_links = funder, links
                plan.to_update.append(current)
                plan.actions[line] = "update"
            else:
                plan.unchanged += 1
                plan.actions[line] = "unchanged"
        plan.extra["new_funders"] = sorted(funder.name for funder in new_funders.values())

    def write(self, plan):
        agreements = plan.to_create + plan.to_update
        new_funders = {id(agreement.import_funder): agreement.import_funder for agreement in agreements}
        Funder.objects.bulk_create([funder for funder in new_funders.values() if funder.pk is None])
        for agreement in agreements:
            agreement.funder = agreement.import_funder
        Agreement.objects.bulk_create(plan.to_create, batch_size=BATCH_SIZE)
        if not all(agreement.pk for agreement in plan.to_create):
            # Backends that do not return the new keys (none we use today): read them back.
            pks = dict(
                Agreement.objects.filter(reference__in=[a.reference for a in plan.to_create]).values_list(
                    "reference", "pk"
                )
            )
            for agreement in plan.to_create:
                agreement.pk = pks[agreement.reference]
        Agreement.objects.bulk_update(plan.to_update, ["funder", *self.compared[1:]], batch_size=BATCH_SIZE)

        pks = [agreement.pk for agreement in agreements]
        campuses_through, formations_through = Agreement.campuses.through, Agreement.formations.through
        campuses_through.objects.filter(agreement_id__in=pks).delete()
        formations_through.objects.filter(agreement_id__in=pks).delete()
        IndicatorTarget.objects.filter(agreement_id__in=pks).delete()
        campuses_through.objects.bulk_create(
            campuses_through(agreement_id=agreement.pk, campuspage_id=campus)
            for agreement in agreements
            for campus in agreement.import_links["campuses"]
        )
        formations_through.objects.bulk_create(
            formations_through(agreement_id=agreement.pk, formationpage_id=formation)
            for agreement in agreements
            for formation in agreement.import_links["formations"]
        )
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(agreement_id=agreement.pk, indicator=indicator, value=value)
            for agreement in agreements
            for indicator, value in agreement.import_links["targets"].items()
        )
        # The file has no sessions column: sessions chosen in the admin stay, unless they no longer fall within
        # the agreement's new campuses or formations (they would then match nothing and zero every figure).
        sessions_through = Agreement.sessions.through
        for agreement in plan.to_update:
            links = agreement.import_links
            outside = ~Q(session__campus_id__in=links["campuses"])
            if links["formations"]:
                outside |= ~Q(session__formation_id__in=links["formations"])
            sessions_through.objects.filter(outside, agreement_id=agreement.pk).delete()
