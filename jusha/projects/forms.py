"""Forms parse what a page sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    DESCRIPTION_MAX_LENGTH,
    MAX_QUANTITY,
    NOTE_MAX_LENGTH,
    TARGET_LABEL_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    ProjectTarget,
    ServiceProject,
)
from .services import MAX_TARGETS, TargetIn

TARGET_ROWS = MAX_TARGETS


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _ResourceChoice(forms.ModelMultipleChoiceField):
    """Each resource labelled with its unit, so that two units' 义诊 are told apart."""

    def label_from_instance(self, obj):
        retired = f" ({obj.get_status_display()})" if obj.status == obj.Status.RETIRED else ""
        return f"{obj.member_unit.name} · {obj.title} · {obj.get_kind_display()}{retired}"


class ProjectForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceProject.Kind.choices)
    number = forms.IntegerField(label=_("Item number (1–5, for service items)"), required=False, min_value=1,
                                max_value=5)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    description = forms.CharField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    categories = forms.ModelMultipleChoiceField(None, label=_("Kinds of need served"), required=False,
                                                widget=forms.CheckboxSelectMultiple)
    owner = forms.ModelChoiceField(None, label=_("Owner"), required=False,
                                   empty_label=_("The subdistrict itself"))
    units = forms.ModelMultipleChoiceField(None, label=_("Participating units"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    resources = _ResourceChoice(None, label=_("Resources bundled (approved resources of the owner or the "
                                              "participating units)"), required=False,
                                widget=forms.SelectMultiple(attrs={"size": 8}))
    communities = forms.ModelMultipleChoiceField(None, label=_("Communities covered"),
                                                 widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("Starts on"), widget=_DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=_DateInput())

    def __init__(self, *args, categories, units, resources, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].queryset = categories
        self.fields["owner"].queryset = units
        self.fields["units"].queryset = units
        self.fields["resources"].queryset = resources
        self.fields["communities"].queryset = communities
        for n in range(1, TARGET_ROWS + 1):
            self.fields[f"target_id_{n}"] = forms.IntegerField(required=False, widget=forms.HiddenInput)
            self.fields[f"target_label_{n}"] = forms.CharField(
                label=_("Target %(n)s: what is counted") % {"n": n}, max_length=TARGET_LABEL_MAX_LENGTH,
                required=False)
            self.fields[f"target_quantity_{n}"] = forms.IntegerField(
                label=_("Target %(n)s: quantity") % {"n": n}, required=False, min_value=1, max_value=MAX_QUANTITY)
            self.fields[f"target_measure_{n}"] = forms.ChoiceField(
                label=_("Target %(n)s: measure") % {"n": n}, choices=ProjectTarget.Measure.choices, required=False)

    def targets(self) -> list[TargetIn]:
        """The filled target rows (a row without words and quantity is left out)."""
        d = self.cleaned_data
        rows = []
        for n in range(1, TARGET_ROWS + 1):
            label, quantity = d.get(f"target_label_{n}", ""), d.get(f"target_quantity_{n}")
            if label or quantity:
                rows.append(TargetIn(label=label, measure=d.get(f"target_measure_{n}", ""), quantity=quantity,
                                     id=d.get(f"target_id_{n}")))
        return rows[:MAX_TARGETS]

    def plan(self) -> dict:
        d = self.cleaned_data
        return {"year": d["year"], "kind": d["kind"], "number": d.get("number"), "title": d["title"],
                "description": d.get("description", ""), "categories": list(d.get("categories") or []),
                "owner": d.get("owner"), "units": list(d.get("units") or []),
                "resources": list(d.get("resources") or []),
                "communities": list(d.get("communities") or []), "starts_on": d["starts_on"],
                "ends_on": d["ends_on"], "targets": self.targets()}

    @staticmethod
    def initial_for(project: ServiceProject) -> dict:
        initial = {"year": project.year, "kind": project.kind, "number": project.number, "title": project.title,
                   "description": project.description, "categories": list(project.categories.all()),
                   "owner": project.owner, "units": list(project.units.all()),
                   "resources": list(project.resources.all()),
                   "communities": list(project.communities.all()), "starts_on": project.starts_on,
                   "ends_on": project.ends_on}
        for n, t in enumerate(project.targets.all(), start=1):
            initial.update({f"target_id_{n}": t.pk, f"target_label_{n}": t.label,
                            f"target_quantity_{n}": t.quantity, f"target_measure_{n}": t.measure})
        return initial


class ProgressForm(forms.Form):
    on = forms.DateField(label=_("Day of the work"), widget=_DateInput())
    note = forms.CharField(label=_("What was done (optional)"), max_length=NOTE_MAX_LENGTH, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_fields = []
        for t in targets:
            name = f"quantity_{t.pk}"
            self.fields[name] = forms.IntegerField(
                label=f"{t.label} ({t.get_measure_display()})", required=False, min_value=0, max_value=MAX_QUANTITY)
            self.target_fields.append((t.pk, name))

    def quantities(self) -> dict[int, int]:
        return {pk: self.cleaned_data[name] for pk, name in self.target_fields
                if self.cleaned_data.get(name) is not None}
