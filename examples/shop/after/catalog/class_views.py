"""Class-based views of the catalogue.

Written the way the team writes them: plain ``View`` subclasses with one method
per HTTP verb, JSON or ``TemplateResponse`` pages, and one generic ``ListView``.
"""

import json
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F
from django.http import HttpResponse, JsonResponse
from django.shortcuts import aget_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import ListView
from asgiref.sync import sync_to_async

from . import services
from .forms import CategoryForm
from .models import Author, Book, Category, Order

# ---------------------------------------------------------------------------
# JSON API, version 2
# ---------------------------------------------------------------------------


class CatalogApiView(View):
    """Base class of the book endpoints: body parsing, errors and the book payload."""

    def json_body(self):
        """The request body as a dict, or None when it is not a JSON object."""
        try:
            data = json.loads(self.request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def error(self, message, status=400):
        return JsonResponse({"error": message}, status=status)

    def book_payload(self, book):
        return {
            "id": book.pk,
            "title": book.title,
            "author": book.author.name,
            "stock": book.stock,
            "in_stock": book.in_stock,
        }


# expect: convert (base-class helper book_payload reads book.author: select_related("author") added to the view's query; request.user.is_staff, queryset update with F(), refresh_from_db(fields=...))
class BookStockView(CatalogApiView):
    async def get(self, request, pk):
        book = await aget_object_or_404(Book.objects.select_related("author"), pk=pk)
        return JsonResponse(self.book_payload(book))

    async def post(self, request, pk):
        user = await request.auser()
        if not user.is_staff:
            return self.error("staff only", status=403)
        data = self.json_body()
        if data is None or not isinstance(data.get("delta"), int):
            return self.error("delta must be an integer")
        book = await aget_object_or_404(Book.objects.select_related("author"), pk=pk)
        delta = data["delta"]
        updated = await Book.objects.filter(pk=book.pk, stock__gte=-delta).aupdate(stock=F("stock") + delta)
        if not updated:
            return self.error(f"only {book.stock} in stock", status=409)
        await book.arefresh_from_db(fields=["stock"])
        return JsonResponse(self.book_payload(book))


# expect: convert (book_payload needs select_related("author"); comprehension over book.reviews reads review.user; request.user; related manager create, filter().delete())
class BookReviewsView(CatalogApiView):
    async def get(self, request, pk):
        book = await aget_object_or_404(Book.objects.select_related("author"), pk=pk)
        reviews = [
            {"user": review.user.username, "rating": review.rating, "body": review.body}
            async for review in book.reviews.select_related("user").all()
        ]
        return JsonResponse({"book": self.book_payload(book), "count": len(reviews), "results": reviews})

    async def post(self, request, pk):
        current_user = await request.auser()
        if not current_user.is_authenticated:
            return self.error("authentication required", status=401)
        book = await aget_object_or_404(Book, pk=pk)
        data = self.json_body() or {}
        rating = data.get("rating")
        if not isinstance(rating, int) or not 1 <= rating <= 5:
            return self.error("rating must be an integer from 1 to 5")
        if await book.reviews.filter(user=current_user).aexists():
            return self.error("you already reviewed this book", status=409)
        review = await book.reviews.acreate(user=current_user, rating=rating, body=data.get("body", ""))
        return JsonResponse({"id": review.pk, "book": book.pk, "rating": review.rating}, status=201)

    async def delete(self, request, pk):
        current_user = await request.auser()
        if not current_user.is_authenticated:
            return self.error("authentication required", status=401)
        book = await aget_object_or_404(Book, pk=pk)
        deleted, _ = await book.reviews.filter(user=current_user).adelete()
        return JsonResponse({"book": book.pk, "deleted": deleted})


# expect: convert (related manager count/create in comprehensions, m2m set with a queryset; request.user.is_staff)
class AuthorBooksView(View):
    async def get(self, request, pk):
        author = await aget_object_or_404(Author, pk=pk)
        books = author.book_set.order_by("title")
        return JsonResponse(
            {
                "author": author.name,
                "count": await author.book_set.acount(),
                "results": [{"id": b.pk, "title": b.title, "stock": b.stock} async for b in books],
            }
        )

    async def post(self, request, pk):
        user = await request.auser()
        if not user.is_staff:
            return JsonResponse({"error": "staff only"}, status=403)
        author = await aget_object_or_404(Author, pk=pk)
        try:
            price = Decimal(request.POST.get("price", ""))
            stock = int(request.POST.get("stock", 0))
        except (InvalidOperation, ValueError):
            return JsonResponse({"error": "price and stock must be numbers"}, status=400)
        isbn = request.POST.get("isbn", "").replace("-", "")
        if not request.POST.get("title") or await Book.objects.filter(isbn=isbn).aexists():
            return JsonResponse({"error": "title missing or ISBN already used"}, status=400)
        book = await author.book_set.acreate(
            title=request.POST["title"], isbn=isbn, price=price, stock=stock
        )
        await book.categories.aset(Category.objects.filter(slug__in=request.POST.getlist("category")))
        slugs = [category.slug async for category in book.categories.order_by("slug")]
        return JsonResponse({"id": book.pk, "author": author.pk, "categories": slugs}, status=201)


# expect: wrap (transaction: atomic() + select_for_update().in_bulk(); rolls back on insufficient stock; request.user.is_staff)
class StockTransferView(View):
    """Move copies between two editions; all or nothing."""

    async def post(self, request):
        user = await request.auser()
        if not user.is_staff:
            return JsonResponse({"error": "staff only"}, status=403)
        try:
            source_pk = int(request.POST["source"])
            target_pk = int(request.POST["target"])
            quantity = int(request.POST["quantity"])
        except (KeyError, ValueError):
            return JsonResponse({"error": "source, target and quantity are required"}, status=400)
        if quantity < 1 or source_pk == target_pk:
            return JsonResponse({"error": "nothing to transfer"}, status=400)
        try:
            def _in_transaction():
                with transaction.atomic():
                    books = Book.objects.select_for_update().in_bulk([source_pk, target_pk])
                    if len(books) != 2:
                        raise Book.DoesNotExist
                    source, target = books[source_pk], books[target_pk]
                    target.stock += quantity
                    target.save(update_fields=["stock"])
                    if source.stock < quantity:
                        raise services.InsufficientStock(source, quantity)
                    source.stock -= quantity
                    source.save(update_fields=["stock"])
                return source, target
            source, target = await sync_to_async(_in_transaction)()
        except Book.DoesNotExist:
            return JsonResponse({"error": "unknown book"}, status=404)
        except services.InsufficientStock as exc:
            return JsonResponse({"error": str(exc)}, status=409)
        return JsonResponse({"source": source.stock, "target": target.stock})


# ---------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------


# expect: wrap (ModelForm is_valid()/save() check the unique slug: two hops; request.user, messages)
class CategoryCreateView(View):
    template_name = "catalog/category_form.html"

    async def get(self, request):
        return TemplateResponse(request, self.template_name, {"form": CategoryForm()})

    async def post(self, request):
        user = await request.auser()
        if not user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        form = CategoryForm(request.POST)
        if await sync_to_async(form.is_valid)():
            category = await sync_to_async(form.save)()
            messages.success(request, f"Created {category.name}.")
            return redirect("catalog:category_manage", slug=category.slug)
        return TemplateResponse(request, self.template_name, {"form": form}, status=400)


# expect: convert (related manager count/exists, instance delete; lazy queryset in TemplateResponse; request.user.is_staff)
class CategoryManageView(View):
    async def get(self, request, slug):
        category = await aget_object_or_404(Category, slug=slug)
        return TemplateResponse(
            request,
            "catalog/category_manage.html",
            {
                "category": category,
                "books": category.books.select_related("author"),
                "book_count": await category.books.acount(),
            },
        )

    async def delete(self, request, slug):
        user = await request.auser()
        if not user.is_staff:
            return JsonResponse({"error": "staff only"}, status=403)
        category = await aget_object_or_404(Category, slug=slug)
        if await category.books.aexists():
            return JsonResponse({"error": f"{category.name} still has books"}, status=409)
        await category.adelete()
        return HttpResponse(status=204)


# expect: wrap (project helper services.top_selling_books hits the DB: one hop)
class BestsellersPageView(View):
    async def get(self, request):
        try:
            limit = min(max(int(request.GET.get("limit", 5)), 1), 20)
        except ValueError:
            limit = 5
        books = await sync_to_async(services.top_selling_books)(limit=limit)
        return TemplateResponse(request, "catalog/bestsellers.html", {"books": books, "limit": limit})


# expect: sync (generic view: ListView, paginated)
class AuthorIndexView(ListView):
    template_name = "catalog/author_index.html"
    context_object_name = "authors"
    paginate_by = 2

    def get_queryset(self):
        return Author.objects.annotate(num_books=Count("book")).order_by("name")


# ---------------------------------------------------------------------------
# Wishlist (session) and re-ordering
# ---------------------------------------------------------------------------


# expect: convert (session get/set/pop; get_object_or_404; lazy queryset in TemplateResponse; messages)
class WishlistView(View):
    async def get(self, request):
        ids = await request.session.aget("wishlist", [])
        books = Book.objects.filter(pk__in=ids).select_related("author")
        return TemplateResponse(request, "catalog/wishlist.html", {"books": books})

    async def post(self, request):
        try:
            book = await aget_object_or_404(Book, pk=int(request.POST.get("book", "")))
        except ValueError:
            return JsonResponse({"error": "book must be an id"}, status=400)
        wishlist = await request.session.aget("wishlist", [])
        if book.pk not in wishlist:
            wishlist.append(book.pk)
            await request.session.aset("wishlist", wishlist)
        messages.info(request, f"{book.title} is on your wishlist.")
        return redirect("catalog:wishlist")

    async def delete(self, request):
        await request.session.apop("wishlist", None)
        return HttpResponse(status=204)


# expect: wrap (request.session[...] read: one hop; session get/set; for over a queryset)
class WishlistToCartView(View):
    """Move every wishlisted book that is in stock into the cart."""

    async def post(self, request):
        wishlist = await request.session.aget("wishlist", [])
        cart = await request.session.aget("cart", {})
        moved = []
        async for book in Book.objects.filter(pk__in=wishlist, stock__gt=0).order_by("pk"):
            cart[str(book.pk)] = cart.get(str(book.pk), 0) + 1
            moved.append(book.pk)
        await request.session.aset("cart", cart)
        await request.session.aset("wishlist", [pk for pk in wishlist if pk not in moved])
        return JsonResponse({"moved": moved, "left": await sync_to_async(request.session.__getitem__)("wishlist")})


# expect: convert (request.user check; get_object_or_404 by user; order.lines loop; session get/set; messages)
class ReorderView(View):
    """Put the lines of one of your earlier orders back into the cart."""

    async def post(self, request, pk):
        current_user = await request.auser()
        if not current_user.is_authenticated:
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}")
        order = await aget_object_or_404(Order, pk=pk, user=current_user)
        cart = await request.session.aget("cart", {})
        copied = 0
        async for line in order.lines.all():
            key = str(line.book_id)
            cart[key] = cart.get(key, 0) + line.quantity
            copied += 1
        await request.session.aset("cart", cart)
        messages.info(request, f"Copied {copied} line(s) from order #{order.pk} to your cart.")
        return redirect("catalog:cart")
