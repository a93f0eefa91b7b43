from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from wagtail.search import index
from wagtail.signals import post_page_move

from campus.models import CampusPage
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


# The campus words a formation's index entry holds (FormationPage.campus_words).
CAMPUS_WORDS = ("title", "commune")


@receiver(pre_save, sender=CampusPage)
def note_changed_campus_words(sender, instance, raw=False, update_fields=None, **kwargs):
    """Whether this save changes the campus's name or commune: every save of a draft or a revision would
    otherwise reindex all its formations (one write each, thousands on a large campus)."""
    touched = update_fields is None or not set(update_fields).isdisjoint(CAMPUS_WORDS)
    instance._campus_words_changed = (
        not raw
        and touched
        and instance.pk is not None
        and CampusPage.objects.filter(pk=instance.pk)
        .exclude(**{name: getattr(instance, name) for name in CAMPUS_WORDS})
        .exists()
    )


@receiver(post_save, sender=CampusPage)
def reindex_the_campus_formations(sender, instance, raw=False, **kwargs):
    """A formation's index entry holds its campus's name and commune: keep them right when the campus changes."""
    if raw or not getattr(instance, "_campus_words_changed", False):
        return
    for formation in FormationPage.objects.child_of(instance).specific():
        index.insert_or_update_object(formation)


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


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
def store_the_card_session_start(sender, instance, raw=False, **kwargs):
    """The catalogue sorts on each formation's stored card session start: store it again for the formation of
    a session added, changed or deleted, and for the one a session leaves."""
    if raw:
        return
    formations = {instance.formation_id, getattr(instance, "formation_id_in_db", None)} - {None}
    FormationPage.objects.filter(pk__in=formations).store_card_session_start()
    instance.formation_id_in_db = instance.formation_id


@receiver(post_save, sender=FormationPage)
def store_the_page_card_session_start(sender, instance, raw=False, **kwargs):
    """A page's save writes the stored start it was read with, or the one of a revision (Wagtail publishes a
    revision by saving its copy of the page): store the right one again."""
    if not raw:
        FormationPage.objects.filter(pk=instance.pk).store_card_session_start()
