"""The ESF+ common indicators for participants, defined like the others and computed with them."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from financeurs.indicators.definitions import (
    EDUCATION_OR_TRAINING,
    EMPLOYMENT,
    JOB_SEEKING,
    LEFT,
    LONG_TERM_JOB_SEEKING,
    PEOPLE,
    SIX_MONTHS_DUE,
    STABLE_EMPLOYMENT,
    STARTED,
    Indicator,
)
from inscriptions.enums import (
    Diploma,
    Nationality,
    Placement,
    Situation,
    YesNoUnsaid,
)
from inscriptions.workflow import Status


def _esf(code, label, description, numerator, *, group="fse_output", not_collected_reason=None, fixed_value=None):
    return Indicator(
        code=code,
        label=label,
        description=description,
        unit=PEOPLE,
        group=group,
        # A result counts leavers or the certified, who all entered training: only outputs need saying so.
        numerator=numerator & STARTED if numerator is not None and group == "fse_output" else numerator,
        denominator=None if numerator is None else STARTED,
        not_collected_reason=not_collected_reason,
        fixed_value=fixed_value,
        by_gender=numerator is not None,
    )


NOT_ENTITIES = _(
    "Sans objet : les campus accompagnent des personnes, pas des administrations ni des entreprises. Déclaré à 0."
)

# The ESF+ common indicators for participants (Regulation (EU) 2021/1057, Annex I), over the people who entered
# training. Codes as the Commission's SFC2021 system knows them.
ESF_INDICATORS = [
    _esf("EECO01", _("Nombre total de participant·es"), _("Toutes les personnes entrées en formation."), STARTED),
    _esf(
        "EECO02",
        _("Chômeurs et chômeuses, y compris de longue durée"),
        _("Personnes qui cherchaient un emploi à l’entrée, inscrites ou non à France Travail."),
        JOB_SEEKING,
    ),
    _esf(
        "EECO03",
        _("Chômeurs et chômeuses de longue durée"),
        _(
            "Personnes qui cherchaient un emploi depuis au moins un an à l’entrée, ou depuis au moins six mois "
            "avant 25 ans."
        ),
        LONG_TERM_JOB_SEEKING,
    ),
    _esf(
        "EECO04",
        _("Personnes inactives"),
        _("Personnes ni en emploi ni au chômage à l’entrée : élèves, étudiant·es, ou qui ne cherchaient pas."),
        Q(entry_situation__in=[Situation.STUDENT, Situation.INACTIVE]),
    ),
    _esf(
        "EECO05",
        _("Personnes ayant un emploi, y compris les indépendant·es"),
        _("Personnes qui avaient un emploi à l’entrée."),
        Q(entry_situation=Situation.EMPLOYED),
    ),
    _esf(
        "EECO06",
        _("Enfants de moins de 18 ans"),
        _("Personnes qui avaient moins de 18 ans à la candidature."),
        Q(age_on_submission__lt=18),
    ),
    _esf(
        "EECO07",
        _("Jeunes de 18 à 29 ans"),
        _("Personnes qui avaient de 18 à 29 ans à la candidature."),
        Q(age_on_submission__gte=18, age_on_submission__lte=29),
    ),
    _esf(
        "EECO08",
        _("Participant·es de 55 ans et plus"),
        _("Personnes qui avaient 55 ans ou plus à la candidature."),
        Q(age_on_submission__gte=55),
    ),
    _esf(
        "EECO09",
        _("Niveau d’enseignement secondaire inférieur ou moins (CITE 0 à 2)"),
        _("Personnes sans diplôme ou avec le brevet des collèges."),
        Q(entry_diploma__in=[Diploma.NONE, Diploma.BREVET]),
    ),
    _esf(
        "EECO10",
        _("Deuxième cycle de l’enseignement secondaire ou post-secondaire non supérieur (CITE 3 et 4)"),
        _("Personnes dont le plus haut diplôme est un CAP, un BEP ou le baccalauréat."),
        Q(entry_diploma__in=[Diploma.CAP_BEP, Diploma.BAC]),
    ),
    _esf(
        "EECO11",
        _("Enseignement supérieur (CITE 5 à 8)"),
        _("Personnes qui ont au moins un bac + 2."),
        Q(entry_diploma__in=[Diploma.BAC_2, Diploma.BAC_3_PLUS]),
    ),
    _esf(
        "EECO12",
        _("Participant·es handicapé·es"),
        _("Personnes qui ont une reconnaissance de la qualité de travailleur handicapé (RQTH)."),
        Q(entry_rqth=True),
    ),
    _esf(
        "EECO13",
        _("Ressortissant·es de pays tiers"),
        _("Personnes d’une nationalité hors de l’Union européenne."),
        Q(entry_nationality=Nationality.OTHER),
    ),
    _esf(
        "EECO14",
        _("Participant·es d’origine étrangère"),
        _("Personnes dont au moins un parent est né à l’étranger."),
        Q(entry_foreign_background=YesNoUnsaid.YES),
    ),
    _esf(
        "EECO15",
        _("Minorités (y compris les communautés marginalisées telles que les Roms)"),
        _("Non collecté."),
        None,
        not_collected_reason=_(
            "Non collecté : la loi française ne permet pas de recueillir l’origine ethnique des personnes."
        ),
    ),
    _esf(
        "EECO16",
        _("Personnes sans domicile ou touchées par l’exclusion du logement"),
        _("Personnes qui ont dit être sans logement ou mal logées."),
        Q(entry_housing_exclusion=True),
    ),
    _esf(
        "EECO17",
        _("Participant·es issu·es de zones rurales"),
        _("Personnes qui ont dit habiter en zone rurale."),
        Q(entry_rural_area=True),
    ),
    _esf(
        "EECO18",
        _("Administrations ou services publics nationaux, régionaux ou locaux soutenus"),
        _("Sans objet."),
        None,
        not_collected_reason=NOT_ENTITIES,
        fixed_value=0,
    ),
    _esf(
        "EECO19",
        _("Micro, petites et moyennes entreprises soutenues (y compris coopératives et entreprises sociales)"),
        _("Sans objet."),
        None,
        not_collected_reason=NOT_ENTITIES,
        fixed_value=0,
    ),
    _esf(
        "EECR01",
        _("Participant·es à la recherche d’un emploi au terme de leur participation"),
        _("Personnes sorties qui cherchaient un emploi à la sortie, d’après le suivi de sortie."),
        Q(exit_follow_up__placement=Placement.JOB_SEEKING) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR02",
        _("Participant·es suivant un enseignement ou une formation au terme de leur participation"),
        _("Personnes sorties en formation qualifiante ou en stage à la sortie (un stage n’est pas un emploi)."),
        Q(exit_follow_up__placement__in=EDUCATION_OR_TRAINING) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR03",
        _("Participant·es obtenant une qualification au terme de leur participation"),
        _("Personnes qui ont obtenu la certification visée par la formation."),
        Q(status=Status.CERTIFIED),
        group="fse_result",
    ),
    _esf(
        "EECR04",
        _("Participant·es exerçant un emploi, y compris indépendant, au terme de leur participation"),
        _("Personnes sorties en CDI, CDD (court ou long), intérim, alternance ou création d’entreprise à la sortie."),
        Q(exit_follow_up__placement__in=EMPLOYMENT) & LEFT,
        group="fse_result",
    ),
    _esf(
        "EECR05",
        _("Participant·es exerçant un emploi, y compris indépendant, six mois après la fin de leur participation"),
        _(
            "Personnes sorties depuis au moins six mois, dans les mêmes situations d’emploi d’après le suivi à "
            "6 mois enregistré le jour où il est dû ou après."
        ),
        Q(six_month_follow_up__placement__in=EMPLOYMENT, six_months_in_time=True) & SIX_MONTHS_DUE,
        group="fse_result",
    ),
    _esf(
        "EECR06",
        _(
            "Participant·es dont la situation sur le marché du travail s’est améliorée six mois après leur "
            "participation"
        ),
        _(
            "Approximation de Tremplin : personnes qui avaient un emploi à l’entrée et sont en CDI ou en CDD de "
            "6 mois ou plus d’après le suivi à 6 mois."
        ),
        Q(
            six_month_follow_up__placement__in=STABLE_EMPLOYMENT,
            six_months_in_time=True,
            entry_situation=Situation.EMPLOYED,
        )
        & SIX_MONTHS_DUE,
        group="fse_result",
    ),
]
