import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 (configured by the line above)

# Production pages name their static files through collectstatic's manifest: without it every page, the 500
# page included, would fail. Refuse to start instead, and say what to run.
if settings.PRODUCTION and not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
    raise ImproperlyConfigured(
        f"No static files manifest in {settings.STATIC_ROOT}: run `python manage.py collectstatic --no-input` "
        "(with the same JOINEDUP_STATIC_ROOT) before starting the web server"
    )
