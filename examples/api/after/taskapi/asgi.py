"""ASGI entry point for the taskapi project."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taskapi.settings")

application = get_asgi_application()
