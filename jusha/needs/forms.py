"""Forms parse what a page sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.places.coords import CRS

from .models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, Need, NeedCategory


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class NeedForm(forms.Form):
    category = forms.ModelChoiceField(NeedCategory.objects.none(), label=_("What kind of help"),
                                      empty_label=_("Choose…"))
    text = forms.CharField(label=_("What do you need?"), max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}),
                           help_text=_("At most %(n)s characters.") % {"n": TEXT_MAX_LENGTH})
    community = forms.ModelChoiceField(None, label=_("Community"), required=False, empty_label=_("Choose…"))
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    crs = forms.ChoiceField(choices=[(c.value, c.value) for c in CRS], initial=CRS.WGS84, required=False,
                            widget=forms.HiddenInput)
    address = forms.CharField(label=_("Address (building, unit, room)"), max_length=ADDRESS_MAX_LENGTH,
                              required=False)
    urgency = forms.TypedChoiceField(label=_("How urgent"), choices=Need.Urgency.choices, coerce=int,
                                     initial=Need.Urgency.NORMAL, widget=forms.RadioSelect)
    preferred_from = forms.DateTimeField(label=_("Preferred from"), required=False, widget=_DateTimeInput())
    preferred_until = forms.DateTimeField(label=_("Preferred until"), required=False, widget=_DateTimeInput())
    contact = forms.ChoiceField(label=_("How should we contact you"), choices=Need.Contact.choices,
                                initial=Need.Contact.CALL, widget=forms.RadioSelect)

    def __init__(self, *args, communities, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: (f"{c.parent.label} · {c.label}" if c.parent_id
                                                                 else c.label)

    def clean_crs(self):
        return self.cleaned_data.get("crs") or CRS.WGS84


class OnBehalfForm(NeedForm):
    """代办: the same need, entered by staff, with who it is for."""

    resident_name = forms.CharField(label=_("Resident's name"), max_length=50)
    resident_mobile = forms.CharField(label=_("Resident's mobile (if they have one)"), max_length=20,
                                      required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].required = True
        for name in ("lng", "lat", "crs"):
            del self.fields[name]
        self.fields["contact"].initial = Need.Contact.VISIT


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("How was the help?"), choices=[(i, str(i)) for i in range(5, 0, -1)],
                                   coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=NOTE_MAX_LENGTH, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
