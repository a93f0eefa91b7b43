from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from home.blocks import BaseStreamBlock
from home.routing import RoutedPageMixin
from home.seo import SiteUrlMixin


class HomePage(RoutedPageMixin, SiteUrlMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["campus.CampusIndexPage", "home.StandardPage"]
    max_count = 1

    # The same for every anonymous visitor: served from the shared cache (home.page_cache).
    public_page_cache = True

    class Meta:
        verbose_name = _("page d'accueil")


class StandardPage(RoutedPageMixin, SiteUrlMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]

    parent_page_types = ["home.HomePage", "home.StandardPage"]
    subpage_types = ["home.StandardPage"]

    # The same for every anonymous visitor: served from the shared cache (home.page_cache).
    public_page_cache = True

    class Meta:
        verbose_name = _("page simple")


def private_storage():
    return storages["private"]
