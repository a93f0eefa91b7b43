"""The funders' portal: each funder's accounts see their own agreements, and nothing else."""

urlpatterns = []
