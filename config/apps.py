from django.contrib.admin.apps import AdminConfig


class RelaisAdminConfig(AdminConfig):
    """Replaces Django's admin site with Relais's, which lets managers in."""

    default_site = "accounts.admin_site.RelaisAdminSite"
