"""Forms parse what a page sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jusha.places.coords import CRS

from .models import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH, Resource

WEEKDAYS = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
            (5, _("Saturday")), (6, _("Sunday"))]


class _TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ResourceForm(forms.Form):
    """One resource. Availability is entered as the weekdays and one daily time range, which covers how
    units describe it (工作日 9–17 点); the service and the API take any list of weekly slots."""

    unit = forms.ModelChoiceField(None, label=_("Member unit"), empty_label=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_MAX_LENGTH}))
    categories = forms.ModelMultipleChoiceField(None, label=_("Kinds of need it helps with"),
                                                widget=forms.CheckboxSelectMultiple)
    capacity = forms.IntegerField(label=_("Capacity (people, places or items)"), required=False, min_value=1,
                                  max_value=1_000_000)
    capacity_period = forms.ChoiceField(label=_("Capacity per"), choices=Resource.Period.choices,
                                        initial=Resource.Period.WEEK, widget=forms.RadioSelect)
    weekdays = forms.TypedMultipleChoiceField(label=_("Available on"), choices=WEEKDAYS, coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    time_from = forms.TimeField(label=_("From"), required=False, widget=_TimeInput())
    time_until = forms.TimeField(label=_("Until"), required=False, widget=_TimeInput())
    service_area = forms.ModelMultipleChoiceField(None, label=_("Communities served (empty: the unit's own)"),
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    lng = forms.FloatField(label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180)
    lat = forms.FloatField(label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90)
    crs = forms.ChoiceField(label=_("Coordinate system"), choices=[(c.value, c.value) for c in CRS],
                            initial=CRS.WGS84, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=50)
    contact_mobile = forms.CharField(label=_("Contact mobile"), max_length=20)

    def __init__(self, *args, units, categories, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["categories"].queryset = categories
        self.fields["categories"].label_from_instance = lambda c: (f"{c.parent.label} · {c.label}" if c.parent_id
                                                                   else c.label)
        self.fields["service_area"].queryset = communities
        self.fields["service_area"].label_from_instance = lambda c: c.name

    def clean(self):
        data = super().clean()
        days, start, end = data.get("weekdays") or [], data.get("time_from"), data.get("time_until")
        if days and not (start and end):
            self.add_error("time_until", _("Give the time range for the chosen days."))
        data["availability"] = [{"weekday": d, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
                                for d in sorted(days)] if days and start and end else []
        data["crs"] = data.get("crs") or CRS.WGS84
        return data

    @classmethod
    def initial_for(cls, resource: Resource) -> dict:
        slots = resource.availability or []
        first = slots[0] if slots else {}
        return {
            "unit": resource.member_unit_id, "kind": resource.kind, "title": resource.title,
            "description": resource.description, "categories": list(resource.categories.all()),
            "capacity": resource.capacity, "capacity_period": resource.capacity_period,
            "weekdays": sorted({s["weekday"] for s in slots}), "time_from": first.get("start"),
            "time_until": first.get("end"), "service_area": list(resource.service_area.all()),
            "lng": resource.lng, "lat": resource.lat, "contact_name": resource.contact_name,
            "contact_mobile": resource.contact_mobile,
        }


def service_kwargs(data: dict) -> dict:
    return {k: data[k] for k in ("kind", "title", "description", "categories", "capacity", "capacity_period",
                                 "availability", "service_area", "lng", "lat", "crs", "contact_name",
                                 "contact_mobile")}
