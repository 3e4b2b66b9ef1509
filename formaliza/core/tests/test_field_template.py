"""`core/_field.html`: a single checkbox sits beside its label; a list of checkboxes (or radios)
is a field like any other, its label above the choices."""

from django import forms
from django.template.loader import render_to_string


class Sample(forms.Form):
    active = forms.BooleanField(label="Ativo", required=False)
    members = forms.MultipleChoiceField(
        label="Usuários", choices=[("1", "ana@exemplo.com")], widget=forms.CheckboxSelectMultiple
    )


def field_html(name: str) -> str:
    return render_to_string("core/_field.html", {"field": Sample()[name]})


def test_a_single_checkbox_sits_beside_its_label():
    html = field_html("active")
    assert 'class="field check"' in html
    assert html.index('type="checkbox"') < html.index(">Ativo</label>")


def test_a_list_of_checkboxes_has_its_label_above_the_choices():
    html = field_html("members")
    assert 'class="field"' in html and "check" not in html.split(">")[0]
    assert html.index(">Usuários") < html.index('type="checkbox"')
