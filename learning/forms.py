"""Forms of the learning app: a festival and its booths."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import Commune
from courses.models import Course
from learning.models import Booth, Event

BOOTH_ORDER_MAX = 999  # a festival has a few dozen booths; the column holds 32,767


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = ["title", "commune", "date", "venue", "organiser", "description", "is_published"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, communes: set[int] | None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the communes whose festivals this person runs (None: every commune).
        queryset = Commune.objects.order_by("name")
        self.fields["commune"].queryset = (
            queryset if communes is None else queryset.filter(pk__in=communes)
        )
        if communes and len(communes) == 1 and not self.instance.pk:
            self.fields["commune"].initial = next(iter(communes))


class BoothForm(forms.ModelForm):
    class Meta:
        model = Booth
        fields = ["title", "course", "order"]
        labels = {"title": _("Gian, chủ đề (ví dụ: Cài đặt VNeID)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].max_value = BOOTH_ORDER_MAX
        self.fields["order"].validators.append(MaxValueValidator(BOOTH_ORDER_MAX))
        self.fields["order"].widget.attrs["max"] = BOOTH_ORDER_MAX
        self.fields["course"].queryset = Course.objects.filter(is_published=True)
