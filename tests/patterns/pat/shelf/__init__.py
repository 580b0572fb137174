"""A package naming a model of the app (as a models/ package re-exports its modules' models)."""

from pat.models import Book as Volume  # noqa: F401
