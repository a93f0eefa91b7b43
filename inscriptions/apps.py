from django.apps import AppConfig


class InscriptionsConfig(AppConfig):
    name = "inscriptions"
    verbose_name = "Inscriptions"

    def ready(self):
        from campus.services import register_staff_permissions
        from inscriptions.imports import FollowUpImport, ReferralImport
        from transferts.registry import register_importer

        # Enrolment: see and decide on the campus's applications, keep notes and follow-ups.
        register_staff_permissions(
            "inscriptions",
            "view_application",
            "decide_application",
            "add_staffnote",
            "add_followup",
            "change_followup",
        )
        # Paid sessions: see the campus's payments, record money received by hand, give money back.
        register_staff_permissions("inscriptions", "view_payment", "add_payment", "add_refund")
        # Partners' referral lists, imported and kept by the campus, which deletes one when the person objects (the
        # privacy notice promises it).
        register_staff_permissions(
            "inscriptions", "view_referral", "add_referral", "change_referral", "delete_referral"
        )
        register_importer(FollowUpImport)
        register_importer(ReferralImport)
