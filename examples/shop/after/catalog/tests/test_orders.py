from decimal import Decimal

from django.urls import reverse

from catalog.models import Book, Order, OrderLine

from .base import ShopTestCase

CART = reverse("catalog:cart")
PLACE = reverse("catalog:place_order")


def add_url(book):
    return reverse("catalog:cart_add", args=[book.pk])


class CartTests(ShopTestCase):
    def test_empty_cart(self):
        response = self.client.get(CART)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Your cart is empty.")

    def test_add_accumulates_and_clear(self):
        response = self.client.post(add_url(self.earthsea), {"quantity": 2})
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        self.client.post(add_url(self.earthsea))
        self.client.post(add_url(self.dispossessed), {"quantity": 1})
        response = self.client.get(CART)
        self.assertContains(response, "<td>A Wizard of Earthsea</td><td>3</td><td>$29.97</td>")
        self.assertContains(response, "Total: $42.47")
        self.assertContains(response, "Added The Dispossessed to your cart.")

        response = self.client.post(reverse("catalog:cart_clear"))
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    def test_add_rejects_bad_input(self):
        self.assertEqual(self.client.post(add_url(self.earthsea), {"quantity": 0}).status_code, 400)
        self.assertEqual(self.client.post(add_url(self.earthsea), {"quantity": "x"}).status_code, 400)
        self.assertEqual(self.client.get(add_url(self.earthsea)).status_code, 405)
        self.assertEqual(self.client.post(reverse("catalog:cart_add", args=[9999])).status_code, 404)
        self.assertEqual(self.client.get(reverse("catalog:cart_clear")).status_code, 405)
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    async def test_empty_cart_async(self):
        response = await self.async_client.get(CART)
        self.assertContains(response, "Your cart is empty.")

    async def test_add_accumulates_and_clear_async(self):
        response = await self.async_client.post(add_url(self.guards), {"quantity": 1})
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        await self.async_client.post(add_url(self.guards), {"quantity": 2})
        response = await self.async_client.get(CART)
        self.assertContains(response, "<td>Guards! Guards!</td><td>3</td><td>$24.00</td>")
        self.assertContains(response, "Total: $24.00")
        response = await self.async_client.post(reverse("catalog:cart_clear"))
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        response = await self.async_client.get(CART)
        self.assertContains(response, "Your cart is empty.")

    async def test_add_rejects_bad_input_async(self):
        response = await self.async_client.post(add_url(self.earthsea), {"quantity": -1})
        self.assertEqual(response.status_code, 400)
        response = await self.async_client.post(reverse("catalog:cart_add", args=[9999]))
        self.assertEqual(response.status_code, 404)
        response = await self.async_client.get(reverse("catalog:cart_clear"))
        self.assertEqual(response.status_code, 405)


class PlaceOrderTests(ShopTestCase):
    def test_requires_login(self):
        response = self.client.post(PLACE)
        self.assertRedirects(response, f"/accounts/login/?next={PLACE}", fetch_redirect_response=False)

    def test_empty_cart_redirects(self):
        self.client.force_login(self.bob)
        response = self.client.post(PLACE)
        self.assertRedirects(response, CART, fetch_redirect_response=False)
        self.assertEqual(Order.objects.filter(user=self.bob).count(), 2)

    def test_place_order(self):
        self.client.force_login(self.bob)
        self.client.post(add_url(self.earthsea), {"quantity": 2})
        self.client.post(add_url(self.dispossessed), {"quantity": 2})
        response = self.client.post(PLACE)
        order = Order.objects.filter(user=self.bob).latest("pk")
        self.assertRedirects(
            response, reverse("catalog:order_detail", args=[order.pk]), fetch_redirect_response=False
        )
        self.assertEqual(order.total, Decimal("44.98"))
        self.assertEqual(order.lines.count(), 2)
        self.assertEqual(Book.objects.get(pk=self.earthsea.pk).stock, 3)
        self.assertEqual(Book.objects.get(pk=self.dispossessed.pk).stock, 0)
        self.assertContains(self.client.get(CART), "Your cart is empty.")

    def test_insufficient_stock_rolls_back(self):
        self.client.force_login(self.bob)
        orders_before = Order.objects.count()
        self.client.post(add_url(self.earthsea), {"quantity": 2})  # processed first, succeeds
        self.client.post(add_url(self.guards), {"quantity": 1})  # out of stock
        response = self.client.post(PLACE)
        self.assertContains(response, "Only 0 left of &#x27;Guards! Guards!&#x27;", status_code=409)
        self.assertEqual(Order.objects.count(), orders_before)
        self.assertEqual(OrderLine.objects.count(), 3)
        self.assertEqual(Book.objects.get(pk=self.earthsea.pk).stock, 5)
        # The cart is kept so the customer can fix it.
        self.assertContains(self.client.get(CART), "<td>Guards! Guards!</td><td>1</td>")

    async def test_requires_login_async(self):
        response = await self.async_client.post(PLACE)
        self.assertRedirects(response, f"/accounts/login/?next={PLACE}", fetch_redirect_response=False)

    async def test_place_order_async(self):
        await self.alogin(self.alice)
        await self.async_client.post(add_url(self.dispossessed), {"quantity": 1})
        response = await self.async_client.post(PLACE)
        order = await Order.objects.filter(user=self.alice).alatest("pk")
        self.assertRedirects(
            response, reverse("catalog:order_detail", args=[order.pk]), fetch_redirect_response=False
        )
        self.assertEqual(order.total, Decimal("12.50"))
        line = await order.lines.aget()
        self.assertEqual((line.book_id, line.quantity, line.unit_price),
                         (self.dispossessed.pk, 1, Decimal("12.50")))
        self.assertEqual((await Book.objects.aget(pk=self.dispossessed.pk)).stock, 1)

    async def test_insufficient_stock_rolls_back_async(self):
        await self.alogin(self.alice)
        await self.async_client.post(add_url(self.earthsea), {"quantity": 5})
        await self.async_client.post(add_url(self.dispossessed), {"quantity": 3})
        response = await self.async_client.post(PLACE)
        self.assertContains(response, "Only 2 left of &#x27;The Dispossessed&#x27;", status_code=409)
        self.assertEqual(await Order.objects.acount(), 3)
        self.assertEqual((await Book.objects.aget(pk=self.earthsea.pk)).stock, 5)
        self.assertEqual((await Book.objects.aget(pk=self.dispossessed.pk)).stock, 2)

    async def test_empty_cart_redirects_async(self):
        await self.alogin(self.alice)
        response = await self.async_client.post(PLACE)
        self.assertRedirects(response, CART, fetch_redirect_response=False)


