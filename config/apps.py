from django.apps import AppConfig, apps
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class RelaisAdminConfig(AdminConfig):
    """Replaces Django's admin site with Relais's, which lets managers in."""

    default_site = "accounts.admin_site.RelaisAdminSite"


class RelaisConfig(AppConfig):
    """The project itself: what belongs to no one app, such as the periodic tasks."""

    name = "config"
    label = "relais"
    verbose_name = "Relais"

    def ready(self):
        from config.periodic import install_periodic_tasks

        # Sent once django-celery-beat's tables are migrated (this app has no models of its own).
        post_migrate.connect(
            install_periodic_tasks,
            sender=apps.get_app_config("django_celery_beat"),
            dispatch_uid="relais.periodic_tasks",
        )
