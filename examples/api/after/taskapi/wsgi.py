"""WSGI entry point for the taskapi project."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taskapi.settings")

application = get_wsgi_application()
