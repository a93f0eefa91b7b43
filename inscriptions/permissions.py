from campus.permissions import CampusScopedPermissionPolicy


class ApplicationPermissionPolicy(CampusScopedPermissionPolicy):
    """Staff see and decide on their campuses' applications, never anyone else's.

    Applications are created by learners and change only through the pipeline's transitions, and their
    history is never edited: no one adds, edits or deletes one in the admin, not even a superuser.
    """

    READ_ONLY_ACTIONS = frozenset({"add", "change", "delete"})

    def user_has_permission(self, user, action):
        return action not in self.READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.READ_ONLY_ACTIONS]
        return super().users_with_any_permission(allowed)
