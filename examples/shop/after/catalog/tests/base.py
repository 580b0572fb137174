"""Shared fixtures and helpers for the catalogue tests.

Every view is exercised twice: once through ``self.client`` (sync ``Client``)
and once through ``self.async_client`` (``AsyncClient``) in an ``async def``
test.  The assertions never depend on whether the view itself is sync or
async, so the same suite runs against the converted project.
"""

from datetime import date
from decimal import Decimal

from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import TestCase, override_settings

from catalog.models import Author, Book, Category, Order, OrderLine, Review

PASSWORD = "correct-horse-battery"


def streaming_body(response):
    """Collect a streaming response body from a sync test."""
    if response.is_async:

        async def consume():
            return b"".join([chunk async for chunk in response.streaming_content])

        return async_to_sync(consume)()
    return b"".join(response.streaming_content)


async def astreaming_body(response):
    """Collect a streaming response body from an async test."""
    if response.is_async:
        return b"".join([chunk async for chunk in response.streaming_content])
    # A sync iterator may still run queries lazily: consume it off the loop.
    return await sync_to_async(lambda: b"".join(response.streaming_content))()


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ShopTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.alice = User.objects.create_user("alice", "alice@example.com", PASSWORD)
        cls.bob = User.objects.create_user("bob", "bob@example.com", PASSWORD)

        cls.fantasy = Category.objects.create(name="Fantasy", slug="fantasy")
        cls.scifi = Category.objects.create(name="Science fiction", slug="scifi")
        cls.humour = Category.objects.create(name="Humour", slug="humour")
        cls.poetry = Category.objects.create(name="Poetry", slug="poetry")

        cls.le_guin = Author.objects.create(name="Ursula K. Le Guin", bio="Anarres and Earthsea.")
        cls.pratchett = Author.objects.create(name="Terry Pratchett", bio="Discworld.")
        cls.banks = Author.objects.create(name="Iain M. Banks", bio="The Culture.")

        cls.earthsea = Book.objects.create(
            title="A Wizard of Earthsea",
            isbn="9780547773742",
            author=cls.le_guin,
            price=Decimal("9.99"),
            stock=5,
            published=date(1968, 11, 1),
        )
        cls.earthsea.categories.add(cls.fantasy)
        cls.dispossessed = Book.objects.create(
            title="The Dispossessed",
            isbn="9780061054884",
            author=cls.le_guin,
            price=Decimal("12.50"),
            stock=2,
        )
        cls.dispossessed.categories.add(cls.scifi)
        cls.guards = Book.objects.create(
            title="Guards! Guards!",
            isbn="9780062225757",
            author=cls.pratchett,
            price=Decimal("8.00"),
            stock=0,
        )
        cls.guards.categories.add(cls.fantasy, cls.humour)

        Review.objects.create(book=cls.earthsea, user=cls.alice, rating=5, body="Timeless.")
        Review.objects.create(book=cls.earthsea, user=cls.bob, rating=4, body="Short and sharp.")

        # Alice bought three Earthsea, Bob one Dispossessed; a cancelled order
        # of ten Guards! Guards! must not count towards the bestsellers.
        cls.alice_order = Order.objects.create(user=cls.alice, total=Decimal("29.97"))
        OrderLine.objects.create(
            order=cls.alice_order, book=cls.earthsea, quantity=3, unit_price=Decimal("9.99")
        )
        bob_order = Order.objects.create(user=cls.bob, total=Decimal("12.50"))
        OrderLine.objects.create(
            order=bob_order, book=cls.dispossessed, quantity=1, unit_price=Decimal("12.50")
        )
        cancelled = Order.objects.create(
            user=cls.bob, status=Order.Status.CANCELLED, total=Decimal("80.00")
        )
        OrderLine.objects.create(
            order=cancelled, book=cls.guards, quantity=10, unit_price=Decimal("8.00")
        )

    def setUp(self):
        cache.clear()
        self.addCleanup(cache.clear)

    async def alogin(self, user):
        """Log ``self.async_client`` in (works on Django 4.2, which has no aforce_login)."""
        await sync_to_async(self.async_client.force_login)(user)
