"""The funders' portal: each funder's accounts see their own agreements, and nothing else."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from financeurs.enums import IndicatorCode
from financeurs.forms import PeriodForm, period_query
from financeurs.indicators import compute
from financeurs.models import Agreement
from financeurs.templatetags.financeurs_charts import Chart

FILE_FORMATS = [
    ("csv", _lazy("CSV")),
    ("xlsx", _lazy("Excel (XLSX)")),
    ("ods", _lazy("OpenDocument (ODS)")),
    ("json", _lazy("JSON")),
]
GROUP_TITLES = {
    "parcours": _lazy("Parcours des personnes"),
    "profil": _lazy("Profil des personnes entrées en formation"),
    "resultats": _lazy("Résultats à la sortie et à 6 mois"),
    "cout": _lazy("Coût"),
}
FUNNEL = [
    IndicatorCode.APPLICANTS,
    IndicatorCode.ADMITTED,
    IndicatorCode.STARTED,
    IndicatorCode.COMPLETED,
    IndicatorCode.CERTIFIED,
]
PROFILE = [
    IndicatorCode.WOMEN,
    IndicatorCode.QPV,
    IndicatorCode.UNDER_26,
    IndicatorCode.NO_BACCALAUREATE,
    IndicatorCode.RQTH,
]
# An outcome rate means little without its response rate: each is read right beside the other.
RESPONSE_RATE_OF = {
    IndicatorCode.POSITIVE_EXIT: IndicatorCode.RESPONSE_RATE_EXIT,
    IndicatorCode.POSITIVE_6_MONTHS: IndicatorCode.RESPONSE_RATE_6_MONTHS,
}
OUTCOMES = [code for pair in RESPONSE_RATE_OF.items() for code in pair]


def is_portal_user(user):
    return user.is_superuser or user.funders.exists()


def not_a_funder(request):
    return render(request, "financeurs/not_a_funder.html", status=403)


@login_required
def index(request):
    if not is_portal_user(request.user):
        return not_a_funder(request)
    agreements = (
        Agreement.objects.readable_on_portal(request.user)
        .select_related("funder")
        .prefetch_related("campuses")
        .order_by("funder__name", "-start_date", "reference")
    )
    return render(request, "financeurs/index.html", {"agreements": agreements})


@login_required
def agreement_dashboard(request, pk):
    agreement = (
        Agreement.objects.readable_on_portal(request.user)
        .select_related("funder")
        .prefetch_related("campuses", "formations", "sessions__formation")
        .filter(pk=pk)
        .first()
    )
    if agreement is None:
        # Another funder's agreement does not exist for this account; an account of no funder is told why.
        if not is_portal_user(request.user):
            return not_a_funder(request)
        raise Http404
    form = PeriodForm(agreement=agreement, data=request.GET)
    period = form.period
    report = compute(agreement, period)
    return render(
        request,
        "financeurs/agreement.html",
        {
            "agreement": agreement,
            "form": form,
            "period": period,
            "choices": form.quick_choices(),
            "report": report,
            "tables": indicator_tables(report),
            "charts": charts(report),
            "downloads": downloads(agreement, period),
            "participant_file_k": settings.PARTICIPANT_FILE_K,
        },
    )


def indicator_tables(report):
    """The indicators by group, in the report's order, each outcome rate followed by its response rate."""
    results = [r for r in report.indicators if r.code not in RESPONSE_RATE_OF.values()]
    by_code = {r.code: r for r in report.indicators}
    tables = []
    for result in results:
        if not tables or tables[-1]["group"] != result.group:
            title = GROUP_TITLES.get(result.group, result.group.capitalize() if result.group else "")
            tables.append({"group": result.group, "title": title, "results": []})
        tables[-1]["results"].append(result)
        response_rate = by_code.get(RESPONSE_RATE_OF.get(result.code))
        if response_rate is not None:
            tables[-1]["results"].append(response_rate)
    return tables


def charts(report):
    def pick(codes):
        return [report.by_code(code) for code in codes]

    return [
        Chart(
            id="graphique-parcours",
            title=_("Du dépôt de candidature à la certification (nombre de personnes)"),
            description=_("Barres horizontales, une par étape du parcours."),
            results=pick(FUNNEL),
        ),
        Chart(
            id="graphique-profil",
            title=_("Profil des personnes entrées en formation, comparé aux objectifs (en %)"),
            description=_("Barres horizontales de 0 à 100 %, le trait pointillé marque l’objectif."),
            results=pick(PROFILE),
            percent=True,
        ),
        Chart(
            id="graphique-resultats",
            title=_("Sorties positives à la sortie et à 6 mois, avec le taux de réponse (en %)"),
            description=_(
                "Barres horizontales de 0 à 100 % : chaque taux de sorties positives est suivi de son taux de réponse."
            ),
            results=pick(OUTCOMES),
            percent=True,
            secondary=frozenset(RESPONSE_RATE_OF.values()),
        ),
    ]


def downloads(agreement, period):
    """Links to the report and participant files for this period, in every format."""
    query = period_query(period)
    return [
        {
            "name": name,
            "title": title,
            "links": [
                {
                    "label": label,
                    "url": reverse(f"financeurs:{name}", kwargs={"pk": agreement.pk, "file_format": file_format})
                    + f"?{query}",
                    "file_format": file_format,
                }
                for file_format, label in FILE_FORMATS
            ],
        }
        for name, title in (
            ("export_report", _("Rapport agrégé")),
            ("export_participants", _("Fichier des participant·es")),
        )
    ]
