from wagtail.permission_policies import ModelPermissionPolicy


class CampusScopedPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, narrowed to the instances of the campuses whose staff group the user is in.

    The model's default manager must offer `visible_to(user)`, which says what that is for the model.
    """

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.visible_to(user)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return (
            self.user_has_any_permission(user, actions)
            and self.model.objects.visible_to(user).filter(pk=instance.pk).exists()
        )

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)
