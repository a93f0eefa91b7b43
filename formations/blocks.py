from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from home.blocks import BaseStreamBlock


class ProgrammeModuleBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre du module"), max_length=150)
    hours = blocks.IntegerBlock(label=_("Durée en heures"), required=False, min_value=1)
    description = blocks.RichTextBlock(label=_("Ce que l'on y apprend"), features=["bold", "italic", "ul", "link"])

    class Meta:
        icon = "list-ul"
        label = _("Module du programme")
        template = "formations/blocks/programme_module_block.html"
        preview_value = {
            "title": "Les bases du HTML et du CSS",
            "hours": 35,
            "description": "<p>Construire une page web simple et lisible sur téléphone.</p>",
        }


class TestimonialBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Témoignage"), max_length=600)
    name = blocks.CharBlock(label=_("Prénom"), max_length=60)
    role = blocks.CharBlock(
        label=_("Aujourd'hui"), max_length=120, required=False, help_text=_("Ex. : développeuse web")
    )

    class Meta:
        icon = "openquote"
        label = _("Témoignage")
        template = "formations/blocks/testimonial_block.html"
        preview_value = {"quote": "J'ai trouvé un emploi deux mois après.", "name": "Inès", "role": "Technicienne"}


class QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Réponse"), features=["bold", "italic", "ul", "link"])

    class Meta:
        icon = "help"
        label = _("Question")


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), default=_("Questions fréquentes"), max_length=120)
    questions = blocks.ListBlock(QuestionBlock(), label=_("Questions"))

    class Meta:
        icon = "help"
        label = _("Questions fréquentes")
        template = "formations/blocks/faq_block.html"
        preview_value = {
            "title": "Questions fréquentes",
            "questions": [{"question": "Faut-il un ordinateur ?", "answer": "<p>Non, le campus en prête un.</p>"}],
        }


class FormationStreamBlock(BaseStreamBlock):
    module = ProgrammeModuleBlock()
    testimonial = TestimonialBlock()
    faq = FaqBlock()
