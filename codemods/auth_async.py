"""Use Django's async auth API in converted views.

What it does
    Binds the user once per view (``user = await request.auser()``, Django 5.0+) and reads
    ``user`` wherever the view read ``request.user``; ``login``/``logout``/``authenticate``
    become ``alogin``/``alogout``/``aauthenticate`` (5.0+); ``user.has_perm`` and friends
    become ``ahas_perm`` ... (5.2+).

Why
    ``request.user`` is a lazy object: its first attribute access queries the session and
    user tables, which raises ``SynchronousOnlyOperation`` in ``async def``.

Example
    def profile(request):
        return JsonResponse({"name": request.user.username})

Use instead
    async def profile(request):
        user = await request.auser()
        return JsonResponse({"name": user.username})

Fix safety
    Needs ``AuthenticationMiddleware`` (it sets ``request.auser``); a project without it
    keeps such views sync.  Below 5.0 the user is loaded with
    ``await sync_to_async(get_user)(request)`` (one thread hop), and so from 5.2 when an
    AUTHENTICATION_BACKENDS entry lacks ``aget_user()`` (a backend not derived from
    Django's BaseBackend), which ``request.auser()`` then calls; likewise ``authenticate``
    and the permission checks stay wrapped.  A view that assigns ``request.user`` stays sync.

References
    https://docs.djangoproject.com/en/stable/releases/5.0/#django-contrib-auth
"""

from __future__ import annotations

import libcst as cst

from async_migrate import builders as b
from async_migrate.codemods._lazy import lazy_command
from async_migrate.codemods.orm_async import async_function

NAME = "auth_async"
DESCRIPTION = "request.user, login/logout/authenticate and permission checks to async auth"
MIN_DJANGO = (5, 0)

VALID = [
    "def whoami(request, user):\n    return JsonResponse({'name': user})\n",
]
INVALID = [
    ("from django.http import JsonResponse\n\ndef profile(request):\n    return JsonResponse({'name': request.user.username})\n",
     "from django.http import JsonResponse\n\nasync def profile(request):\n    user = await request.auser()\n    return JsonResponse({'name': user.username})\n"),
]


def rewrite(point, node, state):
    if point.kind == "request_user":
        return cst.Name(state.view.user_name if state.view else "user")
    if point.kind == "function":
        return b.await_(async_function(node, point.data["async_name"], state))
    if point.kind == "method":
        return b.await_(b.rename_method(node, point.data["async_name"]))
    if point.kind == "rebind_user":
        # After login()/logout() Django has set request.user to a loaded object: re-read it.
        name = state.view.user_name if state.view else "user"
        request = point.data["request"]
        rebind = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(name))],
                                                     cst.Attribute(request, cst.Name("user")))])
        if any(isinstance(s, cst.Return) for s in node.body):
            return node
        return cst.FlattenSentinel([node, rebind])
    raise ValueError(f"auth_async cannot rewrite {point.kind}")


def finish_function(view, original: cst.FunctionDef, updated: cst.FunctionDef, state) -> cst.FunctionDef:
    """Insert the one ``user = ...`` binding at the top of a view that read request.user."""
    user_points = [p for p in view.points if p.kind == "request_user" and _inside(p.node, original)]
    if not user_points:
        return updated
    request = user_points[0].node.value
    if user_points[0].native:   # request.auser(): not below 5.0, nor when a backend lacks aget_user()
        value = b.await_(b.method_on(request, "auser"))
    else:
        state.need("django.contrib.auth", "get_user")
        state.need("asgiref.sync", "sync_to_async")
        value = b.wrap_call(cst.Call(cst.Name("get_user"), [cst.Arg(request)]))
    binding = cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(view.user_name))], value)])
    body = list(updated.body.body)
    position = 1 if body and b.is_docstring(body[0]) else 0
    body.insert(position, binding)
    return updated.with_changes(body=updated.body.with_changes(body=body))


def _inside(node: cst.CSTNode, function: cst.FunctionDef) -> bool:
    found = []

    class Find(cst.CSTVisitor):
        def on_visit(self, candidate: cst.CSTNode) -> bool:
            if candidate is node:
                found.append(True)
            return not found

    function.visit(Find())
    return bool(found)


# python -m libcst.tool codemod auth_async.AuthAsyncCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "AuthAsyncCommand")
