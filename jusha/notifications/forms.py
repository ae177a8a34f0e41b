from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .channels import enabled
from .models import Channel

MODE_NOW, MODE_DIGEST = "now", "digest"


class PreferencesForm(forms.Form):
    """Channels per kind of message, quiet hours, language and e-mail address, on one page."""

    quiet_enabled = forms.BooleanField(label=_("No texts at night (urgent notices still come)"), required=False)
    quiet_start = forms.TimeField(label=_("Quiet from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=_("Quiet until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    language = forms.ChoiceField(label=_("Language of texts and e-mails"), choices=settings.LANGUAGES)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.groups = []
        offered = enabled()
        if Channel.EMAIL not in offered:
            del self.fields["email"]
        for row in rows:
            names = []
            for channel, label in Channel.choices:
                if channel not in offered:
                    continue
                name = f"{row.field_prefix}--{channel}"
                self.fields[name] = forms.BooleanField(label=label, required=False, initial=channel in row.channels)
                names.append(name)
            mode = None
            if row.kind.digestible:
                mode = f"{row.field_prefix}--mode"
                self.fields[mode] = forms.ChoiceField(
                    label=_("When"), required=False, initial=MODE_DIGEST if row.digest else MODE_NOW,
                    choices=[(MODE_NOW, _("At once")), (MODE_DIGEST, _("Once a day, as a digest"))])
            self.groups.append((row, [self[n] for n in names], self[mode] if mode else None))

    def choices(self) -> dict[str, tuple[list[str], bool]]:
        data = self.cleaned_data
        chosen = {}
        for row in self.rows:
            channels = [c for c in Channel.values if data.get(f"{row.field_prefix}--{c}")]
            digest = data.get(f"{row.field_prefix}--mode") == MODE_DIGEST
            chosen[row.kind.code] = (channels, digest)
        return chosen


class AnnouncementForm(forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None, empty_label=_("Choose…"))
    title = forms.CharField(label=_("Title"), max_length=60)
    body = forms.CharField(label=_("Text"), max_length=500, widget=forms.Textarea(attrs={"rows": 5}))
    urgent = forms.BooleanField(label=_("Urgent (sent at night too)"), required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
