"""The class-based views in ``catalog/class_views.py``, through both clients."""

from decimal import Decimal

from django.contrib.auth.models import User
from django.urls import reverse

from catalog.models import Book, Category, Review

from .base import PASSWORD, ShopTestCase

CART = reverse("catalog:cart")
WISHLIST = reverse("catalog:wishlist")
TO_CART = reverse("catalog:wishlist_to_cart")
TRANSFER = reverse("catalog:stock_transfer")
NEW_CATEGORY = reverse("catalog:category_create")
LOGIN = reverse("accounts:login")


class ClassViewTestCase(ShopTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.carol = User.objects.create_user("carol", "carol@example.com", PASSWORD, is_staff=True)

    def payload(self, book, stock=None, in_stock=None):
        stock = book.stock if stock is None else stock
        return {
            "id": book.pk,
            "title": book.title,
            "author": book.author.name,
            "stock": stock,
            "in_stock": stock > 0 if in_stock is None else in_stock,
        }


class BookStockViewTests(ClassViewTestCase):
    def url(self, book_or_pk):
        return reverse("catalog:book_stock", args=[getattr(book_or_pk, "pk", book_or_pk)])

    def test_get(self):
        response = self.client.get(self.url(self.earthsea))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.payload(self.earthsea))
        self.assertEqual(self.client.get(self.url(9999)).status_code, 404)

    def test_post_adjusts_stock_for_staff_only(self):
        response = self.client.post(self.url(self.earthsea), {"delta": 3}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.alice)
        response = self.client.post(self.url(self.earthsea), {"delta": 3}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        self.client.force_login(self.carol)
        response = self.client.post(self.url(self.earthsea), {"delta": 3}, content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.payload(self.earthsea, stock=8))
        self.assertEqual(Book.objects.get(pk=self.earthsea.pk).stock, 8)

    def test_post_rejects_bad_delta_and_overdraw(self):
        self.client.force_login(self.carol)
        url = self.url(self.dispossessed)
        response = self.client.post(url, {"delta": -3}, content_type="application/json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"error": "only 2 in stock"})
        response = self.client.post(url, {"delta": "x"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.post(url, "nope", content_type="application/json").status_code, 400)
        self.assertEqual(Book.objects.get(pk=self.dispossessed.pk).stock, 2)
        response = self.client.post(self.url(9999), {"delta": 1}, content_type="application/json")
        self.assertEqual(response.status_code, 404)

    async def test_get_async(self):
        response = await self.async_client.get(self.url(self.guards))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.payload(self.guards))
        self.assertFalse(response.json()["in_stock"])
        response = await self.async_client.get(self.url(9999))
        self.assertEqual(response.status_code, 404)

    async def test_post_async(self):
        url = self.url(self.dispossessed)
        response = await self.async_client.post(url, {"delta": -2}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        await self.alogin(self.bob)
        response = await self.async_client.post(url, {"delta": -2}, content_type="application/json")
        self.assertEqual(response.status_code, 403)
        await self.alogin(self.carol)
        response = await self.async_client.post(url, {"delta": -2}, content_type="application/json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.payload(self.dispossessed, stock=0))
        self.assertEqual((await Book.objects.aget(pk=self.dispossessed.pk)).stock, 0)
        response = await self.async_client.post(
            self.url(self.guards), {"delta": -1}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual((await Book.objects.aget(pk=self.guards.pk)).stock, 0)


class BookReviewsViewTests(ClassViewTestCase):
    def url(self, book_or_pk):
        return reverse("catalog:book_reviews", args=[getattr(book_or_pk, "pk", book_or_pk)])

    def test_get_lists_newest_first(self):
        response = self.client.get(self.url(self.earthsea))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "book": self.payload(self.earthsea),
                "count": 2,
                "results": [
                    {"user": "bob", "rating": 4, "body": "Short and sharp."},
                    {"user": "alice", "rating": 5, "body": "Timeless."},
                ],
            },
        )
        self.assertEqual(self.client.get(self.url(9999)).status_code, 404)

    def test_post_creates_one_review_per_user(self):
        url = self.url(self.guards)
        body = {"rating": 3, "body": "Ook."}
        response = self.client.post(url, body, content_type="application/json")
        self.assertEqual(response.status_code, 401)
        self.client.force_login(self.alice)
        response = self.client.post(url, {"rating": 9}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = self.client.post(url, body, content_type="application/json")
        self.assertEqual(response.status_code, 201)
        review = Review.objects.get(book=self.guards)
        self.assertEqual((review.user, review.rating, review.body), (self.alice, 3, "Ook."))
        self.assertEqual(response.json(), {"id": review.pk, "book": self.guards.pk, "rating": 3})
        response = self.client.post(url, body, content_type="application/json")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Review.objects.filter(book=self.guards).count(), 1)

    def test_delete_removes_own_reviews_only(self):
        url = self.url(self.earthsea)
        self.assertEqual(self.client.delete(url).status_code, 401)
        self.client.force_login(self.alice)
        response = self.client.delete(url)
        self.assertEqual(response.json(), {"book": self.earthsea.pk, "deleted": 1})
        self.assertEqual(list(Review.objects.filter(book=self.earthsea).values_list("user__username", flat=True)), ["bob"])
        self.assertEqual(self.client.delete(url).json()["deleted"], 0)

    async def test_get_async(self):
        response = await self.async_client.get(self.url(self.guards))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"book": self.payload(self.guards), "count": 0, "results": []})
        response = await self.async_client.get(self.url(self.earthsea))
        self.assertEqual([r["user"] for r in response.json()["results"]], ["bob", "alice"])

    async def test_post_and_delete_async(self):
        url = self.url(self.dispossessed)
        response = await self.async_client.post(url, {"rating": 4}, content_type="application/json")
        self.assertEqual(response.status_code, 401)
        self.assertEqual((await self.async_client.delete(url)).status_code, 401)
        await self.alogin(self.bob)
        response = await self.async_client.post(url, {"rating": 4}, content_type="application/json")
        self.assertEqual(response.status_code, 201)
        review = await Review.objects.aget(book=self.dispossessed)
        self.assertEqual((review.user_id, review.rating, review.body), (self.bob.pk, 4, ""))
        response = await self.async_client.post(url, {"rating": 5}, content_type="application/json")
        self.assertEqual(response.status_code, 409)
        response = await self.async_client.delete(url)
        self.assertEqual(response.json(), {"book": self.dispossessed.pk, "deleted": 1})
        self.assertFalse(await Review.objects.filter(book=self.dispossessed).aexists())
        self.assertEqual(await Review.objects.acount(), 2)


class AuthorBooksViewTests(ClassViewTestCase):
    def url(self, author_or_pk):
        return reverse("catalog:author_books", args=[getattr(author_or_pk, "pk", author_or_pk)])

    def test_get(self):
        response = self.client.get(self.url(self.le_guin))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "author": "Ursula K. Le Guin",
                "count": 2,
                "results": [
                    {"id": self.earthsea.pk, "title": "A Wizard of Earthsea", "stock": 5},
                    {"id": self.dispossessed.pk, "title": "The Dispossessed", "stock": 2},
                ],
            },
        )
        self.assertEqual(self.client.get(self.url(9999)).status_code, 404)

    def test_post_creates_book_for_staff(self):
        data = {"title": "Excession", "isbn": "978-0553575378", "price": "9.00", "stock": "4",
                "category": ["scifi"]}
        self.assertEqual(self.client.post(self.url(self.banks), data).status_code, 403)
        self.client.force_login(self.carol)
        response = self.client.post(self.url(self.banks), data)
        self.assertEqual(response.status_code, 201)
        book = Book.objects.get(isbn="9780553575378")
        self.assertEqual(response.json(), {"id": book.pk, "author": self.banks.pk, "categories": ["scifi"]})
        self.assertEqual((book.author, book.title, book.price, book.stock),
                         (self.banks, "Excession", Decimal("9.00"), 4))
        self.assertEqual(list(book.categories.all()), [self.scifi])
        # The same ISBN again, a bad price, an unknown author.
        self.assertEqual(self.client.post(self.url(self.banks), data).status_code, 400)
        response = self.client.post(self.url(self.banks), {**data, "isbn": "1111111111", "price": "x"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.post(self.url(9999), data).status_code, 404)
        self.assertEqual(Book.objects.filter(author=self.banks).count(), 1)

    async def test_get_async(self):
        response = await self.async_client.get(self.url(self.banks))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"author": "Iain M. Banks", "count": 0, "results": []})
        response = await self.async_client.get(self.url(9999))
        self.assertEqual(response.status_code, 404)

    async def test_post_async(self):
        data = {"title": "Mort", "isbn": "9780062225719", "price": "7.50",
                "category": ["humour", "fantasy"]}
        await self.alogin(self.alice)
        response = await self.async_client.post(self.url(self.pratchett), data)
        self.assertEqual(response.status_code, 403)
        await self.alogin(self.carol)
        response = await self.async_client.post(self.url(self.pratchett), data)
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["categories"], ["fantasy", "humour"])
        book = await Book.objects.aget(isbn="9780062225719")
        self.assertEqual((book.author_id, book.stock, book.price), (self.pratchett.pk, 0, Decimal("7.50")))
        self.assertEqual(await book.categories.acount(), 2)
        response = await self.async_client.post(self.url(self.pratchett), {**data, "title": ""})
        self.assertEqual(response.status_code, 400)


