"""A template saved from the admin keeps plain line endings (N-3)."""

from notifications.forms import MessageTemplateForm


def test_n3_a_template_typed_in_a_browser_is_saved_with_plain_line_endings():
    form = MessageTemplateForm(
        {
            "channel": "push",
            "language": "fr",
            "subject": "Rappel",
            "body": "Bonjour {{ first_name }},\r\n\r\nÀ demain.\rBob",
            "html": "",
        },
        variable_names={"first_name"},
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "Bonjour {{ first_name }},\n\nÀ demain.\nBob"
