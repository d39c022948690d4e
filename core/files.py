"""Private uploads: random stored names, one list of accepted types, and a safe download.

Nothing under MEDIA_ROOT is served by URL. A view checks who asks, then returns
`private_file_response`: the web process streams the file, or, when
PRIVATE_FILES_ACCEL_REDIRECT names an nginx `internal` location aliased to
MEDIA_ROOT, nginx sends it (X-Accel-Redirect) once the view has said yes.
"""

import mimetypes
import posixpath
import re
import secrets
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

ALLOWED_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "heic", "webp", "txt", "docx", "xlsx"]
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
_EXTENSION = re.compile(r"\.[a-z0-9]{1,10}")


def extension_of(name):
    """The lower-case extension of a file name, without the dot ("" when none)."""
    return posixpath.splitext(name)[1].lower().lstrip(".")


def validate_upload_type(file):
    if extension_of(file.name) not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("Files of this type are not accepted. Accepted: %(types)s."),
            params={"types": ", ".join(ALLOWED_EXTENSIONS)},
            code="invalid_extension",
        )


def validate_upload_size(file):
    if file.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("This file is %(size)d MB; the limit is %(limit)d MB."),
            params={"size": file.size // 1024 // 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024},
            code="too_large",
        )


class UploadField(forms.FileField):
    """An optional file, checked for type and size before anything is saved."""

    def __init__(self, **kwargs):
        accept = ",".join(f".{extension}" for extension in ALLOWED_EXTENSIONS)
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": accept}))
        super().__init__(
            required=False, validators=[validate_upload_type, validate_upload_size], **kwargs
        )


@deconstructible
class RandomName:
    """`upload_to` that stores `<prefix>/<year>/<month>/<random>.<ext>` and keeps the name
    the person gave in the instance's `original_name` (declare that field after the file
    field: Django saves fields in order, and this runs while the file field is saved)."""

    def __init__(self, prefix):
        self.prefix = prefix

    def __call__(self, instance, filename):
        original = posixpath.basename(filename.replace("\\", "/"))
        instance.original_name = original[:255]
        extension = posixpath.splitext(original)[1].lower()
        extension = extension if _EXTENSION.fullmatch(extension) else ""
        return f"{self.prefix}/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}{extension}"

    def __eq__(self, other):
        return isinstance(other, RandomName) and other.prefix == self.prefix


def display_name(instance):
    """The name to show and download a file under: as uploaded, or, for files stored
    before names were random, the stored one."""
    return instance.original_name or posixpath.basename(instance.file.name)


def private_file_response(field_file, filename):
    """`field_file` as a download named `filename`; call it only once who asks is checked."""
    if not field_file or not field_file.storage.exists(field_file.name):
        raise Http404
    # A type the browser might render (HTML, SVG…) is never announced as such.
    content_type = "application/octet-stream"
    if extension_of(filename) in ALLOWED_EXTENSIONS:
        content_type = mimetypes.guess_type(filename)[0] or content_type
    accel_prefix = settings.PRIVATE_FILES_ACCEL_REDIRECT
    if accel_prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel_prefix.rstrip("/") + "/" + quote(field_file.name)
    else:
        response = FileResponse(field_file.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class PrivateFileWidget(AdminFileWidget):
    """The admin's file input, linking the current file to a checked view, not to /media/.

    `url_for(instance)` gives the link for the row the file belongs to."""

    def __init__(self, url_for, attrs=None):
        super().__init__(attrs)
        self.url_for = url_for

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            instance = value.instance
            context["widget"]["value"] = _Link(self.url_for(instance), display_name(instance))
        return context


class _Link:
    def __init__(self, url, name):
        self.url, self.name = url, name

    def __str__(self):
        return self.name
