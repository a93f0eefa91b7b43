from django.contrib.auth.models import Group
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Collection, Orderable, Page
from wagtail.search import index

from campus.permissions import campuses_of
from campus.serializers import QpvField
from home.blocks import BaseStreamBlock
from home.routing import RoutedPageMixin
from home.seo import SiteUrlMixin

insee_code_validator = RegexValidator(r"^(\d[\dAB]\d{3})$", _("Un code INSEE compte 5 caractères, par exemple 93001."))
postcode_validator = RegexValidator(r"^\d{5}$", _("Un code postal compte 5 chiffres."))


class CampusScopedQuerySet(models.QuerySet):
    """Rows that belong to a campus through a `campus` foreign key."""

    def visible_to(self, user):
        """What a user may see in the admin: everything for superusers, their campuses' rows otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(campus__in=campuses_of(user))


class Qpv(models.Model):
    """A quartier prioritaire de la politique de la ville, as listed by décret."""

    code = models.CharField(
        _("code"),
        max_length=10,
        unique=True,
        # Corsican codes carry the department letter: QP02A001.
        validators=[RegexValidator(r"^Q[PN]\d{2}[\dAB]\d{3}$", _("Un code QPV ressemble à QP093028 ou QP02A001."))],
    )
    name = models.CharField(_("nom"), max_length=200)
    communes = models.CharField(_("communes"), max_length=300, help_text=_("Telles qu'écrites dans le décret."))
    insee_codes = models.CharField(
        _("codes INSEE"), max_length=200, blank=True, help_text=_("Séparés par des points-virgules.")
    )
    department = models.CharField(_("département"), max_length=3)

    class Meta:
        verbose_name = _("quartier prioritaire (QPV)")
        verbose_name_plural = _("quartiers prioritaires (QPV)")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.communes}) – {self.code}"


class CampusIndexPage(RoutedPageMixin, SiteUrlMixin, Page):
    introduction = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["campus.CampusPage"]
    max_count = 1

    # The same for every anonymous visitor: served from the shared cache (home.page_cache).
    public_page_cache = True

    class Meta:
        verbose_name = _("liste des campus")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campuses"] = CampusPage.objects.child_of(self).live().public().select_related("qpv").order_by("title")
        return context


class CampusPage(RoutedPageMixin, SiteUrlMixin, Page):
    summary = models.TextField(_("présentation courte"), max_length=300, blank=True)
    street_address = models.CharField(_("adresse"), max_length=200)
    postcode = models.CharField(_("code postal"), max_length=5, validators=[postcode_validator])
    commune = models.CharField(_("commune"), max_length=100)
    insee_code = models.CharField(_("code INSEE de la commune"), max_length=5, validators=[insee_code_validator])
    qpv = models.ForeignKey(
        Qpv,
        verbose_name=_("quartier prioritaire servi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campuses",
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    opening_hours = models.TextField(
        _("horaires d'ouverture"), blank=True, help_text=_("Une ligne par jour, par exemple : Lundi : 9h – 18h")
    )
    accessibility = RichTextField(
        _("accessibilité"),
        blank=True,
        features=["bold", "link", "ul"],
        help_text=_("Accès en fauteuil, ascenseur, boucle magnétique, référent handicap…"),
    )
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("contenu"))
    staff_group = models.OneToOneField(
        Group, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="campus"
    )
    collection = models.OneToOneField(
        Collection, null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="campus"
    )

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("commune"),
        index.SearchField("body"),
        index.FilterField("postcode"),
    ]

    # The public API (docs/api.md): what the campus page shows, not its staff group or its collection.
    api_fields = [
        APIField("summary"),
        APIField("street_address"),
        APIField("postcode"),
        APIField("commune"),
        APIField("insee_code"),
        APIField("qpv", serializer=QpvField()),
        APIField("latitude"),
        APIField("longitude"),
        APIField("email"),
        APIField("phone"),
        APIField("opening_hours"),
        APIField("accessibility"),
    ]

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("commune"), FieldPanel("insee_code")]),
                FieldPanel("qpv"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Adresse"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]), FieldPanel("opening_hours")],
            heading=_("Contact"),
        ),
        FieldPanel("accessibility"),
        InlinePanel("photos", label=_("Photos"), max_num=8),
        FieldPanel("body"),
    ]

    parent_page_types = ["campus.CampusIndexPage"]
    subpage_types = ["formations.FormationPage"]

    # The same for every anonymous visitor: served from the shared cache (home.page_cache).
    public_page_cache = True

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campus")

    @property
    def opening_hours_lines(self):
        return [line.strip() for line in self.opening_hours.splitlines() if line.strip()]

    @property
    def staff_group_name(self):
        return f"Équipe campus – {self.title} (#{self.pk})"


class CampusPhoto(Orderable):
    page = ParentalKey(CampusPage, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(
        _("description de l'image"), max_length=250, help_text=_("Ce que montre la photo, pour qui ne la voit pas.")
    )

    panels = [FieldPanel("image"), FieldPanel("alt_text")]
