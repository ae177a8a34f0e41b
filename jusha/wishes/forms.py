"""Forms parse what the console sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ADDRESS_MAX_LENGTH, MAX_VALUE, NAME_MAX_LENGTH, TEXT_MAX_LENGTH, MicroWish


class WishForm(forms.Form):
    community = forms.ModelChoiceField(None, label=_("Community"), empty_label=_("Choose…"))
    beneficiary_name = forms.CharField(label=_("Beneficiary's name (never shown publicly)"),
                                       max_length=NAME_MAX_LENGTH)
    beneficiary_phone = forms.CharField(label=_("Beneficiary's phone (private)"), max_length=20, required=False)
    beneficiary_address = forms.CharField(label=_("Beneficiary's address (private)"), max_length=ADDRESS_MAX_LENGTH,
                                          required=False)
    category = forms.ChoiceField(label=_("Category"), choices=MicroWish.Category.choices)
    text = forms.CharField(label=_("The wish"), max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX_LENGTH}))
    estimated_value = forms.IntegerField(label=_("Estimated value (yuan)"), min_value=1, max_value=MAX_VALUE)
    target_date = forms.DateField(label=_("Wished for by"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
