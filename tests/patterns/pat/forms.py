from django import forms

from .models import Book


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "author", "stock"]


class TaggedBookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "author", "stock", "tags"]
