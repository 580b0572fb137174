"""A codemod module's LibCST command, built on first access (PEP 562 module ``__getattr__``).

``async-migrate`` imports the codemod modules for their ``rewrite`` hooks and never uses the
commands; building them would import ``libcst.codemod`` (see ``_command.py``).  So each
module ends with ``__getattr__, __dir__ = lazy_command(globals(), "OrmAsyncCommand")``: the
name answers ``getattr`` and ``dir`` (which LibCST's runner and ``libcst.tool list`` use) and
the class is made the first time it is asked for.
"""

from __future__ import annotations

from typing import Any, Callable


def lazy_command(namespace: dict[str, Any], class_name: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    def __getattr__(name: str) -> Any:
        if name != class_name:
            raise AttributeError(f"module {namespace['__name__']!r} has no attribute {name!r}")
        from ._command import command_class

        return command_class(namespace["__name__"], class_name, namespace["NAME"], namespace["DESCRIPTION"])

    def __dir__() -> list[str]:
        return sorted({*namespace, class_name})

    return __getattr__, __dir__