class StockTransferViewTests(ClassViewTestCase):
    def data(self, source, target, quantity):
        return {"source": source.pk, "target": target.pk, "quantity": quantity}

    def stocks(self):
        return dict(Book.objects.values_list("title", "stock"))

    def test_staff_only(self):
        self.assertEqual(self.client.post(TRANSFER, self.data(self.earthsea, self.guards, 1)).status_code, 403)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(TRANSFER, self.data(self.earthsea, self.guards, 1)).status_code, 403)
        self.assertEqual(Book.objects.get(pk=self.guards.pk).stock, 0)

    def test_transfer(self):
        self.client.force_login(self.carol)
        response = self.client.post(TRANSFER, self.data(self.earthsea, self.guards, 2))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"source": 3, "target": 2})
        self.assertEqual(self.stocks(), {"A Wizard of Earthsea": 3, "Guards! Guards!": 2, "The Dispossessed": 2})

    def test_failures_change_nothing(self):
        self.client.force_login(self.carol)
        before = self.stocks()
        # The target is incremented first inside the transaction: it must be rolled back.
        response = self.client.post(TRANSFER, self.data(self.dispossessed, self.guards, 5))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"error": "Only 2 left of 'The Dispossessed', 5 requested"})
        response = self.client.post(TRANSFER, {"source": self.earthsea.pk, "target": 9999, "quantity": 1})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.client.post(TRANSFER, {"source": self.earthsea.pk}).status_code, 400)
        self.assertEqual(self.client.post(TRANSFER, self.data(self.earthsea, self.earthsea, 1)).status_code, 400)
        self.assertEqual(self.client.post(TRANSFER, self.data(self.earthsea, self.guards, 0)).status_code, 400)
        self.assertEqual(self.client.get(TRANSFER).status_code, 405)
        self.assertEqual(self.stocks(), before)

    async def test_transfer_async(self):
        response = await self.async_client.post(TRANSFER, self.data(self.earthsea, self.dispossessed, 1))
        self.assertEqual(response.status_code, 403)
        await self.alogin(self.carol)
        response = await self.async_client.post(TRANSFER, self.data(self.earthsea, self.dispossessed, 5))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"source": 0, "target": 7})
        self.assertEqual((await Book.objects.aget(pk=self.earthsea.pk)).stock, 0)
        self.assertEqual((await Book.objects.aget(pk=self.dispossessed.pk)).stock, 7)

    async def test_failures_change_nothing_async(self):
        await self.alogin(self.carol)
        response = await self.async_client.post(TRANSFER, self.data(self.guards, self.earthsea, 1))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"error": "Only 0 left of 'Guards! Guards!', 1 requested"})
        self.assertEqual((await Book.objects.aget(pk=self.earthsea.pk)).stock, 5)
        response = await self.async_client.post(TRANSFER, {"source": 9999, "target": self.guards.pk, "quantity": 1})
        self.assertEqual(response.status_code, 404)
        response = await self.async_client.post(TRANSFER, {"quantity": "many"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual((await Book.objects.aget(pk=self.guards.pk)).stock, 0)
        self.assertEqual((await self.async_client.get(TRANSFER)).status_code, 405)


class CategoryCreateViewTests(ClassViewTestCase):
    def test_form_page(self):
        response = self.client.get(NEW_CATEGORY)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>New category</h1>")
        self.assertContains(response, 'name="slug"')

    def test_post_requires_login(self):
        response = self.client.post(NEW_CATEGORY, {"name": "Poems", "slug": "poems"})
        self.assertRedirects(response, f"{LOGIN}?next=%2Fcategories%2Fnew%2F", fetch_redirect_response=False)
        self.assertFalse(Category.objects.filter(slug="poems").exists())

    def test_post_creates_and_validates(self):
        self.client.force_login(self.alice)
        response = self.client.post(NEW_CATEGORY, {"name": "Essays", "slug": "essays"})
        self.assertRedirects(response, reverse("catalog:category_manage", args=["essays"]),
                             fetch_redirect_response=False)
        self.assertEqual(Category.objects.get(slug="essays").name, "Essays")
        page = self.client.get(response["Location"])
        self.assertContains(page, "Created Essays.")
        self.assertContains(page, "Signed in as alice")
        response = self.client.post(NEW_CATEGORY, {"name": "More fantasy", "slug": "fantasy"})
        self.assertContains(response, "Category with this Slug already exists.", status_code=400)
        self.assertEqual(Category.objects.filter(slug="fantasy").count(), 1)

    async def test_form_page_async(self):
        response = await self.async_client.get(NEW_CATEGORY)
        self.assertContains(response, "<h1>New category</h1>")
        self.assertContains(response, "Log in")

    async def test_post_async(self):
        response = await self.async_client.post(NEW_CATEGORY, {"name": "Poems", "slug": "poems"})
        self.assertRedirects(response, f"{LOGIN}?next=%2Fcategories%2Fnew%2F", fetch_redirect_response=False)
        await self.alogin(self.bob)
        response = await self.async_client.post(NEW_CATEGORY, {"name": "Poems", "slug": "poems"})
        self.assertRedirects(response, reverse("catalog:category_manage", args=["poems"]),
                             fetch_redirect_response=False)
        self.assertTrue(await Category.objects.filter(slug="poems", name="Poems").aexists())
        page = await self.async_client.get(response["Location"])
        self.assertContains(page, "Created Poems.")
        response = await self.async_client.post(NEW_CATEGORY, {"name": "", "slug": "scifi"})
        self.assertContains(response, "Category with this Slug already exists.", status_code=400)
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertEqual(await Category.objects.acount(), 5)


class CategoryManageViewTests(ClassViewTestCase):
    def url(self, slug):
        return reverse("catalog:category_manage", args=[slug])

    def test_page(self):
        response = self.client.get(self.url("fantasy"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Fantasy (2 books)</h1>")
        self.assertContains(response, "<li>A Wizard of Earthsea by Ursula K. Le Guin</li>")
        self.assertContains(response, "<li>Guards! Guards! by Terry Pratchett</li>")
        self.assertContains(self.client.get(self.url("poetry")), "No books in this category.")
        self.assertEqual(self.client.get(self.url("nope")).status_code, 404)

    def test_delete(self):
        self.assertEqual(self.client.delete(self.url("poetry")).status_code, 403)
        self.client.force_login(self.carol)
        response = self.client.delete(self.url("fantasy"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), {"error": "Fantasy still has books"})
        self.assertEqual(self.client.delete(self.url("poetry")).status_code, 204)
        self.assertFalse(Category.objects.filter(slug="poetry").exists())
        self.assertEqual(self.client.delete(self.url("poetry")).status_code, 404)
        self.assertEqual(Category.objects.count(), 3)

    async def test_page_async(self):
        await self.alogin(self.alice)
        response = await self.async_client.get(self.url("scifi"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Science fiction (1 book)</h1>")
        self.assertContains(response, "<li>The Dispossessed by Ursula K. Le Guin</li>")
        self.assertContains(response, "Signed in as alice")
        response = await self.async_client.get(self.url("nope"))
        self.assertEqual(response.status_code, 404)

    async def test_delete_async(self):
        await self.alogin(self.alice)
        self.assertEqual((await self.async_client.delete(self.url("poetry"))).status_code, 403)
        await self.alogin(self.carol)
        self.assertEqual((await self.async_client.delete(self.url("humour"))).status_code, 409)
        self.assertEqual((await self.async_client.delete(self.url("poetry"))).status_code, 204)
        self.assertFalse(await Category.objects.filter(slug="poetry").aexists())
        self.assertTrue(await Category.objects.filter(slug="humour").aexists())


class BestsellersPageViewTests(ClassViewTestCase):
    url = reverse("catalog:bestsellers_page")

    def test_page(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Top 5 bestsellers</h1>")
        self.assertContains(
            response,
            "<li>A Wizard of Earthsea by Ursula K. Le Guin: 3 sold</li>"
            "<li>The Dispossessed by Ursula K. Le Guin: 1 sold</li>",
        )
        self.assertNotContains(response, "Guards! Guards!")  # only a cancelled order

    def test_limit(self):
        self.client.force_login(self.bob)
        response = self.client.get(self.url, {"limit": 1})
        self.assertContains(response, "<h1>Top 1 bestsellers</h1>")
        self.assertContains(response, "A Wizard of Earthsea")
        self.assertNotContains(response, "The Dispossessed")
        self.assertContains(response, "Signed in as bob")
        self.assertContains(self.client.get(self.url, {"limit": "x"}), "<h1>Top 5 bestsellers</h1>")

    async def test_page_async(self):
        await self.alogin(self.alice)
        response = await self.async_client.get(self.url, {"limit": "50"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1>Top 20 bestsellers</h1>")
        self.assertContains(response, "<li>The Dispossessed by Ursula K. Le Guin: 1 sold</li>")
        self.assertContains(response, "Signed in as alice")


class AuthorIndexViewTests(ClassViewTestCase):
    url = reverse("catalog:author_index")

    def test_paginated(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Author index, page 1 of 2")
        self.assertContains(response, "Iain M. Banks</a>: 0")
        self.assertContains(response, "Terry Pratchett</a>: 1")
        self.assertNotContains(response, "Le Guin")
        response = self.client.get(self.url, {"page": 2})
        self.assertContains(response, "Ursula K. Le Guin</a>: 2")
        self.assertEqual(self.client.get(self.url, {"page": 3}).status_code, 404)

    async def test_paginated_async(self):
        await self.alogin(self.bob)
        response = await self.async_client.get(self.url, {"page": 2})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Author index, page 2 of 2")
        self.assertContains(response, "Ursula K. Le Guin</a>: 2")
        self.assertContains(response, "Signed in as bob")
        response = await self.async_client.get(self.url, {"page": 3})
        self.assertEqual(response.status_code, 404)


class WishlistViewTests(ClassViewTestCase):
    def test_add_list_clear(self):
        self.assertContains(self.client.get(WISHLIST), "Your wishlist is empty.")
        response = self.client.post(WISHLIST, {"book": self.earthsea.pk})
        self.assertRedirects(response, WISHLIST, fetch_redirect_response=False)
        self.client.post(WISHLIST, {"book": self.earthsea.pk})
        self.client.post(WISHLIST, {"book": self.guards.pk})
        response = self.client.get(WISHLIST)
        self.assertContains(response, "<li>A Wizard of Earthsea by Ursula K. Le Guin</li>", count=1)
        self.assertContains(response, "<li>Guards! Guards! by Terry Pratchett</li>")
        self.assertContains(response, "Guards! Guards! is on your wishlist.")
        self.assertEqual(self.client.session["wishlist"], [self.earthsea.pk, self.guards.pk])
        self.assertEqual(self.client.delete(WISHLIST).status_code, 204)
        self.assertContains(self.client.get(WISHLIST), "Your wishlist is empty.")

    def test_bad_input(self):
        self.assertEqual(self.client.post(WISHLIST, {"book": "abc"}).status_code, 400)
        self.assertEqual(self.client.post(WISHLIST).status_code, 400)
        self.assertEqual(self.client.post(WISHLIST, {"book": 9999}).status_code, 404)
        self.assertEqual(self.client.put(WISHLIST).status_code, 405)
        self.assertContains(self.client.get(WISHLIST), "Your wishlist is empty.")

    async def test_add_list_clear_async(self):
        response = await self.async_client.get(WISHLIST)
        self.assertContains(response, "Your wishlist is empty.")
        response = await self.async_client.post(WISHLIST, {"book": self.dispossessed.pk})
        self.assertRedirects(response, WISHLIST, fetch_redirect_response=False)
        response = await self.async_client.get(WISHLIST)
        self.assertContains(response, "<li>The Dispossessed by Ursula K. Le Guin</li>")
        self.assertContains(response, "The Dispossessed is on your wishlist.")
        response = await self.async_client.post(WISHLIST, {"book": "x"})
        self.assertEqual(response.status_code, 400)
        response = await self.async_client.post(WISHLIST, {"book": 9999})
        self.assertEqual(response.status_code, 404)
        response = await self.async_client.delete(WISHLIST)
        self.assertEqual(response.status_code, 204)
        response = await self.async_client.get(WISHLIST)
        self.assertContains(response, "Your wishlist is empty.")


class WishlistToCartViewTests(ClassViewTestCase):
    def test_moves_books_in_stock(self):
        self.client.post(WISHLIST, {"book": self.guards.pk})
        self.client.post(WISHLIST, {"book": self.earthsea.pk})
        self.client.post(add_to_cart(self.earthsea), {"quantity": 1})
        response = self.client.post(TO_CART)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"moved": [self.earthsea.pk], "left": [self.guards.pk]})
        self.assertContains(self.client.get(CART), "<td>A Wizard of Earthsea</td><td>2</td>")
        self.assertContains(self.client.get(WISHLIST), "Guards! Guards!")
        self.assertEqual(self.client.get(TO_CART).status_code, 405)

    def test_empty_wishlist(self):
        self.assertEqual(self.client.post(TO_CART).json(), {"moved": [], "left": []})
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    async def test_moves_books_in_stock_async(self):
        await self.async_client.post(WISHLIST, {"book": self.dispossessed.pk})
        await self.async_client.post(WISHLIST, {"book": self.earthsea.pk})
        response = await self.async_client.post(TO_CART)
        self.assertEqual(response.json(), {"moved": [self.earthsea.pk, self.dispossessed.pk], "left": []})
        response = await self.async_client.get(CART)
        self.assertContains(response, "Total: $22.49")
        response = await self.async_client.get(WISHLIST)
        self.assertContains(response, "Your wishlist is empty.")
        self.assertEqual((await self.async_client.get(TO_CART)).status_code, 405)


def add_to_cart(book):
    return reverse("catalog:cart_add", args=[book.pk])


class ReorderViewTests(ClassViewTestCase):
    def url(self, order):
        return reverse("catalog:reorder", args=[order.pk])

    def test_requires_login(self):
        url = self.url(self.alice_order)
        response = self.client.post(url)
        self.assertRedirects(response, f"{LOGIN}?next=%2Forders%2F{self.alice_order.pk}%2Freorder%2F",
                             fetch_redirect_response=False)
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    def test_reorder_copies_lines(self):
        self.client.force_login(self.alice)
        self.client.post(add_to_cart(self.earthsea), {"quantity": 1})
        response = self.client.post(self.url(self.alice_order))
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        response = self.client.get(CART)
        self.assertContains(response, "<td>A Wizard of Earthsea</td><td>4</td><td>$39.96</td>")
        self.assertContains(response, f"Copied 1 line(s) from order #{self.alice_order.pk} to your cart.")
        self.assertEqual(self.client.get(self.url(self.alice_order)).status_code, 405)

    def test_other_users_order_is_404(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url(self.alice_order)).status_code, 404)
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    async def test_reorder_async(self):
        url = self.url(self.alice_order)
        response = await self.async_client.post(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(f"{LOGIN}?next="))
        await self.alogin(self.bob)
        self.assertEqual((await self.async_client.post(url)).status_code, 404)
        await self.alogin(self.alice)
        response = await self.async_client.post(url)
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        response = await self.async_client.get(CART)
        self.assertContains(response, "<td>A Wizard of Earthsea</td><td>3</td><td>$29.97</td>")
        self.assertContains(response, "Signed in as alice")
