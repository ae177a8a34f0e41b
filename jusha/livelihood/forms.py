"""Forms parse what the console sends; the services decide whether it is acceptable (and say why not)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ANSWER_MAX_LENGTH, MAX_OPTIONS, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, Question
from .services import QuestionSpec, SurveySettings

_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Introduction shown to respondents"), max_length=NOTE_MAX_LENGTH,
                                  required=False, widget=forms.Textarea(attrs={"rows": 3}))
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=_LOCAL)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=_LOCAL)
    allow_residents = forms.BooleanField(label=_("Residents may answer after logging in"), required=False)
    allow_anonymous = forms.BooleanField(label=_("Anyone may answer without logging in (one answer per phone)"),
                                         required=False)
    allow_units = forms.BooleanField(label=_("Member units may answer (by their liaison)"), required=False)
    allow_communities = forms.BooleanField(label=_("Community staff may answer for their community"),
                                           required=False)

    def settings(self) -> SurveySettings:
        return SurveySettings(**self.cleaned_data)


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices)
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX_LENGTH)
    help_text = forms.CharField(label=_("Hint (optional)"), max_length=TEXT_MAX_LENGTH, required=False)
    section = forms.TypedChoiceField(label=_("Section"), coerce=int, required=False, empty_value=None)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    position = forms.IntegerField(label=_("Place in the survey (empty: at the end)"), min_value=1, required=False)
    options = forms.CharField(
        label=_("Options, one per line (choice and ranking questions, 2 to %(max)s)") % {"max": MAX_OPTIONS},
        required=False, widget=forms.Textarea(attrs={"rows": 5}))
    min_choices = forms.IntegerField(label=_("Multiple choice: pick at least"), min_value=1, required=False)
    max_choices = forms.IntegerField(label=_("Multiple choice: pick at most"), min_value=1, required=False)
    min_value = forms.IntegerField(label=_("Number: smallest allowed"), required=False)
    max_value = forms.IntegerField(label=_("Number: largest allowed"), required=False)
    max_length = forms.IntegerField(label=_("Open text: longest answer (characters)"), min_value=1,
                                    max_value=ANSWER_MAX_LENGTH, required=False)

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("(no section)")), *[(s.pk, s.title) for s in sections]]

    def spec(self) -> QuestionSpec:
        d = dict(self.cleaned_data)
        d["options"] = tuple(line for line in (d.get("options") or "").splitlines())
        return QuestionSpec(**d)

    @staticmethod
    def initial_for(question: Question) -> dict:
        return {"kind": question.kind, "text": question.text, "help_text": question.help_text,
                "section": question.section_id, "required": question.required, "position": question.position,
                "options": "\n".join(o.text for o in question.options.all()),
                "min_choices": question.min_choices, "max_choices": question.max_choices,
                "min_value": question.min_value, "max_value": question.max_value, "max_length": question.max_length}


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Section title"), max_length=TITLE_MAX_LENGTH)


class VisitForm(forms.Form):
    community = forms.ModelChoiceField(None, label=_("Community"), empty_label=_("Choose…"))
    visitors = forms.CharField(label=_("Who visited"), max_length=TITLE_MAX_LENGTH)
    place = forms.CharField(label=_("Where (address or place)"), max_length=TITLE_MAX_LENGTH, required=False)
    visited_at = forms.DateTimeField(label=_("When"), widget=_LOCAL)
    notes = forms.CharField(label=_("What you heard"), max_length=NOTE_MAX_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}))
    suggestions = forms.CharField(label=_("Suggestions raised"), max_length=NOTE_MAX_LENGTH, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    lat = forms.FloatField(label=_("Latitude (optional, WGS-84)"), min_value=-90, max_value=90, required=False)
    lng = forms.FloatField(label=_("Longitude (optional, WGS-84)"), min_value=-180, max_value=180, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
