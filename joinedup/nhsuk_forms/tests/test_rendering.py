from django import forms

from joinedup.nhsuk_forms.fields import NhsDateField, NhsForm


class ExampleForm(NhsForm):
    name = forms.CharField(label="Name", help_text="As on the record")
    colours = forms.MultipleChoiceField(
        label="Colours", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.CheckboxSelectMultiple
    )
    size = forms.ChoiceField(label="Size", choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)
    born = NhsDateField(label="Date of birth", past_only=True)


def test_multiple_choice_renders_as_checkboxes_so_several_can_be_chosen():
    html = str(ExampleForm()["colours"].as_field_group())
    assert html.count('type="checkbox"') == 2 and 'type="radio"' not in html


def test_single_choice_renders_as_radios():
    assert str(ExampleForm()["size"].as_field_group()).count('type="radio"') == 2


def test_errors_render_as_nhs_error_message_and_summary_links_to_the_field():
    from joinedup.nhsuk_forms.rendering import error_summary

    form = ExampleForm({"name": "<b>x</b>", "born[day]": "31", "born[month]": "2", "born[year]": "1990"})
    assert not form.is_valid()
    field = str(form["name"].as_field_group())
    assert "nhsuk-error-message" in field and "look like code" in field
    summary = str(error_summary(form))
    assert 'href="#id_name"' in summary and 'href="#id_born-day"' in summary
    assert "Date of birth must be a real date" in summary


def test_dates_are_read_from_the_names_the_nhs_date_input_uses():
    form = ExampleForm(
        {"name": "A", "colours": ["red"], "size": "s", "born[day]": "3", "born[month]": "Mar", "born[year]": "1990"}
    )
    assert form.is_valid(), form.errors
    import datetime as dt

    assert form.cleaned_data["born"] == dt.date(1990, 3, 3)
    assert 'name="born[day]"' in str(form["born"].as_field_group())
