"""What the analysis knows of a value: only()/defer() as Django's Query keeps them."""

from __future__ import annotations

import pytest

from async_migrate import values as v

QS = v.Value(v.QUERYSET, "Book")


def _chain(*calls: tuple[str, list | None]) -> v.Value:
    value = QS
    for name, names in calls:
        only, deferred = v.deferral(name, names, value)
        value = value.with_(only=only, deferred=deferred)
    return value


@pytest.mark.parametrize("calls, left_out, kept", [
    ([], [], ["title", "stock", "author"]),
    ([("filter", None)], [], ["title", "stock"]),                        # other methods change nothing
    ([("only", ["title"])], ["stock", "author"], ["title", "pk", "id"]),
    ([("only", ["author__name"])], ["title"], ["author"]),               # a related field loads the key
    ([("defer", ["stock"])], ["stock"], ["title", "author"]),
    ([("defer", ["stock"]), ("defer", ["title"])], ["stock", "title"], ["author"]),
    ([("only", ["title", "stock"]), ("defer", ["stock"])], ["stock", "author"], ["title"]),
    ([("defer", ["stock"]), ("only", ["title", "stock"])], ["stock", "author"], ["title"]),
    ([("only", ["title"]), ("only", ["stock"])], ["title"], ["stock"]),  # a second only() replaces
    ([("defer", ["stock"]), ("defer", [None])], [], ["stock", "title"]),  # defer(None) clears
    ([("only", None)], ["title", "stock"], ["pk"]),                      # not literal: anything may be
    ([("defer", [])], [], ["title"]),
])
def test_only_and_defer(calls, left_out, kept):
    value = _chain(*calls)
    assert [f for f in left_out if value.defers(f)] == left_out
    assert [f for f in kept if not value.defers(f)] == kept


@pytest.mark.parametrize("sql, columns", [
    ('"SELECT id, title FROM book"', {"id", "title"}),
    ('"select distinct b.id, b.title AS name, COALESCE(b.stock, 0) as stock\\nFROM book b"', {"id", "name", "stock"}),
    ('"SELECT * FROM book"', None),
    ('"SELECT b.* FROM book b JOIN author a ON a.id = b.author_id"', None),
    ('sql', set()),                                   # not a literal: only the key is sure
    ('"UPDATE book SET stock = 0"', set()),
])
def test_raw_columns(sql, columns):
    import libcst as cst

    from async_migrate.cst_shapes import raw_columns

    found = raw_columns(cst.parse_expression(f"Book.objects.raw({sql})"))
    assert found == (None if columns is None else frozenset(columns))
