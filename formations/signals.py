from django.dispatch import receiver
from wagtail.signals import post_page_move

from formations.models import FormationPage


@receiver(post_page_move)
def move_sessions_with_their_formation(sender, instance, **kwargs):
    """Sessions copy their formation's campus: keep it right when a formation (or a whole campus) moves."""
    for formation in FormationPage.objects.descendant_of(instance, inclusive=True):
        # One by one through save(), which moves the sessions' applications along.
        for session in formation.sessions.exclude(campus=formation.campus):
            session.formation = formation
            session.save(update_fields=["campus"])
