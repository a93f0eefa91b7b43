"""Demo learners for seed_demo: about thirty plausible young people, with an application at every stage.

Histories go through services.change_status with backdated times, so seats, waitlists and history lines
are the real thing. Built once, in one transaction: a second run finds Léa Martin's profile and stops.
"""

import datetime
import os

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from campus.models import CampusPage, Qpv
from formations.enums import Schedule
from formations.models import FormationPage, Session
from inscriptions.enums import (
    AttendanceStatus,
    Availability,
    Diploma,
    FollowUpMilestone,
    Gender,
    GuardianConsentMethod,
    JobSeekingDuration,
    Nationality,
    Placement,
    QpvResidence,
    Referrer,
    Situation,
    YesNoUnsaid,
)
from inscriptions.models import Application, EntryAnswers, Learner, StatusChange, add_months, age_on
from inscriptions.services import add_staff_note, attendance, change_status, record_follow_up
from inscriptions.workflow import HOLDS_SEAT, Role, Status

DEMO_LEARNER_EMAIL = "lea.martin@exemple.fr"
DEMO_PASSWORD_DEFAULT = "tremplin-demo"

S = Status
F, M = Gender.FEMALE, Gender.MALE
EXIT, SIX, TWELVE = FollowUpMilestone.EXIT, FollowUpMilestone.SIX_MONTHS, FollowUpMilestone.TWELVE_MONTHS

# Where the campuses' learners live: postcode, commune, the campus's QPV code.
HOMES = {
    "aubervilliers": ("93300", "Aubervilliers", "QP093028"),
    "vaulx-en-velin": ("69120", "Vaulx-en-Velin", "QP069018"),
    "marseille-nord": ("13015", "Marseille", "QP013051"),
    "roubaix": ("59100", "Roubaix", "QP059083"),
    "clichy-sous-bois": ("93390", "Clichy-sous-Bois", "QP093003"),
}

# The usual way through the pipeline to each status; a learner's line may give its own.
PATHS = {
    S.SUBMITTED: [],
    S.UNDER_REVIEW: [S.UNDER_REVIEW],
    S.ADMITTED: [S.UNDER_REVIEW, S.ADMITTED],
    S.WAITLISTED: [S.UNDER_REVIEW, S.WAITLISTED],
    S.REFUSED: [S.UNDER_REVIEW, S.REFUSED],
    S.WITHDRAWN: [S.WITHDRAWN],
    S.CLOSED: [S.CLOSED],
    S.ENROLLED: [S.UNDER_REVIEW, S.ADMITTED, S.ENROLLED],
    S.IN_TRAINING: [S.ADMITTED, S.ENROLLED, S.IN_TRAINING],
    S.COMPLETED: [S.ADMITTED, S.ENROLLED, S.IN_TRAINING, S.COMPLETED],
    S.DROPPED_OUT: [S.ADMITTED, S.ENROLLED, S.IN_TRAINING, S.DROPPED_OUT],
    S.CERTIFIED: [S.ADMITTED, S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.CERTIFIED],
    S.NOT_CERTIFIED: [S.ADMITTED, S.ENROLLED, S.IN_TRAINING, S.COMPLETED, S.NOT_CERTIFIED],
}
# Days after submission of the steps taken before the session starts.
STEP_DAYS = {S.UNDER_REVIEW: 1, S.ADMITTED: 4, S.WAITLISTED: 4, S.REFUSED: 4, S.ENROLLED: 7, S.WITHDRAWN: 9}
COMMENTS = {
    S.REFUSED: "Le projet n’est pas encore assez précis pour cette formation. Nous vous proposons d’abord "
    "« Premiers pas dans les métiers du numérique » : passez nous voir pour en parler.",
    S.DROPPED_OUT: "A trouvé un emploi de livreur à temps plein ; garde le contact avec le campus.",
}

