"""Downloads of the funders' portal: aggregate reports and participant files (namespace "financeurs")."""

from django.urls import path

from financeurs import export_views

urlpatterns = [
    path("conventions/<int:pk>/rapport.<str:file_format>", export_views.export_report, name="export_report"),
    path(
        "conventions/<int:pk>/participants.<str:file_format>",
        export_views.export_participants,
        name="export_participants",
    ),
    path("exports/<int:pk>/", export_views.export_job, name="export_job"),
    path("exports/<int:pk>/fichier", export_views.export_job_download, name="export_job_download"),
]
