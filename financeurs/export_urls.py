"""Downloads of the funders' portal: aggregate reports and participant files."""

urlpatterns = []
