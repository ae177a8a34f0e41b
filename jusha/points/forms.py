"""Forms parse what the console sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, REASON_MAX_LENGTH, Trigger
from .services import MAX_MANUAL


class RuleForm(forms.Form):
    trigger = forms.ChoiceField(label=_("Pays for"), choices=Trigger.choices)
    name = forms.CharField(label=_("Name (bonuses only)"), max_length=NAME_MAX_LENGTH, required=False)
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=MAX_MANUAL)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AwardForm(forms.Form):
    mobile = forms.CharField(label=_("The person's mobile"), max_length=11)
    amount = forms.IntegerField(label=_("Points (negative to deduct)"), min_value=-MAX_MANUAL, max_value=MAX_MANUAL,
                                required=False)
    bonus = forms.ModelChoiceField(None, label=_("Or a bonus"), required=False, empty_label=_("None"))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX_LENGTH)

    def __init__(self, *args, bonuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bonus"].queryset = bonuses


class RewardForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)
    member_unit = forms.ModelChoiceField(None, label=_("Donated by unit"), required=False,
                                         empty_label=_("The subdistrict or community"))
    community = forms.ModelChoiceField(None, label=_("For residents of"), required=False,
                                       empty_label=_("The whole subdistrict"))
    cost = forms.IntegerField(label=_("Cost in points"), min_value=1, max_value=MAX_MANUAL)
    stock = forms.IntegerField(label=_("In stock"), min_value=0, max_value=MAX_MANUAL)
    per_person_limit = forms.IntegerField(label=_("At most per person"), min_value=1, max_value=MAX_MANUAL,
                                          initial=1)
    available_from = forms.DateTimeField(label=_("Available from"), required=False,
                                         widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    available_until = forms.DateTimeField(label=_("Available until"), required=False,
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    pickup_place = forms.CharField(label=_("Where to pick up"), max_length=REASON_MAX_LENGTH, required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, units, communities, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member_unit"].queryset = units
        self.fields["community"].queryset = communities
        if editing:
            # The donor and audience are fixed once people may have redeemed the reward.
            del self.fields["member_unit"]
            del self.fields["community"]
