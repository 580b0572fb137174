"""Return an unrendered ``TemplateResponse`` instead of calling ``render()`` in async views.

What it does
    ``render(request, "t.html", context, ...)`` -> ``TemplateResponse(request, "t.html",
    context, ...)`` in converted views.

Why
    ``render()`` renders at once, on the event loop: a lazy queryset in the context, a
    relation the template follows, or the ``user``/``perms`` the auth context processor
    supplies all query the database there and raise ``SynchronousOnlyOperation``.  Django
    renders a ``TemplateResponse`` after the view returns, through ``sync_to_async``, so
    the same template and context work unchanged.

Example
    def index(request):
        return render(request, "index.html", {"books": Book.objects.all()})

Use instead
    async def index(request):
        return TemplateResponse(request, "index.html", {"books": Book.objects.all()})

Fix safety
    The response is rendered after the view returns, so middleware and decorators see an
    unrendered response (as with any ``TemplateResponse``); the test client's
    ``response.context`` and ``assertTemplateUsed`` work the same.  ``render``'s sixth
    positional argument (``using``) becomes a keyword, since ``TemplateResponse``'s sixth
    is ``charset``.

References
    https://docs.djangoproject.com/en/stable/ref/template-response/
"""

from __future__ import annotations

import libcst as cst

from async_migrate.codemods._lazy import lazy_command

NAME = "template_response"
DESCRIPTION = "render() -> TemplateResponse, rendered by Django in a worker thread"
MIN_DJANGO = (3, 1)

VALID = [
    "from django.shortcuts import render\n\ndef helper(x):\n    return render(None, 't.html')\n",
]
INVALID = [
    ("from django.shortcuts import render\n\ndef index(request):\n    return render(request, 'i.html', {'q': 1})\n",
     "from django.template.response import TemplateResponse\n\nasync def index(request):\n    return TemplateResponse(request, 'i.html', {'q': 1})\n"),
]


def rewrite(point, node: cst.Call, state):
    state.need("django.template.response", "TemplateResponse")
    if isinstance(node.func, cst.Name):
        state.may_drop("django.shortcuts", node.func.value)
    args = list(node.args)
    positional = [a for a in args if a.keyword is None and a.star == ""]
    if len(positional) >= 6:
        index = args.index(positional[5])
        args[index] = positional[5].with_changes(
            keyword=cst.Name("using"), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
    return node.with_changes(func=cst.Name("TemplateResponse"), args=args)


# python -m libcst.tool codemod template_response.TemplateResponseCommand PATH
__getattr__, __dir__ = lazy_command(globals(), "TemplateResponseCommand")
