"""Make routed views whose bodies do no I/O ``async def``.

What it does
    Turns a function view (or every handler of a plain ``View`` subclass) into ``async def``
    when nothing in its body can block or touch the database: it only reads the request,
    builds responses, redirects or reverses URLs.  A handler that calls another handler of
    its class (``return self.get(request)`` in ``post``) awaits it: both become async.

Why
    Such a view gains nothing from a worker thread; as ``async def`` it runs on the event
    loop under ASGI with no thread hop.  Every other codemod implies this flip for the
    views it fully handles.

Example
    def ping(request):
        return JsonResponse({"ok": True})

Use instead
    async def ping(request):
        return JsonResponse({"ok": True})

Fix safety
    Views that something else calls directly, views under decorators that do not accept
    async views in the target version, and views that Django runs through generic
    class-based machinery are left sync, with the reason in the report.

References
    https://docs.djangoproject.com/en/stable/topics/async/#async-views (Django 3.1)
"""

from __future__ import annotations

from async_migrate import builders as b
from async_migrate.codemods._lazy import lazy_command

NAME = "async_def"
DESCRIPTION = "make routed views with no I/O in their body async def"
MIN_DJANGO = (3, 1)

VALID = [
    # Already async: left alone.
    "async def ping(request):\n    return HttpResponse('ok')\n",
    # Not a view (no request parameter).
    "def helper(value):\n    return value * 2\n",
    # Has I/O: another codemod's job.
    "import time\n\ndef slow(request):\n    time.sleep(1)\n    return HttpResponse('ok')\n",
]
INVALID = [
    ("from django.http import JsonResponse\n\ndef ping(request):\n    return JsonResponse({'q': request.GET.get('q')})\n",
     "from django.http import JsonResponse\n\nasync def ping(request):\n    return JsonResponse({'q': request.GET.get('q')})\n"),
]


def rewrite(point, node, state):
    if point.kind == "await_handler":   # self.get(...) in post(): get becomes async def too
        return b.await_(node)
    raise ValueError(f"async_def cannot rewrite {point.kind}")


# python -m libcst.tool codemod async_def.AsyncDefCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "AsyncDefCommand")
