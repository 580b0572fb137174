from django import forms

from .models import Book, Category


class BookForm(forms.ModelForm):
    # Accept ISBNs typed with dashes; they are stripped in clean_isbn().
    isbn = forms.CharField(label="ISBN", max_length=17)

    class Meta:
        model = Book
        fields = ["title", "isbn", "author", "categories", "price", "stock", "published"]

    def clean_isbn(self):
        isbn = self.cleaned_data["isbn"].replace("-", "")
        if not isbn.isdigit() or len(isbn) not in (10, 13):
            raise forms.ValidationError("Enter a 10 or 13 digit ISBN.")
        return isbn


class ReviewForm(forms.Form):
    """Plain form: validation never touches the database."""

    rating = forms.IntegerField(min_value=1, max_value=5)
    body = forms.CharField(widget=forms.Textarea, required=False)


class CategoryForm(forms.ModelForm):
    """Validation checks that the slug is unique, so is_valid() queries the database."""

    class Meta:
        model = Category
        fields = ["name", "slug"]
