"""async-migrate's codemods: one module each, runnable alone.

Every module names one codemod (``NAME``), says what it does in its docstring, declares the
first Django version it needs (``MIN_DJANGO``), lists ``VALID`` code it leaves alone and
``INVALID`` code with the rewrite it makes, and exposes a LibCST ``CodemodCommand`` so that
``python -m libcst.tool codemod <module>.<Command> PATH`` runs it on its own.  The command is
built on first access, so async-migrate's own runs never import ``libcst.codemod``: a module
ends with ``__getattr__, __dir__ = lazy_command(globals(), "OrmAsyncCommand")`` (``_lazy.py``).
"""
