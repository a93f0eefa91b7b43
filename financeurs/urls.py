from django.urls import path

from financeurs import export_views, views

app_name = "financeurs"

urlpatterns = [
    path("", views.index, name="index"),
    path("conventions/<int:pk>/", views.agreement_dashboard, name="agreement"),
    # Downloads: the aggregate report and the participant file, directly or through a background job.
    path("conventions/<int:pk>/rapport.<str:file_format>", export_views.export_report, name="export_report"),
    path(
        "conventions/<int:pk>/participants.<str:file_format>",
        export_views.export_participants,
        name="export_participants",
    ),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/fichier", export_views.export_job_download, name="export_job_download"),
]
