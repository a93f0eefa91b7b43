from wagtail.permission_policies import ModelPermissionPolicy

from campus.permissions import CampusScopedPermissionPolicy


class AgreementPermissionPolicy(CampusScopedPermissionPolicy):
    """Staff see the agreements covering one of their campuses, and change only those covering theirs alone."""

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        if set(actions) <= {"view"}:
            return self.model.objects.visible_to(user)
        return self.model.objects.editable_by(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.instances_user_has_any_permission_for(user, actions).filter(pk=instance.pk).exists()


class FunderPermissionPolicy(ModelPermissionPolicy):
    """Funders are shared by every campus; only superusers delete one (it carries other campuses' agreements)."""

    def user_has_permission(self, user, action):
        if action == "delete" and not user.is_superuser:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)
