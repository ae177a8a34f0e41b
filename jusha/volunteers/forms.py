"""Forms parse what a page sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import EXTRA_FIELDS, EXTRA_VALUE_MAX_LENGTH, NAME_MAX_LENGTH, NOTE_MAX_LENGTH, WEEKDAYS, Volunteer
from .skills import Skill

# The weekly times offered on the form: a part of each day (the API takes any HH:MM slots).
DAY_PARTS = {"morning": ("08:00", "12:00"), "afternoon": ("13:00", "17:00"), "evening": ("18:00", "21:00")}
PART_LABELS = {"morning": _("morning"), "afternoon": _("afternoon"), "evening": _("evening")}
SLOT_CHOICES = [(f"{day}-{part}", f"{WEEKDAYS[day]} {PART_LABELS[part]}") for day in range(7) for part in DAY_PARTS]


def slots_from_choices(values) -> list[dict]:
    slots = []
    for value in values:
        day, part = value.split("-")
        start, end = DAY_PARTS[part]
        slots.append({"weekday": int(day), "start": start, "end": end})
    return slots


def choices_from_slots(slots) -> list[str]:
    parts = {v: k for k, v in DAY_PARTS.items()}
    return [f"{s['weekday']}-{parts[(s['start'], s['end'])]}" for s in slots if (s["start"], s["end"]) in parts]


class _MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class DetailsForm(forms.Form):
    """What a volunteer offers and how to reach them (the volunteer may change these later)."""

    skills = forms.MultipleChoiceField(label=_("Service skills"), choices=Skill.choices,
                                       widget=forms.CheckboxSelectMultiple)
    mobile = forms.CharField(label=_("Contact mobile"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    service_area = forms.ModelMultipleChoiceField(None, label=_("Communities you will serve"), required=False,
                                                  widget=forms.CheckboxSelectMultiple,
                                                  help_text=_("None chosen: your own community."))
    availability = forms.MultipleChoiceField(label=_("When you are usually free"), choices=SLOT_CHOICES,
                                             required=False, widget=forms.CheckboxSelectMultiple)
    extra_consent = forms.BooleanField(label=_("I agree that the optional information below is kept with my "
                                               "record, for organising volunteer work only."), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = communities
        for code, label in EXTRA_FIELDS.items():
            self.fields[f"extra_{code}"] = forms.CharField(label=label, max_length=EXTRA_VALUE_MAX_LENGTH,
                                                           required=False)

    def extra_fields(self):
        return [self[f"extra_{code}"] for code in EXTRA_FIELDS]

    @property
    def details(self) -> dict:
        d = self.cleaned_data
        return {"skills": d["skills"], "mobile": d["mobile"], "service_area": list(d["service_area"]),
                "availability": slots_from_choices(d["availability"]),
                "extra": {code: d[f"extra_{code}"] for code in EXTRA_FIELDS if d.get(f"extra_{code}")},
                "extra_consent": d["extra_consent"]}


class IdentityFields(forms.Form):
    """The record-rule fields that identify a person."""

    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    gender = forms.ChoiceField(label=_("Gender"), choices=Volunteer.Gender.choices, widget=forms.RadioSelect)
    birth_month = forms.DateField(label=_("Month of birth"), input_formats=["%Y-%m"], widget=_MonthInput())
    id_type = forms.ChoiceField(label=_("Identity document"), choices=Volunteer.IdType.choices,
                                initial=Volunteer.IdType.RESIDENT_ID)
    id_number = forms.CharField(label=_("Document number"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    community = forms.ModelChoiceField(None, label=_("Community you live in"), empty_label=_("Choose…"))

    @property
    def identity(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("name", "gender", "birth_month", "id_type", "id_number", "community")}


class ApplyForm(IdentityFields, DetailsForm):
    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, communities=communities, **kwargs)
        self.fields["community"].queryset = communities


class TeamMemberForm(IdentityFields):
    """One staff member a liaison registers for the unit's volunteer team (no optional fields: only the
    person can consent to those)."""

    skills = DetailsForm.base_fields["skills"]
    mobile = DetailsForm.base_fields["mobile"]
    availability = DetailsForm.base_fields["availability"]

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    @property
    def member(self) -> dict:
        d = self.cleaned_data
        return {**self.identity, "skills": d["skills"], "mobile": d["mobile"],
                "availability": slots_from_choices(d["availability"])}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=NOTE_MAX_LENGTH, required=False)