# Sessions: "next" starts in 3 weeks, "later" in 11 weeks, "current" started 40 days ago (seed_demo makes
# those); "full" is the next one with 3 seats; "past6" and "past12" ended about 7 and 13 months ago.
# first name, last name, gender, age, QPV, diploma, situation, campus, formation, session, status, days ago,
# extras (path, minor consent, follow-ups, note).
# fmt: off
LEARNERS = [
    ("Léa", "Martin", F, 22, True, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "aubervilliers", "developpeur-web-web-mobile", "next", S.ADMITTED, 12, {}),
    ("Amina", "Benali", F, 19, True, Diploma.CAP_BEP, Situation.JOB_SEEKER_UNREGISTERED,
     "aubervilliers", "developpeur-web-web-mobile", "next", S.SUBMITTED, 3, {}),
    ("Yanis", "Haddad", M, 23, True, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "aubervilliers", "developpeur-web-web-mobile", "next", S.UNDER_REVIEW, 6,
     {"note": "Appelé le 2e jour : très motivé, a déjà fait des sites pour une association."}),
    ("Inès", "N'Diaye", F, 20, True, Diploma.BREVET, Situation.JOB_SEEKER_REGISTERED,
     "aubervilliers", "premiers-pas-numerique", "full", S.ENROLLED, 20, {}),
    ("Mehdi", "Bouzid", M, 24, True, Diploma.NONE, Situation.INACTIVE,
     "aubervilliers", "premiers-pas-numerique", "full", S.ENROLLED, 19, {}),
    ("Sarah", "Cohen", F, 21, False, Diploma.BAC, Situation.STUDENT,
     "aubervilliers", "premiers-pas-numerique", "full", S.ADMITTED, 15, {}),
    # The session is full: admitting puts these two on the waitlist, in this order.
    ("Kevin", "Lefebvre", M, 18, True, Diploma.CAP_BEP, Situation.JOB_SEEKER_UNREGISTERED,
     "aubervilliers", "premiers-pas-numerique", "full", S.WAITLISTED, 14, {"path": [S.UNDER_REVIEW, S.ADMITTED]}),
    ("Chloé", "Nguyen", F, 17, True, Diploma.BREVET, Situation.STUDENT,
     "aubervilliers", "premiers-pas-numerique", "full", S.WAITLISTED, 13,
     {"path": [S.ADMITTED], "guardian": "paper"}),
    ("Zoé", "Lemaire", F, 22, False, Diploma.BAC_2, Situation.EMPLOYED,
     "aubervilliers", "referent-cybersecurite-tpe-pme", "next", S.WITHDRAWN, 16, {"path": [S.ADMITTED, S.WITHDRAWN]}),
    ("Noé", "Garcia", M, 16, True, Diploma.BREVET, Situation.STUDENT,
     "vaulx-en-velin", "premiers-pas-numerique", "next", S.UNDER_REVIEW, 5, {"guardian": "pending"}),
    ("Fatoumata", "Diallo", F, 25, True, Diploma.NONE, Situation.JOB_SEEKER_REGISTERED,
     "vaulx-en-velin", "developpeur-web-web-mobile", "next", S.REFUSED, 11, {}),
    ("Lucas", "Moreau", M, 26, False, Diploma.BAC, Situation.EMPLOYED,
     "vaulx-en-velin", "cybersecurite", "next", S.WITHDRAWN, 10, {}),
    ("Aïcha", "Traoré", F, 22, True, Diploma.CAP_BEP, Situation.JOB_SEEKER_REGISTERED,
     "vaulx-en-velin", "premiers-pas-numerique", "later", S.CLOSED, 70, {}),
    ("Rayan", "Mansouri", M, 20, True, Diploma.NONE, Situation.JOB_SEEKER_UNREGISTERED,
     "vaulx-en-velin", "developpeur-web-web-mobile", "next", S.SUBMITTED, 18, {}),
    ("Adam", "Benyamina", M, 20, True, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "vaulx-en-velin", "cybersecurite", "next", S.WAITLISTED, 9, {}),
    ("Camille", "Petit", F, 29, False, Diploma.BAC_3_PLUS, Situation.JOB_SEEKER_REGISTERED,
     "marseille-nord", "concepteur-developpeur-applications", "next", S.UNDER_REVIEW, 25, {}),
    ("Clara", "Martinez", F, 24, False, Diploma.BAC_2, Situation.JOB_SEEKER_REGISTERED,
     "marseille-nord", "concepteur-developpeur-applications", "later", S.SUBMITTED, 2, {}),
    ("Bilal", "Rahmani", M, 19, True, Diploma.CAP_BEP, Situation.JOB_SEEKER_REGISTERED,
     "marseille-nord", "premiers-pas-numerique", "current", S.IN_TRAINING, 0, {}),
    ("Manon", "Girard", F, 21, False, Diploma.BAC, Situation.JOB_SEEKER_UNREGISTERED,
     "marseille-nord", "premiers-pas-numerique", "current", S.IN_TRAINING, 0, {}),
    ("Sofiane", "Belkacem", M, 22, True, Diploma.NONE, Situation.JOB_SEEKER_REGISTERED,
     "marseille-nord", "premiers-pas-numerique", "current", S.DROPPED_OUT, 0,
     {"follow_ups": [(EXIT, Placement.CDD_SHORT, "Coursier Express", "Livreur")]}),
    ("Jade", "Roux", F, 23, False, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "roubaix", "cybersecurite", "past6", S.COMPLETED, 0,
     {"follow_ups": [(EXIT, Placement.JOB_SEEKING, "", "")]}),
    ("Moussa", "Koné", M, 24, True, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "roubaix", "cybersecurite", "past6", S.CERTIFIED, 0,
     {"follow_ups": [(EXIT, Placement.INTERNSHIP, "Ville de Roubaix", "Stagiaire support informatique"),
                     (SIX, Placement.CDI, "Sopra Steria", "Technicien support")]}),
    ("Emma", "Lambert", F, 20, False, Diploma.CAP_BEP, Situation.STUDENT,
     "roubaix", "developpeur-web-web-mobile", "past6", S.NOT_CERTIFIED, 0,
     {"follow_ups": [(EXIT, Placement.TRAINING, "GRETA Lille Métropole", "Remise à niveau")]}),
    ("Maëlys", "Dupont", F, 17, False, Diploma.BREVET, Situation.STUDENT,
     "roubaix", "developpeur-web-web-mobile", "next", S.ADMITTED, 8, {"guardian": "email"}),
    ("Ousmane", "Sylla", M, 21, True, Diploma.NONE, Situation.INACTIVE,
     "roubaix", "developpeur-web-web-mobile", "next", S.REFUSED, 9, {}),
    ("Nassim", "Amrani", M, 25, True, Diploma.BAC, Situation.JOB_SEEKER_REGISTERED,
     "clichy-sous-bois", "premiers-pas-numerique", "past12", S.CERTIFIED, 0,
     {"follow_ups": [(EXIT, Placement.ALTERNANCE, "Orange", "Alternant technicien réseau"),
                     (SIX, Placement.ALTERNANCE, "Orange", "Alternant technicien réseau"),
                     (TWELVE, Placement.CDI, "Orange", "Technicien réseau")]}),
    ("Lina", "Fontaine", F, 20, True, Diploma.CAP_BEP, Situation.JOB_SEEKER_UNREGISTERED,
     "clichy-sous-bois", "premiers-pas-numerique", "past12", S.COMPLETED, 0,
     {"follow_ups": [(EXIT, Placement.TRAINING, "Campus numérique de Clichy-sous-Bois", "Développeur web"),
                     (SIX, Placement.TRAINING, "Campus numérique de Clichy-sous-Bois", "Développeur web")]}),
    ("Théo", "Mercier", M, 27, False, Diploma.BAC, Situation.EMPLOYED,
     "clichy-sous-bois", "premiers-pas-numerique", "past12", S.DROPPED_OUT, 0,
     {"follow_ups": [(EXIT, Placement.UNKNOWN, "", "")]}),
    ("Karim", "Saïdi", M, 28, True, Diploma.BREVET, Situation.JOB_SEEKER_REGISTERED,
     "clichy-sous-bois", "premiers-pas-numerique", "past12", S.NOT_CERTIFIED, 0,
     {"follow_ups": [(EXIT, Placement.JOB_SEEKING, "", ""), (SIX, Placement.INTERIM, "Adecco", "Préparateur"),
                     (TWELVE, Placement.CDD_LONG, "Leroy Merlin", "Conseiller de vente")]}),
    ("Samira", "Ouali", F, 30, True, Diploma.BAC_2, Situation.JOB_SEEKER_REGISTERED,
     "clichy-sous-bois", "concepteur-developpeur-applications", "next", S.ADMITTED, 7, {}),
    ("Hugo", "Blanc", M, 18, False, Diploma.CAP_BEP, Situation.JOB_SEEKER_UNREGISTERED,
     "clichy-sous-bois", "premiers-pas-numerique", "next", S.ENROLLED, 12, {}),
]
# fmt: on

