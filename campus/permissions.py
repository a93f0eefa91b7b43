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


def campuses_of(user):
    """The campuses a user works for: every campus for a superuser, those whose staff group they are in otherwise."""
    from campus.models import CampusPage

    campuses = CampusPage.objects.order_by("title")
    if user is None or not user.is_authenticated or not user.is_active:
        return campuses.none()
    if user.is_superuser:
        return campuses
    return campuses.filter(staff_group__in=user.groups.all())
