from functools import cached_property

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    portrait = models.FileField(upload_to="portraits", blank=True)

    def __str__(self):
        return self.name

    @property
    def book_titles(self):
        titles = []
        for book in self.book_set.order_by("title"):
            titles.append(book.title)
        return titles

    @property
    def in_stock(self):
        return self.book_set.filter(stock__gt=0).order_by("title")

    @property
    def shout(self):
        return self.name.upper() + "!"

    def get_absolute_url(self):
        return f"/author-detail/{self.pk}/"


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=100, unique=True)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag, blank=True)
    stock = models.IntegerField(default=0)

    def __str__(self):
        return self.title

    @cached_property
    def tag_names(self):
        return sorted(tag.name for tag in self.tags.all())

    @property
    def author_name(self):
        return self.author.name

    def get_absolute_url(self):
        return f"/book-get/{self.pk}/?by={self.author_name}"


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    rating = models.IntegerField()

    def __str__(self):
        return f"{self.user.username} on {self.book.title}"


class Note(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=100)