REFERRERS = [Referrer.MISSION_LOCALE, Referrer.FRANCE_TRAVAIL, Referrer.ASSOCIATION, Referrer.OTHER]
MOTIVATIONS = [
    "Je passe beaucoup de temps sur l’ordinateur et j’aimerais en faire mon métier.",
    "Ma conseillère de la Mission Locale m’a parlé du campus. Je veux un travail stable, près de chez moi.",
    "J’ai arrêté l’école tôt. Le numérique, c’est un secteur qui recrute : je veux ma chance.",
    "Je répare déjà les téléphones de ma famille. Je voudrais apprendre pour de vrai.",
    "Après plusieurs petits boulots, je veux me reconvertir dans un métier qui a de l’avenir.",
]


class DemoLearners:
    def __init__(self, today=None):
        self.now = timezone.now().replace(second=0, microsecond=0)
        self.today = today or timezone.localdate()
        self.staff = {}
        self.sessions = {}

    def build(self):
        """Create Léa's account (always checked) and, the first time only, every demo learner."""
        lea_user = self.ensure_lea_account()
        if Learner.objects.filter(user=lea_user).exists():
            return 0
        # Demo histories are not news: no e-mail leaves during the seed.
        with (
            override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}),
            transaction.atomic(),
        ):
            for number, line in enumerate(LEARNERS):
                self.build_learner(number, *line, user=lea_user if number == 0 else None)
            # Léa tried a first session before, then withdrew; her space shows both.
            lea = Learner.objects.get(user=lea_user)
            self.apply(lea, self.session("aubervilliers", "premiers-pas-numerique", "later"), 40, S.WITHDRAWN, {}, 5)
            for (_campus, _formation, kind), session in self.sessions.items():
                if kind == "current":
                    self.fill_attendance(session)
        return len(LEARNERS)

    def fill_attendance(self, session):
        """The sheets of the session's past half-days: mostly present, a few absences, and the second person
        absent over the last three class days, so that staff see a long absence flagged."""
        people = attendance.trainees(session)
        half_days = session.half_days(end=self.today - datetime.timedelta(days=1))
        last_days = sorted({half_day.day for half_day in half_days})[-3:]
        for index, half_day in enumerate(half_days):
            marks = {}
            for rank, application in enumerate(people):
                if rank == 1 and half_day.day in last_days:
                    marks[application.pk] = AttendanceStatus.ABSENT
                elif (rank + index) % 11 == 0:
                    marks[application.pk] = AttendanceStatus.EXCUSED
                elif (rank + index) % 7 == 0:
                    marks[application.pk] = AttendanceStatus.ABSENT
                else:
                    marks[application.pk] = AttendanceStatus.PRESENT
            attendance.record_sheet(session, half_day, marks, by=self.staff_of(session.campus), today=self.today)

    # --- Accounts --------------------------------------------------------------------------------

    def ensure_lea_account(self):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username="lea.martin", defaults={"email": DEMO_LEARNER_EMAIL, "first_name": "Léa", "last_name": "Martin"}
        )
        if created:
            user.set_password(os.environ.get("DEMO_PASSWORD", DEMO_PASSWORD_DEFAULT))
            user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_LEARNER_EMAIL, defaults={"verified": True, "primary": True}
        )
        return user

    def learner_user(self, first_name, last_name):
        replacements = str.maketrans("éèêëïîôöàâäçü", "eeeeiiooaaacu")
        slug = f"{first_name}.{last_name}".lower().replace("'", "-").replace(" ", "-").translate(replacements)
        user = get_user_model()(username=slug, email=f"{slug}@exemple.fr", first_name=first_name, last_name=last_name)
        # Only Léa logs in; the others exist for the staff's screens.
        user.set_unusable_password()
        user.save()
        return user

    def staff_of(self, campus):
        if campus.pk not in self.staff:
            self.staff[campus.pk] = campus.staff_group.user_set.order_by("pk").first()
        return self.staff[campus.pk]

    # --- Sessions --------------------------------------------------------------------------------

    def session(self, campus_slug, formation_slug, kind):
        key = (campus_slug, formation_slug, kind)
        if key in self.sessions:
            return self.sessions[key]
        campus = CampusPage.objects.get(slug=campus_slug)
        formation = FormationPage.objects.child_of(campus).get(slug=formation_slug)
        sessions = formation.sessions.order_by("start_date")
        if kind in {"next", "full"}:
            session = sessions.filter(start_date__gt=self.today).first()
        elif kind == "later":
            session = sessions.filter(start_date__gt=self.today).last()
        elif kind == "current":
            session = sessions.filter(start_date__lte=self.today, end_date__gte=self.today).first()
        else:
            start = add_months(self.today, -15 if kind == "past12" else -9)
            session = Session.objects.create(
                formation=formation,
                campus=campus,
                start_date=start,
                end_date=start + datetime.timedelta(days=60),
                application_deadline=start - datetime.timedelta(days=7),
                capacity=12,
                schedule=Schedule.FULL_TIME,
                schedule_details="Du lundi au jeudi, de 9 h à 16 h",
            )
        if kind == "full":
            # Three seats only, so that the demo shows a full session and its waitlist.
            Session.objects.filter(pk=session.pk).update(capacity=max(3, session.seats_taken))
            session.refresh_from_db()
        self.sessions[key] = session
        return session

    # --- Learners and their applications ---------------------------------------------------------

    def build_learner(
        self,
        number,
        first_name,
        last_name,
        gender,
        age,
        qpv,
        diploma,
        situation,
        campus_slug,
        formation_slug,
        kind,
        status,
        days_ago,
        extras,
        user=None,
    ):
        postcode, commune, qpv_code = HOMES[campus_slug]
        session = self.session(campus_slug, formation_slug, kind)
        submitted = self.submission_time(session, kind, days_ago)
        birth_date = add_months(self.today, -12 * age) - datetime.timedelta(days=30 + number * 7)
        learner = Learner.objects.create(
            user=user or self.learner_user(first_name, last_name),
            first_name=first_name,
            last_name=last_name,
            phone=f"06 {number + 10:02d} {(number * 7) % 100:02d} {(number * 13) % 100:02d} {(number * 31) % 100:02d}",
            birth_date=birth_date,
            gender=gender,
            postcode=postcode,
            commune=commune,
            qpv_residence=QpvResidence.YES if qpv else QpvResidence.NO,
            qpv=Qpv.objects.filter(code=qpv_code).first() if qpv else None,
            diploma=diploma,
            situation=situation,
            job_seeking_duration=JobSeekingDuration.SIX_TO_12_MONTHS if situation in Situation.job_seeking() else "",
            referrer=REFERRERS[number % len(REFERRERS)],
            consent_at=submitted - datetime.timedelta(hours=1),
            consent_version=settings.PRIVACY_NOTICE_VERSION,
        )
        guardian = extras.get("guardian")
        if guardian:
            learner.guardian_name = f"Parent de {first_name} {last_name}"
            learner.guardian_email = f"parent.{learner.user.username}@exemple.fr"
            if guardian in {"paper", "email"}:
                learner.guardian_consent_at = submitted + datetime.timedelta(days=1)
                learner.guardian_consent_method = (
                    GuardianConsentMethod.PAPER if guardian == "paper" else GuardianConsentMethod.EMAIL
                )
                learner.guardian_consent_recorded_by = self.staff_of(session.campus) if guardian == "paper" else None
            learner.save()
        if status in HOLDS_SEAT and number % 3:
            self.answer_funders_questions(learner, number, submitted)
        application = self.apply(learner, session, days_ago, status, extras, number, submitted=submitted)
        for milestone, placement, employer, job_title in extras.get("follow_ups", []):
            record_follow_up(
                application,
                milestone,
                placement=placement,
                employer=employer,
                job_title=job_title,
                recorded_by=self.staff_of(session.campus),
            )
        if extras.get("note"):
            add_staff_note(application, author=self.staff_of(session.campus), text=extras["note"])
        return learner

    def answer_funders_questions(self, learner, number, submitted):
        """Two in three of those who got a place answered the funders' questions, once admitted: some not all."""
        EntryAnswers.objects.create(
            learner=learner,
            rqth=True if number % 7 == 1 else None,
            nationality=[Nationality.FRENCH, "", Nationality.OTHER, Nationality.FRENCH, Nationality.EU][number % 5],
            foreign_background=[YesNoUnsaid.NO, YesNoUnsaid.YES, YesNoUnsaid.UNSAID][number % 3],
            housing_exclusion=True if number % 11 == 2 else (False if number % 2 else None),
            rural_area=False if number % 4 else None,
            answered_at=min(submitted + datetime.timedelta(days=STEP_DAYS[S.ADMITTED] + 1), self.now),
        )

    def submission_time(self, session, kind, days_ago):
        if kind in {"current", "past6", "past12"}:
            start = timezone.make_aware(datetime.datetime.combine(session.start_date, datetime.time(10)))
            return start - datetime.timedelta(days=30)
        return self.now - datetime.timedelta(days=days_ago, hours=2)

    def apply(self, learner, session, days_ago, status, extras, number, submitted=None):
        submitted = submitted or self.now - datetime.timedelta(days=days_ago, hours=2)
        application = Application.objects.create(
            learner=learner,
            session=session,
            campus_id=session.campus_id,
            motivation=MOTIVATIONS[number % len(MOTIVATIONS)],
            availability=Availability.CONSTRAINED if number % 3 == 0 else Availability.FULL,
            constraints="Je dépose mon petit frère à l’école le matin." if number % 3 == 0 else "",
            age_on_submission=age_on(learner.birth_date, submitted.date()),
            submitted_at=submitted,
            status_changed_at=submitted,
        )
        StatusChange.objects.create(
            application=application,
            from_status="",
            to_status=S.SUBMITTED,
            actor=learner.user,
            role=Role.LEARNER,
            created_at=submitted,
        )
        path = extras.get("path", PATHS[status])
        when = submitted
        for index, target in enumerate(path):
            when = max(self.step_time(session, submitted, target, path[index - 1] if index else None), when)
            when = min(when, self.now - datetime.timedelta(minutes=10 * (len(path) - index)))
            when += datetime.timedelta(minutes=1)
            self.step(application, target, when, session)
        return application

    def step_time(self, session, submitted, target, previous):
        start = timezone.make_aware(datetime.datetime.combine(session.start_date, datetime.time(9)))
        end = timezone.make_aware(datetime.datetime.combine(session.end_date, datetime.time(17)))
        if target == S.IN_TRAINING:
            return start
        if target == S.COMPLETED:
            return end
        if target == S.DROPPED_OUT:
            return min(start + datetime.timedelta(days=20), self.now - datetime.timedelta(days=10))
        if target in {S.CERTIFIED, S.NOT_CERTIFIED}:
            return end + datetime.timedelta(days=14)
        if target == S.CLOSED:
            return submitted + datetime.timedelta(days=settings.APPLICATION_CLOSE_AFTER_DAYS + 1)
        return submitted + datetime.timedelta(days=STEP_DAYS[target])

    def step(self, application, target, when, session):
        if target == S.CLOSED:
            role, actor, comment = Role.SYSTEM, None, "Aucune décision n’a été prise dans le délai prévu."
        elif target in {S.ENROLLED, S.WITHDRAWN}:
            role, actor, comment = Role.LEARNER, application.learner.user, ""
        else:
            role, actor, comment = Role.STAFF, self.staff_of(session.campus), COMMENTS.get(target, "")
        change_status(application, target, role=role, actor=actor, comment=comment, now=when)


def build_demo_learners():
    """Returns how many learners were created (0 when the demo learners already exist)."""
    return DemoLearners().build()
