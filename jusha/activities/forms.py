"""Forms parse what the console sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_AGE, MAX_SEATS, MAX_SESSIONS, PLACE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Activity


class ActivityForm(forms.Form):
    organiser = forms.ChoiceField(label=_("Organised by"))
    host = forms.ModelChoiceField(None, label=_("Held in community (optional)"), required=False,
                                  empty_label=_("The whole subdistrict"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=TEXT_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX_LENGTH}))
    place_name = forms.CharField(label=_("Place"), max_length=PLACE_MAX_LENGTH)
    lng = forms.FloatField(label=_("Longitude (WGS-84)"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude (WGS-84)"), required=False, min_value=-90, max_value=90)
    geofence_m = forms.IntegerField(label=_("Check-in radius in metres (optional)"), required=False, min_value=1,
                                    max_value=5000)
    seats = forms.IntegerField(label=_("Seats per session"), min_value=1, max_value=MAX_SEATS)
    signup_scope = forms.ChoiceField(label=_("Sign-up"), choices=Activity.SignupScope.choices)
    min_age = forms.IntegerField(label=_("Minimum age (optional)"), required=False, min_value=0, max_value=MAX_AGE)
    max_age = forms.IntegerField(label=_("Maximum age (optional)"), required=False, min_value=0, max_value=MAX_AGE)
    audience_communities = forms.ModelMultipleChoiceField(None, label=_("Only for residents of (optional)"),
                                                          required=False)
    signup_opens_at = forms.DateTimeField(label=_("Sign-up opens (optional)"), required=False,
                                          widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    signup_closes_at = forms.DateTimeField(label=_("Sign-up closes (optional)"), required=False,
                                           widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    cancel_hours = forms.IntegerField(label=_("Cancel until how many hours before the start"), min_value=0,
                                      max_value=720, initial=2)
    needs = forms.ModelMultipleChoiceField(None, label=_("Built from these needs (optional)"), required=False)

    def __init__(self, *args, organisers, communities, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = organisers
        self.fields["host"].queryset = communities
        self.fields["audience_communities"].queryset = communities
        self.fields["needs"].queryset = needs


class SessionForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("Ends (may be after midnight)"),
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    weeks = forms.IntegerField(label=_("Repeat weekly, number of weeks"), min_value=1, max_value=MAX_SESSIONS,
                               initial=1)
    seats = forms.IntegerField(label=_("Seats (empty: as the activity)"), min_value=1, max_value=MAX_SEATS,
                               required=False)
