from wagtail import hooks
from wagtail.permissions import register_permission_policy

from financeurs.models import Agreement, Funder
from financeurs.permissions import AgreementPermissionPolicy, FunderPermissionPolicy

register_permission_policy(Agreement, AgreementPermissionPolicy(Agreement))
register_permission_policy(Funder, FunderPermissionPolicy(Funder))

from financeurs.viewsets import FundingViewSetGroup  # noqa: E402  (the policies must be registered first)


@hooks.register("register_admin_viewset")
def register_funding_viewsets():
    return FundingViewSetGroup()
