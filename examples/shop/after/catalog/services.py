"""Project helpers shared by several views.  These hit the database."""

from django.db.models import Count, Sum

from .models import Book, Order, OrderLine


class InsufficientStock(Exception):
    def __init__(self, book, wanted):
        super().__init__(f"Only {book.stock} left of {book.title!r}, {wanted} requested")
        self.book = book
        self.wanted = wanted


def top_selling_books(limit=5):
    """Books ordered by copies sold in orders that were not cancelled."""
    sold = (
        OrderLine.objects.exclude(order__status=Order.Status.CANCELLED)
        .values("book")
        .annotate(copies=Sum("quantity"))
        .order_by("-copies", "book")[:limit]
    )
    copies = {row["book"]: row["copies"] for row in sold}
    books = Book.objects.select_related("author").in_bulk(list(copies))
    return [
        {"id": pk, "title": books[pk].title, "author": books[pk].author.name, "copies": n}
        for pk, n in copies.items()
    ]


def author_summary(author):
    """Counts used on the author page."""
    books = author.book_set.all()
    return {
        "books": books.count(),
        "reviews": books.aggregate(n=Count("reviews"))["n"],
        "in_stock": books.filter(stock__gt=0).exists(),
    }
