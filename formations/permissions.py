from campus.permissions import CampusScopedPermissionPolicy


class SessionPermissionPolicy(CampusScopedPermissionPolicy):
    """Staff add and edit the sessions of their own campuses only."""
