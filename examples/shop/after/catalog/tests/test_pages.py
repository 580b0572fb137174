from decimal import Decimal

from django.test import RequestFactory
from django.urls import reverse

from catalog import views
from catalog.models import Book, Review

from .base import ShopTestCase


class BookListTests(ShopTestCase):
    url = reverse("catalog:book_list")

    def test_lists_books_with_authors(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A Wizard of Earthsea</a> by Ursula K. Le Guin")
        self.assertContains(response, "Guards! Guards!</a> by Terry Pratchett")
        self.assertContains(response, "Science fiction")
        self.assertContains(response, "Log in")

    def test_filter_by_category_and_logged_in_nav(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url, {"category": "scifi"})
        self.assertContains(response, "Books in scifi")
        self.assertContains(response, "The Dispossessed")
        self.assertNotContains(response, "A Wizard of Earthsea")
        self.assertContains(response, "Signed in as alice")

    async def test_lists_books_with_authors_async(self):
        response = await self.async_client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A Wizard of Earthsea</a> by Ursula K. Le Guin")
        self.assertContains(response, "Guards! Guards!</a> by Terry Pratchett")

    async def test_filter_by_category_and_logged_in_nav_async(self):
        await self.alogin(self.bob)
        response = await self.async_client.get(self.url, {"category": "humour"})
        self.assertContains(response, "Guards! Guards!")
        self.assertNotContains(response, "The Dispossessed")
        self.assertContains(response, "Signed in as bob")


class BookDetailTests(ShopTestCase):
    def test_detail(self):
        response = self.client.get(reverse("catalog:book_detail", args=[self.earthsea.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>A Wizard of Earthsea</h1>", html=True)
        self.assertContains(response, "Ursula K. Le Guin")
        self.assertContains(response, "average 4.5")
        self.assertContains(response, "5/5 from alice: Timeless.")
        self.assertContains(response, "5 in stock")
        self.assertContains(response, "Fantasy")

    def test_detail_404(self):
        response = self.client.get(reverse("catalog:book_detail", args=[9999]))
        self.assertEqual(response.status_code, 404)

    async def test_detail_async(self):
        response = await self.async_client.get(
            reverse("catalog:book_detail", args=[self.guards.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Terry Pratchett")
        self.assertContains(response, "out of stock")
        self.assertContains(response, "Fantasy, Humour")
        self.assertContains(response, "No reviews yet.")

    async def test_detail_404_async(self):
        response = await self.async_client.get(reverse("catalog:book_detail", args=[9999]))
        self.assertEqual(response.status_code, 404)


class BookByIsbnTests(ShopTestCase):
    def test_isbn_with_dashes_renders_detail(self):
        response = self.client.get(reverse("catalog:book_by_isbn", args=["978-0547773742"]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>A Wizard of Earthsea</h1>", html=True)

    def test_unknown_isbn(self):
        response = self.client.get(reverse("catalog:book_by_isbn", args=["0000000000"]))
        self.assertEqual(response.status_code, 404)

    async def test_isbn_renders_detail_async(self):
        response = await self.async_client.get(
            reverse("catalog:book_by_isbn", args=["9780061054884"])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>The Dispossessed</h1>", html=True)

    async def test_unknown_isbn_async(self):
        response = await self.async_client.get(
            reverse("catalog:book_by_isbn", args=["0000000000"])
        )
        self.assertEqual(response.status_code, 404)


class AuthorPagesTests(ShopTestCase):
    def test_author_list_counts_books(self):
        response = self.client.get(reverse("catalog:author_list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ursula K. Le Guin</a> (2 books)")
        self.assertContains(response, "Terry Pratchett</a> (1 book)")
        self.assertContains(response, "Iain M. Banks</a> (0 books)")

    async def test_author_list_counts_books_async(self):
        response = await self.async_client.get(reverse("catalog:author_list"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Ursula K. Le Guin</a> (2 books)")
        self.assertContains(response, "Iain M. Banks</a> (0 books)")

    def test_author_detail(self):
        response = self.client.get(reverse("catalog:author_detail", args=[self.le_guin.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2 books, 2 reviews</p>")
        self.assertContains(response, "<li>The Dispossessed</li>")
        self.assertEqual(
            self.client.get(reverse("catalog:author_detail", args=[9999])).status_code, 404
        )

    async def test_author_detail_async(self):
        response = await self.async_client.get(
            reverse("catalog:author_detail", args=[self.pratchett.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1 books, 0 reviews, none in stock</p>")
        self.assertContains(response, "<li>Guards! Guards!</li>")
        response = await self.async_client.get(reverse("catalog:author_detail", args=[9999]))
        self.assertEqual(response.status_code, 404)


class CategoryBooksTests(ShopTestCase):
    def test_category_books(self):
        response = self.client.get(reverse("catalog:category_books", args=["fantasy"]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "A Wizard of Earthsea by Ursula K. Le Guin")
        self.assertContains(response, "Guards! Guards! by Terry Pratchett")
        self.assertNotContains(response, "The Dispossessed")

    def test_empty_category_and_unknown_category_are_404(self):
        self.assertEqual(
            self.client.get(reverse("catalog:category_books", args=["poetry"])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("catalog:category_books", args=["nope"])).status_code, 404
        )

    async def test_category_books_async(self):
        response = await self.async_client.get(reverse("catalog:category_books", args=["scifi"]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "The Dispossessed by Ursula K. Le Guin")
        self.assertNotContains(response, "Guards! Guards!")

    async def test_empty_category_is_404_async(self):
        response = await self.async_client.get(reverse("catalog:category_books", args=["poetry"]))
        self.assertEqual(response.status_code, 404)


class SearchTests(ShopTestCase):
    url = reverse("catalog:search")

    def test_search_by_author(self):
        response = self.client.get(self.url, {"q": "le guin"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2 results for")
        self.assertContains(response, "A Wizard of Earthsea by Ursula K. Le Guin")

    def test_no_results_and_empty_query(self):
        self.assertContains(self.client.get(self.url, {"q": "zzz"}), "No results for")
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "results for")

    async def test_search_by_title_async(self):
        response = await self.async_client.get(self.url, {"q": "guards"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1 result for")
        self.assertContains(response, "Guards! Guards! by Terry Pratchett")

    async def test_no_results_async(self):
        response = await self.async_client.get(self.url, {"q": "zzz"})
        self.assertContains(response, "No results for")


class BookDeleteTests(ShopTestCase):
    def new_book(self):
        return Book.objects.create(
            title="Excession", isbn="9780553575378", author=self.banks, price=Decimal("9.00")
        )

    def test_get_confirms_post_deletes(self):
        book = self.new_book()
        book.reviews.create(user=self.bob, rating=2)
        url = reverse("catalog:book_delete", args=[book.pk])
        self.assertContains(self.client.get(url), "Delete &ldquo;Excession&rdquo;?")
        response = self.client.post(url)
        self.assertRedirects(response, reverse("catalog:book_list"), fetch_redirect_response=False)
        self.assertFalse(Book.objects.filter(pk=book.pk).exists())
        self.assertEqual(Review.objects.count(), 2)
        self.assertContains(self.client.get(reverse("catalog:book_list")), "Deleted Excession.")

    def test_ordered_book_is_protected(self):
        response = self.client.post(reverse("catalog:book_delete", args=[self.guards.pk]))
        self.assertContains(response, "cannot be deleted", status_code=409)
        self.assertTrue(Book.objects.filter(pk=self.guards.pk).exists())

    async def test_get_confirms_post_deletes_async(self):
        book = await Book.objects.acreate(
            title="Excession", isbn="9780553575378", author=self.banks, price=Decimal("9.00")
        )
        url = reverse("catalog:book_delete", args=[book.pk])
        response = await self.async_client.get(url)
        self.assertContains(response, "Delete &ldquo;Excession&rdquo;?")
        response = await self.async_client.post(url)
        self.assertRedirects(response, reverse("catalog:book_list"), fetch_redirect_response=False)
        self.assertFalse(await Book.objects.filter(pk=book.pk).aexists())
        response = await self.async_client.get(reverse("catalog:book_list"))
        self.assertContains(response, "Deleted Excession.")

    async def test_ordered_book_is_protected_async(self):
        url = reverse("catalog:book_delete", args=[self.dispossessed.pk])
        response = await self.async_client.post(url)
        self.assertContains(response, "cannot be deleted", status_code=409)
        self.assertTrue(await Book.objects.filter(pk=self.dispossessed.pk).aexists())

    async def test_missing_book_async(self):
        response = await self.async_client.post(reverse("catalog:book_delete", args=[9999]))
        self.assertEqual(response.status_code, 404)


class BookFormViewsTests(ShopTestCase):
    create_url = reverse("catalog:book_create")

    def form_data(self, **overrides):
        data = {
            "title": "Use of Weapons",
            "isbn": "978-0356521633",
            "author": self.banks.pk,
            "categories": [self.scifi.pk],
            "price": "10.99",
            "stock": 4,
            "published": "1990-09-01",
        }
        data.update(overrides)
        return data

    def test_create_requires_login(self):
        response = self.client.get(self.create_url)
        self.assertRedirects(
            response, f"/accounts/login/?next={self.create_url}", fetch_redirect_response=False
        )

    def test_create(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.create_url), "New book")
        response = self.client.post(self.create_url, self.form_data())
        book = Book.objects.get(isbn="9780356521633")
        self.assertRedirects(response, book.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(book.author, self.banks)
        self.assertEqual(list(book.categories.all()), [self.scifi])
        self.assertContains(self.client.get(book.get_absolute_url()), "Added Use of Weapons.")

    def test_create_invalid(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.create_url, self.form_data(isbn="12-34"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a 10 or 13 digit ISBN.")
        response = self.client.post(self.create_url, self.form_data(isbn=self.guards.isbn))
        self.assertContains(response, "Book with this Isbn already exists.")
        self.assertEqual(Book.objects.count(), 3)

    async def test_create_requires_login_async(self):
        response = await self.async_client.post(self.create_url, self.form_data())
        self.assertRedirects(
            response, f"/accounts/login/?next={self.create_url}", fetch_redirect_response=False
        )
        self.assertEqual(await Book.objects.acount(), 3)

    async def test_create_async(self):
        await self.alogin(self.bob)
        response = await self.async_client.post(self.create_url, self.form_data())
        book = await Book.objects.select_related("author").aget(isbn="9780356521633")
        self.assertRedirects(response, book.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(book.author.name, "Iain M. Banks")
        slugs = [slug async for slug in book.categories.values_list("slug", flat=True)]
        self.assertEqual(slugs, ["scifi"])

    async def test_create_invalid_async(self):
        await self.alogin(self.bob)
        response = await self.async_client.post(
            self.create_url, self.form_data(isbn=self.guards.isbn, author=9999)
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Book with this Isbn already exists.")
        self.assertContains(response, "Select a valid choice.")
        self.assertEqual(await Book.objects.acount(), 3)

    def test_update(self):
        url = reverse("catalog:book_update", args=[self.guards.pk])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url), 'value="Guards! Guards!"')
        response = self.client.post(
            url,
            self.form_data(title="Guards! Guards!", isbn=self.guards.isbn, price="7.50", stock=9),
        )
        self.assertRedirects(response, self.guards.get_absolute_url(), fetch_redirect_response=False)
        self.guards.refresh_from_db()
        self.assertEqual((self.guards.price, self.guards.stock), (Decimal("7.50"), 9))
        self.assertEqual(self.guards.author, self.banks)

    def test_update_invalid_and_missing(self):
        self.client.force_login(self.alice)
        url = reverse("catalog:book_update", args=[self.guards.pk])
        response = self.client.post(url, self.form_data(price="abc"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a number.")
        self.guards.refresh_from_db()
        self.assertEqual(self.guards.price, Decimal("8.00"))
        missing = self.client.get(reverse("catalog:book_update", args=[9999]))
        self.assertEqual(missing.status_code, 404)

    async def test_update_async(self):
        url = reverse("catalog:book_update", args=[self.earthsea.pk])
        await self.alogin(self.bob)
        response = await self.async_client.get(url)
        self.assertContains(response, "Edit A Wizard of Earthsea")
        response = await self.async_client.post(
            url, self.form_data(title="Earthsea", isbn=self.earthsea.isbn, stock=1)
        )
        self.assertRedirects(
            response, self.earthsea.get_absolute_url(), fetch_redirect_response=False
        )
        book = await Book.objects.aget(pk=self.earthsea.pk)
        self.assertEqual((book.title, book.stock), ("Earthsea", 1))

    async def test_update_requires_login_async(self):
        url = reverse("catalog:book_update", args=[self.earthsea.pk])
        response = await self.async_client.get(url)
        self.assertEqual(response.status_code, 302)


class ReviewCreateTests(ShopTestCase):
    def url(self, book):
        return reverse("catalog:review_create", args=[book.pk])

    def test_create_review(self):
        self.client.force_login(self.bob)
        response = self.client.post(self.url(self.guards), {"rating": 5, "body": "Ook."})
        self.assertEqual(response.status_code, 201)
        review = Review.objects.get(pk=response.json()["id"])
        self.assertEqual((review.user, review.book, review.rating), (self.bob, self.guards, 5))

    def test_invalid_rating_anonymous_and_get(self):
        self.assertEqual(self.client.post(self.url(self.guards), {"rating": 5}).status_code, 302)
        self.client.force_login(self.bob)
        response = self.client.post(self.url(self.guards), {"rating": 9})
        self.assertEqual(response.status_code, 400)
        self.assertIn("rating", response.json()["errors"])
        self.assertEqual(self.client.get(self.url(self.guards)).status_code, 405)
        self.assertEqual(self.client.post(reverse("catalog:review_create", args=[9999]),
                                          {"rating": 3}).status_code, 404)
        self.assertFalse(Review.objects.filter(book=self.guards).exists())

    async def test_create_review_async(self):
        await self.alogin(self.alice)
        response = await self.async_client.post(self.url(self.dispossessed), {"rating": 3})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["rating"], 3)
        review = await Review.objects.select_related("user").aget(pk=response.json()["id"])
        self.assertEqual(review.user.username, "alice")
        self.assertEqual(review.book_id, self.dispossessed.pk)

    async def test_invalid_and_anonymous_async(self):
        response = await self.async_client.post(self.url(self.guards), {"rating": 5})
        self.assertEqual(response.status_code, 302)
        await self.alogin(self.alice)
        response = await self.async_client.post(self.url(self.guards), {"rating": 0})
        self.assertEqual(response.status_code, 400)
        response = await self.async_client.get(self.url(self.guards))
        self.assertEqual(response.status_code, 405)
        self.assertFalse(await Review.objects.filter(book=self.guards).aexists())


class BookCategoriesTests(ShopTestCase):
    def test_add_and_remove(self):
        url = reverse("catalog:book_set_categories", args=[self.guards.pk])
        response = self.client.post(url, {"add": ["scifi", "poetry"], "remove": ["fantasy"]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["categories"], ["humour", "poetry", "scifi"])
        self.assertEqual(
            sorted(self.guards.categories.values_list("slug", flat=True)),
            ["humour", "poetry", "scifi"],
        )
        self.assertEqual(self.client.get(url).status_code, 405)

    async def test_add_and_remove_async(self):
        url = reverse("catalog:book_set_categories", args=[self.earthsea.pk])
        response = await self.async_client.post(url, {"add": ["humour"], "remove": ["fantasy"]})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"book": self.earthsea.pk, "categories": ["humour"]})
        slugs = [s async for s in self.earthsea.categories.values_list("slug", flat=True)]
        self.assertEqual(slugs, ["humour"])
        response = await self.async_client.post(reverse("catalog:book_set_categories", args=[9999]))
        self.assertEqual(response.status_code, 404)


class LegacyFeaturedHelperTests(ShopTestCase):
    """legacy_featured is not routed: it is only ever called directly."""

    def test_direct_call(self):
        response = views.legacy_featured(RequestFactory().get("/"), limit=5)
        self.assertEqual(response.status_code, 200)
        lines = response.content.decode().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn("The Dispossessed by Ursula K. Le Guin", lines)
        self.assertNotIn("Guards! Guards! by Terry Pratchett", lines)
