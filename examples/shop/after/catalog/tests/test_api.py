import csv
import io
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.urls import reverse

from catalog.models import Author, Book, Order, OrderLine, Review

from .base import ShopTestCase, astreaming_body, streaming_body


class BookApiTests(ShopTestCase):
    def test_book_list(self):
        response = self.client.get(reverse("catalog:api_book_list"))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["count"], 3)
        self.assertEqual(
            data["results"][0],
            {
                "id": self.earthsea.pk,
                "title": "A Wizard of Earthsea",
                "author": "Ursula K. Le Guin",
                "price": "9.99",
                "stock": 5,
            },
        )
        self.assertEqual(self.client.post(reverse("catalog:api_book_list")).status_code, 405)

    async def test_book_list_in_stock_async(self):
        response = await self.async_client.get(reverse("catalog:api_book_list"), {"in_stock": "1"})
        self.assertEqual(response.status_code, 200)
        titles = [row["title"] for row in response.json()["results"]]
        self.assertEqual(titles, ["A Wizard of Earthsea", "The Dispossessed"])
        response = await self.async_client.post(reverse("catalog:api_book_list"))
        self.assertEqual(response.status_code, 405)

    def test_book_detail(self):
        response = self.client.get(reverse("catalog:api_book_detail", args=[self.guards.pk]))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["author"], {"id": self.pratchett.pk, "name": "Terry Pratchett"})
        self.assertEqual(sorted(data["categories"]), ["fantasy", "humour"])
        self.assertEqual((data["reviews"], data["price"]), (0, "8.00"))
        missing = self.client.get(reverse("catalog:api_book_detail", args=[9999]))
        self.assertEqual(missing.status_code, 404)

    async def test_book_detail_async(self):
        response = await self.async_client.get(
            reverse("catalog:api_book_detail", args=[self.earthsea.pk])
        )
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual((data["isbn"], data["reviews"]), ("9780547773742", 2))
        self.assertEqual(data["categories"], ["fantasy"])
        missing = await self.async_client.get(reverse("catalog:api_book_detail", args=[9999]))
        self.assertEqual(missing.status_code, 404)

    def test_stats(self):
        response = self.client.get(reverse("catalog:api_stats"))
        self.assertEqual(
            response.json(),
            {
                "books": 3,
                "authors": 3,
                "out_of_stock": True,
                "avg_price": "10.16",
                "min_price": "8.00",
                "cheapest": "Guards! Guards!",
            },
        )

    async def test_stats_async(self):
        await Book.objects.filter(stock=0).aupdate(stock=1)
        response = await self.async_client.get(reverse("catalog:api_stats"))
        data = response.json()
        self.assertEqual((data["books"], data["out_of_stock"]), (3, False))
        self.assertEqual(data["cheapest"], "Guards! Guards!")

    async def test_stats_empty_catalogue_async(self):
        await Order.objects.all().adelete()
        await Book.objects.all().adelete()
        response = await self.async_client.get(reverse("catalog:api_stats"))
        data = response.json()
        self.assertEqual((data["books"], data["avg_price"], data["cheapest"]), (0, None, None))


