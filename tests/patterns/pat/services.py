"""Project helpers that hit the database."""

from django.db.models import F

from .models import Book


def restock(book_id, quantity):
    Book.objects.filter(pk=book_id).update(stock=F("stock") + quantity)
    return Book.objects.get(pk=book_id).stock


def titles_by(author):
    return [book.title for book in Book.objects.filter(author=author).order_by("title")]


def in_stock():
    return Book.objects.filter(stock__gt=0).order_by("title")


class Shelf:
    """A helper object a view builds (django-helpdesk's HelpdeskUser(request.user))."""

    def __init__(self, owner):
        self.owner = owner

    def titles(self):
        return [book.title for book in Book.objects.filter(author__name=self.owner).order_by("title")]

    def label(self):
        return f"shelf of {self.owner}"

    @property
    def size(self):
        return Book.objects.filter(author__name=self.owner).count()


def shelf_of(request):
    """django-helpdesk's huser_from_request(): a factory of a helper object."""
    return Shelf(request.GET["owner"])
