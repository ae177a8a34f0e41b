"""Forms parse what a page sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.places.coords import CRS

from .models import ADDRESS_MAX_LENGTH, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, CaseCategory


class _Location(forms.Form):
    lng = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    crs = forms.ChoiceField(choices=[(c.value, c.value) for c in CRS], initial=CRS.WGS84, required=False,
                            widget=forms.HiddenInput)

    def clean_crs(self):
        return self.cleaned_data.get("crs") or CRS.WGS84


def _category_field():
    field = forms.ModelChoiceField(CaseCategory.objects.none(), label=_("What kind of problem"),
                                   empty_label=_("Choose…"))
    field.label_from_instance = lambda c: f"{c.parent.label} · {c.label}"
    return field


class ReportForm(_Location):
    category = _category_field()
    description = forms.CharField(label=_("What is wrong?"), max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX_LENGTH}))
    address = forms.CharField(label=_("Where exactly (optional)"), max_length=ADDRESS_MAX_LENGTH, required=False)
    anonymous = forms.BooleanField(label=_("Report anonymously (staff will not see who you are)"),
                                   required=False)
    follow = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)
    new_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class PatrolForm(_Location):
    category = _category_field()
    description = forms.CharField(label=_("What is wrong?"), max_length=TEXT_MAX_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX_LENGTH}))
    note = forms.CharField(label=_("What you did (handled on the spot)"), max_length=NOTE_MAX_LENGTH,
                           required=False, widget=forms.Textarea(attrs={"rows": 2, "maxlength": NOTE_MAX_LENGTH}))

    def __init__(self, *args, categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(label=_("How well was it fixed?"), choices=[(i, str(i)) for i in range(5, 0, -1)],
                                   coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=NOTE_MAX_LENGTH, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))


class CategoryForm(forms.ModelForm):
    class Meta:
        model = CaseCategory
        fields = ["code", "name", "name_en", "sort_order", "is_active", "handler", "team_kind", "photo_required",
                  "urgency", "accept_minutes", "dispatch_minutes", "handle_minutes", "verify_minutes",
                  "working_hours"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.fields["team_kind"].required = False
