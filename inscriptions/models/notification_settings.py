"""Which e-mails each staff member receives."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffNotificationSettings(models.Model):
    """Which e-mails a staff member receives, so that nobody is flooded."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inscriptions_notifications"
    )
    new_application = models.BooleanField(_("chaque nouvelle candidature"), default=True)
    withdrawal = models.BooleanField(_("chaque candidature retirée"), default=True)
    overdue_digest = models.BooleanField(_("les candidatures sans réponse depuis trop longtemps"), default=True)
    follow_ups_digest = models.BooleanField(_("les suivis de sortie à faire"), default=True)

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return str(self.user)

    @classmethod
    def for_user(cls, user):
        return cls.objects.filter(user=user).first() or cls(user=user)
