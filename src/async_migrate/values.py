"""What a value in a view body is, as far as async safety goes (a tiny type system)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

# Kinds of values.
MODEL = "model"            # the model class itself: Book
MANAGER = "manager"        # Book.objects
QUERYSET = "queryset"      # lazy: Book.objects.filter(...)
RAW = "raw"                # Book.objects.raw(sql): lazy, iterable (async for from 4.1), no other async API
INSTANCES = "instances"    # a list of instances a query already fetched: list(qs), [b for b in qs]
STORED_FILE = "stored_file"  # obj.<FileField>: reading, writing, its size go to the storage (disk, S3)
RELATED = "related"        # related manager: author.book_set, book.tags
INSTANCE = "instance"      # a model instance
PAIR = "pair"              # (instance, created) from get_or_create
REQUEST = "request"
SESSION = "session"
USER = "user"              # request.user once bound (a loaded user instance)
CACHE = "cache"
FORM = "form"
PAGINATOR = "paginator"
SELF = "self"              # ``self`` in a class-based view handler
CURSOR = "cursor"          # connection.cursor(): each method runs SQL, in the thread that opened it
PLAIN = "plain"            # data: no I/O can hide behind it
OPAQUE = "opaque"          # we cannot tell (result of a wrapped helper, ...)


@dataclass(frozen=True)
class Value:
    kind: str
    model: str | None = None
    origin: cst.CSTNode | None = None    # query expression that produced it (for select_related)
    prefix: str = ""                     # relation path from the origin's model: "book__author"
    loaded: frozenset[str] = frozenset()  # relation paths already covered by select_related
    rows_plain: bool = False             # values()/values_list(): rows are dicts/tuples
    touches_db: bool = False             # forms: ModelForm or DB-backed fields
    source: str = ""                     # short description for messages
    cls: str = ""                        # OPAQUE: the project class it is an instance of, if known
    only: frozenset[str] | None = None   # only(...): the fields loaded (None: all but ``deferred``)
    deferred: frozenset[str] = frozenset()   # defer(...): the fields left out

    def with_(self, **changes) -> "Value":
        return replace(self, **changes)

    def defers(self, field: str) -> bool:
        """Did only()/defer() leave ``field`` out of the query (reading it runs another)?"""
        if field in ("pk", "id"):
            return False
        return field in self.deferred or (self.only is not None and field not in self.only)

    @property
    def is_query(self) -> bool:
        return self.kind in (MANAGER, QUERYSET, RELATED)

    @property
    def is_rows(self) -> bool:
        """Iterating it runs a query (``async for`` does it natively)."""
        return self.kind in (MANAGER, QUERYSET, RELATED, RAW)

    @property
    def gives_instances(self) -> bool:
        """Iterating it gives model instances: a query's rows, or a list one fetched."""
        return (self.is_rows or self.kind == INSTANCES) and not self.rows_plain

    def item(self) -> "Value":
        """One of those instances: it keeps the query's origin, what it loaded and left out."""
        return Value(INSTANCE, self.model, origin=self.origin, loaded=self.loaded, only=self.only,
                     deferred=self.deferred)

    @property
    def is_user(self) -> bool:
        """``request.user`` once bound, or an instance of the user model fetched otherwise."""
        return self.kind == USER or (self.kind == INSTANCE and self.model == "User")


FETCHED = frozenset({INSTANCE, INSTANCES, USER})   # model instances (their relations are lazy)
HOLDS_INSTANCES = "a container an instance went into"   # the source of such an OPAQUE value
PLAIN_VALUE = Value(PLAIN)
OPAQUE_VALUE = Value(OPAQUE)


def deferral(name: str, names: list[str | None] | None, base: Value) -> tuple[frozenset[str] | None, frozenset[str]]:
    """``only``/``deferred`` after ``base.<name>(*names)``, as Django's Query keeps them
    (``names`` None: not all literal strings, so any field may be left out)."""
    if name not in ("only", "defer"):
        return base.only, base.deferred
    if names is None:
        return frozenset(), frozenset()
    if name == "defer" and None in names:   # defer(None) clears every deferral
        return None, frozenset()
    fields = frozenset(n.split("__", 1)[0] for n in names if n is not None)
    if name == "only":   # replaces an earlier only(); an earlier defer() still holds
        return fields - (base.deferred if base.only is None else frozenset()), frozenset()
    if base.only is not None:
        return base.only - fields, frozenset()
    return None, base.deferred | fields