class CancelOrderTests(ShopTestCase):
    def url(self, order):
        return reverse("catalog:cancel_order", args=[order.pk])

    def test_cancel_restores_stock(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url(self.alice_order))
        self.assertEqual(response.json(), {"id": self.alice_order.pk, "status": "cancelled"})
        self.assertEqual(Book.objects.get(pk=self.earthsea.pk).stock, 8)
        again = self.client.post(self.url(self.alice_order))
        self.assertEqual(again.status_code, 409)
        self.assertEqual(Book.objects.get(pk=self.earthsea.pk).stock, 8)

    def test_other_users_order_and_method(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url(self.alice_order)).status_code, 404)
        self.assertEqual(self.client.get(self.url(self.alice_order)).status_code, 405)
        self.alice_order.refresh_from_db()
        self.assertEqual(self.alice_order.status, Order.Status.PLACED)

    async def test_cancel_restores_stock_async(self):
        await self.alogin(self.alice)
        response = await self.async_client.post(self.url(self.alice_order))
        self.assertEqual(response.json()["status"], "cancelled")
        order = await Order.objects.aget(pk=self.alice_order.pk)
        self.assertEqual(order.status, Order.Status.CANCELLED)
        self.assertEqual((await Book.objects.aget(pk=self.earthsea.pk)).stock, 8)
        response = await self.async_client.post(self.url(self.alice_order))
        self.assertEqual(response.status_code, 409)

    async def test_anonymous_and_other_user_async(self):
        response = await self.async_client.post(self.url(self.alice_order))
        self.assertEqual(response.status_code, 302)
        await self.alogin(self.bob)
        response = await self.async_client.post(self.url(self.alice_order))
        self.assertEqual(response.status_code, 404)
        order = await Order.objects.aget(pk=self.alice_order.pk)
        self.assertEqual(order.status, Order.Status.PLACED)


class OrderPagesTests(ShopTestCase):
    def test_order_detail(self):
        url = reverse("catalog:order_detail", args=[self.alice_order.pk])
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.alice)
        response = self.client.get(url)
        self.assertContains(response, f"Order #{self.alice_order.pk} (Placed)")
        self.assertContains(response, "3 x A Wizard of Earthsea @ $9.99")
        self.assertContains(response, "Total: $29.97")
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 404)

    async def test_order_detail_async(self):
        url = reverse("catalog:order_detail", args=[self.alice_order.pk])
        response = await self.async_client.get(url)
        self.assertRedirects(response, f"/accounts/login/?next={url}", fetch_redirect_response=False)
        await self.alogin(self.alice)
        response = await self.async_client.get(url)
        self.assertContains(response, "3 x A Wizard of Earthsea @ $9.99")
        await self.alogin(self.bob)
        response = await self.async_client.get(url)
        self.assertEqual(response.status_code, 404)

    def test_my_orders(self):
        url = reverse("catalog:my_orders")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.bob)
        response = self.client.get(url)
        self.assertContains(response, "Cancelled $80.00")
        self.assertContains(response, "Placed $12.50")
        self.assertNotContains(response, "$29.97")

    async def test_my_orders_async(self):
        url = reverse("catalog:my_orders")
        response = await self.async_client.get(url)
        self.assertEqual(response.status_code, 302)
        await self.alogin(self.alice)
        response = await self.async_client.get(url)
        self.assertContains(response, "Placed $29.97")
        self.assertNotContains(response, "Cancelled")
