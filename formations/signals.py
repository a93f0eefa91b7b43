from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import post_page_move

from formations.models import Certification, Domain, FormationPage, Session
from home import page_cache


@receiver(post_page_move)
def move_sessions_with_their_formation(sender, instance, **kwargs):
    """Sessions copy their formation's campus: keep it right when a formation (or a whole campus) moves."""
    for formation in FormationPage.objects.descendant_of(instance, inclusive=True):
        # One by one through save(), which moves the sessions' applications along.
        for session in formation.sessions.exclude(campus=formation.campus):
            session.formation = formation
            session.save(update_fields=["campus"])


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
@receiver(post_save, sender=Domain)
@receiver(post_delete, sender=Domain)
@receiver(post_save, sender=Certification)
@receiver(post_delete, sender=Certification)
def refresh_public_pages(sender, raw=False, **kwargs):
    """Cards and formation pages show sessions (dates, prices, « Candidatures ouvertes »), domains and
    certifications: the public pages stored for anonymous visitors are stale once one changes."""
    if not raw:
        page_cache.bump()
