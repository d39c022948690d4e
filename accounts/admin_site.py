from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.scoping import is_back_office_user


class BackOfficeLoginForm(AdminAuthenticationForm):
    """Django's admin login asks for is_staff; here a manager's membership is enough."""

    def confirm_login_allowed(self, user):
        if not is_back_office_user(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class RelaisAdminSite(admin.AdminSite):
    """The back office: open to platform staff and to organisation managers."""

    site_header = _("Relais back office")
    site_title = _("Relais")
    index_title = _("Dashboard")
    index_template = "admin/dashboard.html"
    login_form = BackOfficeLoginForm

    def has_permission(self, request):
        return is_back_office_user(request.user)

    def index(self, request, extra_context=None):
        """The dashboard (SPEC P-4), with Django's list of apps below it."""
        from notifications.dashboard.views import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})
