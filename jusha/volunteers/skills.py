"""The service skills a volunteer offers and an activity's volunteer slot may require.

A fixed list rather than a table: activities, matching and the volunteer record all compare the same
codes, and the national volunteer-record forms use a similar closed list. Add a code here (and its
translation) when a community needs one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Skill(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("elderly care and company")
    CHILD_CARE = "child_care", _("children and homework help")
    MEDICAL = "medical", _("medical and first aid")
    PSYCHOLOGY = "psychology", _("counselling")
    LEGAL = "legal", _("legal advice")
    TEACHING = "teaching", _("teaching and lectures")
    IT = "it", _("phones and computers")
    REPAIR = "repair", _("household repairs")
    CLEANING = "cleaning", _("cleaning and environment")
    DRIVING = "driving", _("driving and delivery")
    ARTS = "arts", _("arts and performance")
    PHOTOGRAPHY = "photography", _("photography and video")
    TRANSLATION = "translation", _("translation and sign language")
    ORDER = "order", _("order keeping and patrol")
    EVENT = "event", _("event organising")
    OTHER = "other", _("other")


# Which skills help with which need category (by the code of the need's top category, see the needs
# app's seeded categories). Matching ranks volunteers whose skills meet the need's category; a
# sub-category uses its parent's entry.
NEED_CATEGORY_SKILLS: dict[str, frozenset[str]] = {
    "errands": frozenset({Skill.DRIVING, Skill.ELDERLY_CARE, Skill.OTHER}),
    "elderly_disabled": frozenset({Skill.ELDERLY_CARE, Skill.MEDICAL}),
    "health": frozenset({Skill.MEDICAL, Skill.PSYCHOLOGY}),
    "legal": frozenset({Skill.LEGAL}),
    "tutoring": frozenset({Skill.TEACHING, Skill.CHILD_CARE, Skill.IT, Skill.TRANSLATION}),
    "counselling": frozenset({Skill.PSYCHOLOGY}),
    "repairs": frozenset({Skill.REPAIR, Skill.IT}),
    "sanitation": frozenset({Skill.CLEANING, Skill.ORDER}),
    "culture_sports": frozenset({Skill.ARTS, Skill.EVENT, Skill.PHOTOGRAPHY, Skill.TEACHING}),
    "other": frozenset({Skill.OTHER}),
}
