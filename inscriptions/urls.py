from django.urls import path

from inscriptions import consent_views, payment_views, survey_views, views

app_name = "inscriptions"

urlpatterns = [
    path("confidentialite/", views.privacy_notice, name="confidentialite"),
    path("mon-espace/confidentialite/accepter/", consent_views.accept_notice, name="accepter_notice"),
    path("inscriptions/sessions/<int:session_id>/postuler/", views.apply, name="postuler"),
    path("inscriptions/candidatures/<int:pk>/envoyee/", views.application_sent, name="postuler_envoye"),
    path("inscriptions/accord-parental/<str:token>/", views.guardian_consent, name="accord_parental"),
    path("mon-espace/", views.learner_space, name="espace"),
    path("mon-espace/profil/", views.profile, name="profil"),
    path("mon-espace/questions-financeurs/", views.entry_answers, name="questions_financeurs"),
    path("mon-espace/candidatures/<int:pk>/paiement/", views.pay, name="payer"),
    path("mon-espace/candidatures/<int:pk>/paiement/merci/", views.payment_done, name="paiement_merci"),
    path("mon-espace/candidatures/<int:pk>/paiement/annule/", views.payment_cancelled, name="paiement_annule"),
    path("mon-espace/candidatures/<int:pk>/<slug:action>/", views.application_action, name="candidature_action"),
    path("mon-espace/accord-parental/renvoyer/", views.resend_guardian_request, name="renvoyer_accord"),
    path("mon-espace/mes-donnees.json", views.export_data, name="mes_donnees"),
    path("mon-espace/supprimer/", views.delete_account, name="supprimer"),
    path("au-revoir/", views.goodbye, name="au_revoir"),
    path("suivi/<str:token>/", survey_views.follow_up_survey, name="follow_up_survey"),
    path("paiements/stripe/webhook/", payment_views.stripe_webhook, name="stripe_webhook"),
]