class WriteApiTests(ShopTestCase):
    def test_restock(self):
        response = self.client.post(reverse("catalog:restock"), {"below": 3, "amount": 7})
        self.assertEqual(response.json(), {"updated": 2})
        stocks = dict(Book.objects.values_list("title", "stock"))
        self.assertEqual(
            stocks,
            {"A Wizard of Earthsea": 5, "The Dispossessed": 9, "Guards! Guards!": 7},
        )
        self.assertEqual(
            self.client.post(reverse("catalog:restock"), {"below": "x"}).status_code, 400
        )

    async def test_restock_async(self):
        response = await self.async_client.post(reverse("catalog:restock"))
        self.assertEqual(response.json(), {"updated": 2})
        self.assertEqual((await Book.objects.aget(pk=self.guards.pk)).stock, 10)
        response = await self.async_client.get(reverse("catalog:restock"))
        self.assertEqual(response.status_code, 405)

    payload = [
        {"title": "Consider Phlebas", "isbn": "9780316005388", "author": "Iain M. Banks",
         "price": "11.00", "stock": 3},
        {"title": "Mort", "isbn": "9780062225719", "author": "Terry Pratchett", "price": "8.50"},
        {"title": "The Lathe of Heaven", "isbn": "9781416556961", "author": "Ursula K. Le Guin",
         "price": "10.00"},
        {"title": "Dup", "isbn": "9780547773742", "author": "Nobody", "price": "1.00"},
        {"title": "Kindred", "isbn": "9780807083697", "author": "Octavia E. Butler",
         "price": "12.00"},
    ]

    def test_bulk_import(self):
        response = self.client.post(
            reverse("catalog:bulk_import"), self.payload, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json(), {"created": 4, "skipped": 1})
        self.assertEqual(Book.objects.count(), 7)
        self.assertEqual(Author.objects.count(), 4)
        self.assertEqual(self.pratchett.book_set.count(), 2)
        self.assertFalse(Author.objects.filter(name="Nobody").exists())

    async def test_bulk_import_async(self):
        response = await self.async_client.post(
            reverse("catalog:bulk_import"), self.payload[:2], content_type="application/json"
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json(), {"created": 2, "skipped": 0})
        book = await Book.objects.select_related("author").aget(isbn="9780316005388")
        self.assertEqual((book.author.name, book.stock, book.price), ("Iain M. Banks", 3, Decimal("11.00")))
        response = await self.async_client.post(
            reverse("catalog:bulk_import"), "{not json", content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(await Book.objects.acount(), 5)

    def test_clear_reviews(self):
        url = reverse("catalog:clear_reviews", args=[self.earthsea.pk])
        response = self.client.post(url)
        self.assertEqual(response.json(), {"book": self.earthsea.pk, "deleted": 2})
        self.assertEqual(Review.objects.count(), 0)
        self.assertEqual(self.client.post(url).json()["deleted"], 0)

    async def test_clear_reviews_async(self):
        url = reverse("catalog:clear_reviews", args=[self.earthsea.pk])
        response = await self.async_client.post(url)
        self.assertEqual(response.json()["deleted"], 2)
        self.assertFalse(await Review.objects.aexists())
        response = await self.async_client.post(reverse("catalog:clear_reviews", args=[9999]))
        self.assertEqual(response.status_code, 404)


class QuoteAndCacheTests(ShopTestCase):
    def test_price_quote(self):
        url = reverse("catalog:price_quote", args=[self.earthsea.pk])
        response = self.client.get(url, {"quantity": 3, "code": "welcome10"})
        self.assertEqual(
            response.json(),
            {"book": self.earthsea.pk, "subtotal": "29.97", "discount": "3.00", "total": "26.97"},
        )
        self.assertEqual(self.client.get(url, {"quantity": "lots"}).status_code, 400)

    async def test_price_quote_async(self):
        url = reverse("catalog:price_quote", args=[self.guards.pk])
        response = await self.async_client.get(url)
        self.assertEqual(response.json()["total"], "8.00")
        response = await self.async_client.get(url, {"quantity": 4, "code": "BULK25"})
        self.assertEqual((response.json()["discount"], response.json()["total"]), ("8.00", "24.00"))
        missing = await self.async_client.get(reverse("catalog:price_quote", args=[9999]))
        self.assertEqual(missing.status_code, 404)

    def expected(self):
        return [
            {"id": self.earthsea.pk, "title": "A Wizard of Earthsea",
             "author": "Ursula K. Le Guin", "copies": 3},
            {"id": self.dispossessed.pk, "title": "The Dispossessed",
             "author": "Ursula K. Le Guin", "copies": 1},
        ]

    def test_bestsellers_are_cached(self):
        response = self.client.get(reverse("catalog:bestsellers"))
        self.assertEqual(response.json(), {"results": self.expected()})
        # A new sale does not show up until the cache entry goes away.
        OrderLine.objects.create(
            order=self.alice_order, book=self.guards, quantity=9, unit_price=Decimal("8.00")
        )
        self.assertEqual(self.client.get(reverse("catalog:bestsellers")).json()["results"],
                         self.expected())

    async def test_bestsellers_are_cached_async(self):
        response = await self.async_client.get(reverse("catalog:bestsellers"))
        self.assertEqual(response.json(), {"results": self.expected()})
        await OrderLine.objects.acreate(
            order=self.alice_order, book=self.guards, quantity=9, unit_price=Decimal("8.00")
        )
        response = await self.async_client.get(reverse("catalog:bestsellers"))
        self.assertEqual(response.json()["results"], self.expected())


class MiscViewTests(ShopTestCase):
    def test_slow_ping(self):
        self.assertEqual(self.client.get(reverse("catalog:slow_ping")).json(), {"pong": True})

    async def test_slow_ping_async(self):
        response = await self.async_client.get(reverse("catalog:slow_ping"))
        self.assertEqual(response.json(), {"pong": True})

    def test_health(self):
        self.assertEqual(
            self.client.get(reverse("catalog:health")).json(), {"status": "ok", "books": 3}
        )

    async def test_health_async(self):
        response = await self.async_client.get(reverse("catalog:health"))
        self.assertEqual(response.json(), {"status": "ok", "books": 3})

    def parse_csv(self, body):
        return list(csv.reader(io.StringIO(body.decode())))

    def test_export_csv(self):
        response = self.client.get(reverse("catalog:export_csv"))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "text/csv")
        self.assertIn("books.csv", response["Content-Disposition"])
        rows = self.parse_csv(streaming_body(response))
        self.assertEqual(rows[0], ["id", "title", "author", "price", "stock"])
        self.assertEqual(len(rows), 4)
        self.assertIn(
            [str(self.guards.pk), "Guards! Guards!", "Terry Pratchett", "8.00", "0"], rows
        )

    async def test_export_csv_async(self):
        response = await self.async_client.get(reverse("catalog:export_csv"))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        rows = self.parse_csv(await astreaming_body(response))
        self.assertEqual(len(rows), 4)
        self.assertEqual(rows[1], [str(self.earthsea.pk), "A Wizard of Earthsea",
                                   "Ursula K. Le Guin", "9.99", "5"])


