"""Form fields that render themselves through the NHS.UK frontend macros.

A template says `{{ form.nhs_number.as_field_group() }}` and gets the label, hint, error message and
input the NHS.UK design system specifies; `{{ error_summary(form) }}` gives the error summary.
"""

from django import forms
from django.template import engines
from markupsafe import Markup

_MACROS = {
    "input": ("nhsuk/components/input/macro.jinja", "input"),
    "textarea": ("nhsuk/components/textarea/macro.jinja", "textarea"),
    "select": ("nhsuk/components/select/macro.jinja", "select"),
    "radios": ("nhsuk/components/radios/macro.jinja", "radios"),
    "checkboxes": ("nhsuk/components/checkboxes/macro.jinja", "checkboxes"),
    "dateInput": ("nhsuk/components/date-input/macro.jinja", "dateInput"),
    "errorSummary": ("nhsuk/components/error-summary/macro.jinja", "errorSummary"),
}


def render_macro(name: str, params: dict) -> Markup:
    path, macro = _MACROS[name]
    env = engines["jinja2"].env
    template = env.get_template(path)
    # The macro's output comes from the autoescaping environment: every value in params is already escaped.
    return Markup(getattr(template.module, macro)(params))  # noqa: S704


def _widget_kind(widget) -> str:
    from .fields import NhsDateWidget

    if isinstance(widget, NhsDateWidget):
        return "dateInput"
    # CheckboxSelectMultiple is a subclass of RadioSelect: ask about it first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


class NhsBoundField(forms.BoundField):
    def as_field_group(self, *, heading=False, classes=None):
        field = self.field
        kind = _widget_kind(field.widget)
        error = {"text": " ".join(self.errors)} if self.errors else None
        hint = {"text": str(field.help_text)} if field.help_text else None
        label_text = str(self.label)
        attrs = dict(field.widget.attrs)
        width_classes = classes or attrs.pop("nhsuk_classes", None)

        if kind in ("radios", "checkboxes", "checkbox", "dateInput"):
            legend = {"text": label_text}
            if heading:
                legend |= {"isPageHeading": True, "classes": "nhsuk-fieldset__legend--l"}
            params = {
                "idPrefix": self.auto_id,
                "name": self.html_name,
                "fieldset": {"legend": legend},
                "hint": hint,
                "errorMessage": error,
            }
            if kind == "dateInput":
                values = self.value() or ["", "", ""]
                if not isinstance(values, list | tuple):
                    values = field.widget.decompress(values)
                params |= {
                    "id": self.auto_id,
                    "namePrefix": self.html_name,
                    "items": [
                        {"name": "day", "label": "Day", "value": values[0] or "", "width": 2},
                        {"name": "month", "label": "Month", "value": values[1] or "", "width": 2},
                        {"name": "year", "label": "Year", "value": values[2] or "", "width": 4},
                    ],
                }
                if error:
                    for item in params["items"]:
                        item["classes"] = "nhsuk-input--error"
                return render_macro("dateInput", params)
            if kind == "checkbox":
                params["fieldset"] = {"legend": {"text": label_text, "classes": "nhsuk-u-visually-hidden"}}
                params["items"] = [{"value": "on", "text": label_text, "checked": bool(self.value())}]
                return render_macro("checkboxes", params)
            chosen = self.value()
            chosen = [str(v) for v in chosen] if isinstance(chosen, list | tuple) else [str(chosen)]
            params["items"] = [
                {"value": str(value), "text": str(text), "checked": str(value) in chosen}
                for value, text in field.choices
                if str(value) != ""
            ]
            if kind == "radios" and len(params["items"]) <= 2:
                params["classes"] = "nhsuk-radios--inline"
            return render_macro("checkboxes" if kind == "checkboxes" else "radios", params)

        label = {"text": label_text}
        if heading:
            label |= {"isPageHeading": True, "classes": "nhsuk-label--l"}
        value = self.value()
        params = {
            "id": self.auto_id,
            "name": self.html_name,
            "label": label,
            "hint": hint,
            "errorMessage": error,
            "classes": width_classes,
            "attributes": {k: v for k, v in attrs.items() if k not in ("class",)},
        }
        if kind == "select":
            params["items"] = [
                {
                    "value": str(v),
                    "text": str(t),
                    "selected": str(v) == str(value if value is not None else ""),
                }
                for v, t in field.choices
            ]
            return render_macro("select", params)
        params["value"] = "" if value is None else str(field.widget.format_value(value) or "")
        if kind == "textarea":
            params["rows"] = attrs.get("rows", 5)
            params["attributes"].pop("rows", None)
            params["attributes"].pop("cols", None)
            return render_macro("textarea", params)
        params["type"] = getattr(field.widget, "input_type", "text")
        if autocomplete := attrs.get("autocomplete"):
            params["autocomplete"] = autocomplete
        return render_macro("input", params)


def error_summary(*forms_):
    items = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        for message in form.non_field_errors():
            items.append({"text": message, "href": "#main-content-errors"})
        for name, errors in form.errors.items():
            if name == "__all__":
                continue
            bound = form[name]
            href = f"#{bound.auto_id}"
            if isinstance(bound.field.widget, forms.MultiWidget):
                href = f"#{bound.auto_id}-day" if hasattr(bound.field, "is_nhs_date") else f"#{bound.auto_id}_0"
            elif isinstance(bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                href = f"#{bound.auto_id}"
            for message in errors:
                items.append({"text": message, "href": href})
    if not items:
        return Markup("")
    return render_macro("errorSummary", {"titleText": "There is a problem", "errorList": items})
