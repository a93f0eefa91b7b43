from django.conf import settings
from wagtail.models import Collection, Locale, Page, Site

from home.models import HomePage


def site_home_page():
    """The site's HomePage, created under the tree root and made the default site's root."""
    home = HomePage.objects.first()
    if home is None:
        # A transactional test flushes the locale, tree root and root collection that Wagtail's migrations created.
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
        for page in root.get_children():
            page.delete()
        home = root.add_child(instance=HomePage(title="Accueil", slug="accueil"))
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Tremplin"},
    )
    return home
