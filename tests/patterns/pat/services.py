"""Project helpers that hit the database."""

from django.db.models import F

from .models import Book


def restock(book_id, quantity):
    Book.objects.filter(pk=book_id).update(stock=F("stock") + quantity)
    return Book.objects.get(pk=book_id).stock


def titles_by(author):
    return [book.title for book in Book.objects.filter(author=author).order_by("title")]
