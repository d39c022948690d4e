"""Submit a Django admin change form as a browser would: every field, every inline."""


def _value(form, name):
    field = form.fields[name]
    value = form.initial.get(name, field.initial)
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, list | tuple | set) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return [getattr(item, "pk", item) for item in items]
    if value is None:
        from django import forms

        return [] if isinstance(field, forms.ModelMultipleChoiceField) else ""
    return value


def _form_data(form):
    data = {}
    for name in form.fields:
        value = _value(form, name)
        if value is False:
            continue  # an unchecked box is not sent
        data[form.add_prefix(name)] = value
    return data


def change_form_data(response, **changes):
    """The POST data a browser would send back from this admin page, with `changes`."""
    context = response.context
    data = _form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            formset.management_form.initial
            and {
                formset.management_form.add_prefix(key): value
                for key, value in formset.management_form.initial.items()
            }
        )
        # The blank extra forms are not sent: a browser would send them empty.
        data[formset.management_form.add_prefix("TOTAL_FORMS")] = len(formset.initial_forms)
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
