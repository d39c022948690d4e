from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.scoping import is_back_office_user


class RelaisAdminSite(admin.AdminSite):
    """The back office: open to platform staff and to organisation managers."""

    site_header = _("Relais back office")
    site_title = _("Relais")
    index_title = _("Administration")

    def has_permission(self, request):
        return is_back_office_user(request.user)
