from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Titre"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Niveau"), choices=[("h2", _("Titre de section")), ("h3", _("Sous-titre"))], default="h2"
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "home/blocks/heading_block.html"
        preview_value = {"text": "Ce que vous allez apprendre", "level": "h2"}


class BaseStreamBlock(blocks.StreamBlock):
    """Blocks every page body may use; app StreamBlocks extend it."""

    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"),
        features=["bold", "italic", "link", "ol", "ul"],
        icon="pilcrow",
        template="home/blocks/paragraph_block.html",
        preview_value="<p>Un texte simple, en phrases courtes.</p>",
    )
    image = ImageBlock(label=_("Image"), template="home/blocks/image_block.html")

    class Meta:
        label = _("Contenu")