class RatesHandler(BaseHTTPRequestHandler):
    rates = {"EUR": 0.5, "GBP": 0.8}

    def do_GET(self):
        if self.path != "/rates.json":
            self.send_error(404)
            return
        body = json.dumps(self.rates).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class PriceInCurrencyTests(ShopTestCase):
    """The view calls an HTTP service; a tiny local server stands in for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), RatesHandler)
        cls.base_url = f"http://127.0.0.1:{cls.server.server_port}"
        thread = threading.Thread(target=cls.server.serve_forever, daemon=True)
        thread.start()
        cls.addClassCleanup(cls.server.server_close)
        cls.addClassCleanup(cls.server.shutdown)

    def use_service(self, path="/rates.json"):
        override = self.settings(RATES_SERVICE_URL=self.base_url + path)
        override.enable()
        self.addCleanup(override.disable)

    def test_converts_price(self):
        self.use_service()
        url = reverse("catalog:price_in_currency", args=[self.dispossessed.pk])
        response = self.client.get(url, {"currency": "eur"})
        self.assertEqual(response.json(), {"book": self.dispossessed.pk, "currency": "EUR",
                                           "price": "6.25"})
        self.assertEqual(self.client.get(url, {"currency": "JPY"}).status_code, 400)

    def test_service_error(self):
        self.use_service("/missing")
        url = reverse("catalog:price_in_currency", args=[self.earthsea.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 503)

    async def test_converts_price_async(self):
        self.use_service()
        url = reverse("catalog:price_in_currency", args=[self.earthsea.pk])
        response = await self.async_client.get(url, {"currency": "GBP"})
        self.assertEqual(response.json()["price"], "7.99")
        response = await self.async_client.get(url)
        self.assertEqual(response.json()["price"], "5.00")
        missing = await self.async_client.get(reverse("catalog:price_in_currency", args=[9999]))
        self.assertEqual(missing.status_code, 404)

    async def test_service_error_async(self):
        self.use_service("/missing")
        url = reverse("catalog:price_in_currency", args=[self.earthsea.pk])
        response = await self.async_client.get(url)
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json(), {"error": "rates service unavailable"})
