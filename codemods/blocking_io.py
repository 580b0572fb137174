"""Take blocking I/O off the event loop in converted views.

What it does
    ``time.sleep(x)`` -> ``await asyncio.sleep(x)``; ``requests``/``httpx`` calls,
    ``urllib.request.urlopen``, ``subprocess`` and ``send_mail`` -> ``await
    sync_to_async(f)(args)``; a ``with urlopen(...) as r:`` (or ``open``) block moves whole
    into a nested sync function, since reading the response blocks too.

Why
    A blocking call in ``async def`` stalls every request the event loop is serving.

Example
    def slow(request):
        time.sleep(0.5)
        return HttpResponse("done")

Use instead
    async def slow(request):
        await asyncio.sleep(0.5)
        return HttpResponse("done")

Fix safety
    ``asyncio.sleep`` frees the loop instead of the thread; wrapped calls keep their exact
    arguments and exceptions.  Third-party clients we do not know keep the view sync unless
    ``--unsafe``.

References
    https://docs.djangoproject.com/en/stable/topics/async/
"""

from __future__ import annotations

import libcst as cst

from async_migrate import builders as b
from async_migrate.codemods._lazy import lazy_command
from async_migrate.regions import build_region

NAME = "blocking_io"
DESCRIPTION = "time.sleep, HTTP clients, urlopen and subprocess off the event loop"
MIN_DJANGO = (3, 1)

VALID = [
    "import time\n\ndef backoff(attempt):\n    time.sleep(attempt)\n",
]
INVALID = [
    ("import time\nfrom django.http import HttpResponse\n\ndef slow(request):\n    time.sleep(0.5)\n    return HttpResponse('done')\n",
     "from django.http import HttpResponse\nimport asyncio\n\nasync def slow(request):\n    await asyncio.sleep(0.5)\n    return HttpResponse('done')\n"),
]


def rewrite(point, node, state):
    if point.kind == "sleep":
        state.need("asyncio")
        if isinstance(node.func, cst.Attribute):
            state.may_drop("time")
        else:
            state.may_drop("time", "sleep")
        func = cst.Attribute(cst.Name("asyncio"), cst.Name("sleep"))
        return b.await_(node.with_changes(func=func))
    state.need("asgiref.sync", "sync_to_async")
    if point.kind == "wrap_call":
        return b.wrap_call(node)
    if point.kind == "region":
        return cst.FlattenSentinel(build_region(node, point.data["region"], cst.Name("sync_to_async")))
    raise ValueError(f"blocking_io cannot rewrite {point.kind}")


# python -m libcst.tool codemod blocking_io.BlockingIoCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "BlockingIoCommand")
