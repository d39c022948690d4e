"""Private uploads: random stored names, accepted types, a safe download (issue 10, item 3)."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models.fields.files import FieldFile
from django.http import Http404

from core.files import (
    PrivateFileWidget,
    RandomName,
    private_file_response,
    validate_upload_type,
)


class Upload:
    """Stands for a model instance with an `original_name` field."""

    original_name = ""


def stored(tmp_path, name, content=b"data"):
    """A FieldFile already on disk under `name`, the way a model row holds one."""
    storage = FileSystemStorage(location=tmp_path)
    storage.save(name, ContentFile(content))

    class Field:
        pass

    field = Field()
    field.storage = storage
    return FieldFile(instance=None, field=field, name=name)


def test_stored_names_are_random_and_the_given_name_is_kept():
    first, second = Upload(), Upload()
    name = RandomName("requests")(first, "Facture Mars.PDF")
    other = RandomName("requests")(second, "Facture Mars.PDF")
    assert name != other
    assert name.startswith("requests/") and name.endswith(".pdf")
    assert "Facture" not in name
    assert first.original_name == "Facture Mars.PDF"


def test_a_strange_extension_is_not_carried_into_the_stored_name():
    upload = Upload()
    name = RandomName("manual")(upload, "..\\..\\evil.p$p")
    assert "." not in name.rsplit("/", 1)[-1] and ".." not in name
    assert upload.original_name == "evil.p$p"


@pytest.mark.parametrize("name", ["page.html", "image.svg", "script", "x.pdf.exe"])
def test_types_outside_the_list_are_refused(name):
    with pytest.raises(ValidationError):
        validate_upload_type(SimpleUploadedFile(name, b"x"))


def test_accepted_types_ignore_case():
    validate_upload_type(SimpleUploadedFile("Plan.PDF", b"%PDF"))


def test_the_file_is_a_download_the_browser_does_not_sniff(tmp_path, settings):
    settings.PRIVATE_FILES_ACCEL_REDIRECT = ""
    response = private_file_response(stored(tmp_path, "requests/x1.pdf", b"%PDF"), "Devis é.pdf")
    assert b"".join(response.streaming_content) == b"%PDF"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''Devis%20%C3%A9.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


def test_an_old_html_file_is_sent_as_bytes_not_as_a_page(tmp_path, settings):
    settings.PRIVATE_FILES_ACCEL_REDIRECT = ""
    field_file = stored(tmp_path, "manual/2024/05/page.html", b"<script>alert(1)</script>")
    response = private_file_response(field_file, "page.html")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_behind_nginx_the_web_process_only_says_which_file(tmp_path, settings):
    settings.PRIVATE_FILES_ACCEL_REDIRECT = "/private-files/"
    field_file = stored(tmp_path, "requests/2024/05/plan de masse.pdf")
    response = private_file_response(field_file, "plan de masse.pdf")
    assert response["X-Accel-Redirect"] == "/private-files/requests/2024/05/plan%20de%20masse.pdf"
    assert response.content == b""
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_gone_from_disk_is_a_404(tmp_path):
    field_file = stored(tmp_path, "requests/x.pdf")
    field_file.storage.delete("requests/x.pdf")
    with pytest.raises(Http404):
        private_file_response(field_file, "x.pdf")


def test_the_admin_widget_links_to_the_checked_view_under_the_given_name(tmp_path):
    field_file = stored(tmp_path, "requests/2024/05/Zx9.pdf")
    row = Upload()
    row.original_name, row.file = "devis.pdf", field_file
    field_file.instance = row
    widget = PrivateFileWidget(url_for=lambda instance: "/checked/1/")
    html = widget.render("file", field_file)
    assert 'href="/checked/1/"' in html and ">devis.pdf<" in html
    assert "/media/" not in html and "Zx9" not in html
