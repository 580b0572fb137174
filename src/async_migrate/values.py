"""What a value in a view body is, as far as async safety goes (a tiny type system)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import libcst as cst

# Kinds of values.
MODEL = "model"            # the model class itself: Book
MANAGER = "manager"        # Book.objects
QUERYSET = "queryset"      # lazy: Book.objects.filter(...)
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

    def with_(self, **changes) -> "Value":
        return replace(self, **changes)

    @property
    def is_query(self) -> bool:
        return self.kind in (MANAGER, QUERYSET, RELATED)


PLAIN_VALUE = Value(PLAIN)
OPAQUE_VALUE = Value(OPAQUE)
