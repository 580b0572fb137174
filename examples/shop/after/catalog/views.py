import asyncio
import csv
import json
import urllib.request
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import transaction
from django.db.models import Avg, F, Min, ProtectedError, Q
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import aget_list_or_404, aget_object_or_404, get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST
from asgiref.sync import sync_to_async
from django.template.response import TemplateResponse

from . import pricing, services
from .forms import BookForm, ReviewForm
from .models import Author, Book, Category, Order, OrderLine

# ---------------------------------------------------------------------------
# Catalogue pages
# ---------------------------------------------------------------------------


# expect: convert (render with lazy queryset; template follows book.author)
async def book_list(request):
    books = Book.objects.all()
    category = request.GET.get("category")
    if category:
        books = books.filter(categories__slug=category)
    return TemplateResponse(
        request,
        "catalog/book_list.html",
        {"books": books, "categories": Category.objects.all(), "current": category},
    )


# expect: sync (called directly by book_by_isbn)
def book_detail(request, pk):
    book = get_object_or_404(Book, pk=pk)
    reviews = book.reviews.select_related("user")
    average = reviews.aggregate(avg=Avg("rating"))["avg"]
    return render(
        request,
        "catalog/book_detail.html",
        {
            "book": book,
            "reviews": reviews,
            "average": average,
            "categories": book.categories.all(),
            "form": ReviewForm(),
        },
    )


# expect: wrap (calls the sync view book_detail directly: one sync_to_async hop; values_list().first())
async def book_by_isbn(request, isbn):
    pk = await Book.objects.filter(isbn=isbn.replace("-", "")).values_list("pk", flat=True).afirst()
    if pk is None:
        raise Http404("No book with that ISBN")
    return await sync_to_async(book_detail)(request, pk)


# expect: convert (related manager count in a list comprehension)
async def author_list(request):
    authors = [(author, await author.book_set.acount()) async for author in Author.objects.all()]
    return TemplateResponse(request, "catalog/author_list.html", {"authors": authors})


# expect: wrap (services.author_summary hits the DB: one hop; get_object_or_404)
async def author_detail(request, pk):
    author = await aget_object_or_404(Author, pk=pk)
    summary = await sync_to_async(services.author_summary)(author)
    return TemplateResponse(
        request,
        "catalog/author_detail.html",
        {"author": author, "books": author.book_set.all(), "summary": summary},
    )


# expect: convert (get_list_or_404)
async def category_books(request, slug):
    category = await aget_object_or_404(Category, slug=slug)
    books = await aget_list_or_404(Book.objects.select_related("author"), categories=category)
    return TemplateResponse(
        request, "catalog/category_books.html", {"category": category, "books": books}
    )


# expect: convert (request.GET, exists/count, lazy queryset in template)
async def search(request):
    query = request.GET.get("q", "").strip()
    results = Book.objects.none()
    if query:
        results = Book.objects.filter(
            Q(title__icontains=query) | Q(author__name__icontains=query)
        ).distinct()
    return TemplateResponse(
        request,
        "catalog/search.html",
        {
            "query": query,
            "results": results,
            "found": await results.aexists(),
            "count": await results.acount(),
        },
    )


# expect: convert (messages, get_object_or_404, delete)
async def book_delete(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    if request.method == "POST":
        title = book.title
        try:
            await book.adelete()
        except ProtectedError:
            return TemplateResponse(
                request,
                "catalog/book_confirm_delete.html",
                {"book": book, "error": "This book has been ordered and cannot be deleted."},
                status=409,
            )
        messages.success(request, f"Deleted {title}.")
        return redirect("catalog:book_list")
    return TemplateResponse(request, "catalog/book_confirm_delete.html", {"book": book})


@login_required
# expect: wrap (ModelForm is_valid()/save(): two hops; login_required)
async def book_create(request):
    if request.method == "POST":
        form = BookForm(request.POST)
        if await sync_to_async(form.is_valid)():
            book = await sync_to_async(form.save)()
            messages.success(request, f"Added {book.title}.")
            return redirect(book)
    else:
        form = BookForm()
    return TemplateResponse(request, "catalog/book_form.html", {"form": form})


@login_required
# expect: wrap (ModelForm(instance=) reads m2m, is_valid(), save(): three hops; login_required)
async def book_update(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    form = await sync_to_async(BookForm)(request.POST or None, instance=book)
    if request.method == "POST" and await sync_to_async(form.is_valid)():
        await sync_to_async(form.save)()
        messages.success(request, f"Saved {book.title}.")
        return redirect(book)
    return TemplateResponse(request, "catalog/book_form.html", {"form": form, "book": book})


@login_required
@require_POST
# expect: convert (request.user; related manager create; login_required, require_POST)
async def review_create(request, pk):
    current_user = await request.auser()
    book = await aget_object_or_404(Book, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    review = await book.reviews.acreate(
        user=current_user,
        rating=form.cleaned_data["rating"],
        body=form.cleaned_data["body"],
    )
    return JsonResponse({"id": review.pk, "book": book.pk, "rating": review.rating}, status=201)


@require_POST
# expect: convert (m2m add/remove)
async def book_set_categories(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    to_add = Category.objects.filter(slug__in=request.POST.getlist("add"))
    to_remove = Category.objects.filter(slug__in=request.POST.getlist("remove"))
    await book.categories.aadd(*[obj async for obj in to_add])
    await book.categories.aremove(*[obj async for obj in to_remove])
    slugs = [obj async for obj in book.categories.order_by("slug").values_list("slug", flat=True)]
    return JsonResponse({"book": book.pk, "categories": slugs})


# ---------------------------------------------------------------------------
# JSON API
# ---------------------------------------------------------------------------


@require_GET
# expect: convert (list comprehension reads book.author lazily: select_related added)
async def api_book_list(request):
    books = Book.objects.select_related("author").all()
    if request.GET.get("in_stock") == "1":
        books = books.filter(stock__gt=0)
    data = [
        {
            "id": book.pk,
            "title": book.title,
            "author": book.author.name,
            "price": str(book.price),
            "stock": book.stock,
        }
        async for book in books
    ]
    return JsonResponse({"count": len(data), "results": data})


# expect: convert (get_object_or_404, values_list(flat=True), related count)
async def api_book_detail(request, pk):
    book = await aget_object_or_404(Book.objects.select_related("author"), pk=pk)
    return JsonResponse(
        {
            "id": book.pk,
            "title": book.title,
            "isbn": book.isbn,
            "author": {"id": book.author.pk, "name": book.author.name},
            "categories": [obj async for obj in book.categories.values_list("slug", flat=True)],
            "reviews": await book.reviews.acount(),
            "price": str(book.price),
        }
    )


def _money(value):
    return None if value is None else f"{value:.2f}"


# expect: convert (aggregate, count, exists, first)
async def api_stats(request):
    books = Book.objects.all()
    agg = await books.aaggregate(avg_price=Avg("price"), min_price=Min("price"))
    cheapest = await books.order_by("price", "pk").afirst()
    return JsonResponse(
        {
            "books": await books.acount(),
            "authors": await Author.objects.acount(),
            "out_of_stock": await books.filter(stock=0).aexists(),
            "avg_price": _money(agg["avg_price"]),
            "min_price": _money(agg["min_price"]),
            "cheapest": cheapest.title if cheapest else None,
        }
    )


@require_POST
# expect: convert (queryset update with F())
async def restock(request):
    try:
        threshold = int(request.POST.get("below", 5))
        amount = int(request.POST.get("amount", 10))
    except ValueError:
        return HttpResponseBadRequest("below and amount must be integers")
    updated = await Book.objects.filter(stock__lt=threshold).aupdate(stock=F("stock") + amount)
    return JsonResponse({"updated": updated})


@require_POST
# expect: convert (json body, get_or_create, bulk_create)
async def bulk_import(request):
    try:
        rows = json.loads(request.body)
    except json.JSONDecodeError:
        return JsonResponse({"error": "invalid JSON"}, status=400)
    existing = set([obj async for obj in Book.objects.values_list("isbn", flat=True)])
    new_books = []
    for row in rows:
        if row["isbn"] in existing:
            continue
        author, _ = await Author.objects.aget_or_create(name=row["author"])
        new_books.append(
            Book(
                title=row["title"],
                isbn=row["isbn"],
                author=author,
                price=Decimal(row["price"]),
                stock=row.get("stock", 0),
            )
        )
    created = await Book.objects.abulk_create(new_books)
    return JsonResponse({"created": len(created), "skipped": len(rows) - len(created)}, status=201)


@require_POST
# expect: convert (queryset delete)
async def clear_reviews(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    deleted, _ = await book.reviews.all().adelete()
    return JsonResponse({"book": book.pk, "deleted": deleted})


# expect: convert (pure helper, no I/O)
async def price_quote(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    try:
        quantity = int(request.GET.get("quantity", 1))
    except ValueError:
        return HttpResponseBadRequest("quantity must be an integer")
    subtotal, discount, total = pricing.quote(book.price, quantity, request.GET.get("code", ""))
    return JsonResponse(
        {"book": book.pk, "subtotal": str(subtotal), "discount": str(discount), "total": str(total)}
    )


# expect: wrap (services.top_selling_books hits the DB: one hop; cache get/set)
async def bestsellers(request):
    data = await cache.aget("bestsellers")
    if data is None:
        data = await sync_to_async(services.top_selling_books)(limit=5)
        await cache.aset("bestsellers", data, settings.BESTSELLERS_CACHE_SECONDS)
    return JsonResponse({"results": data})


# expect: convert (time.sleep -> asyncio.sleep)
async def slow_ping(request):
    # Simulates a slow upstream; kept deliberately tiny.
    await asyncio.sleep(0.01)
    return JsonResponse({"pong": True})


# expect: wrap (blocking I/O: urllib.request)
async def price_in_currency(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    currency = request.GET.get("currency", "EUR").upper()
    try:
        def _blocking_io():
            with urllib.request.urlopen(
                settings.RATES_SERVICE_URL, timeout=settings.RATES_SERVICE_TIMEOUT
            ) as resp:
                rates = json.load(resp)
            return rates
        rates = await sync_to_async(_blocking_io)()
    except OSError:
        return JsonResponse({"error": "rates service unavailable"}, status=503)
    if currency not in rates:
        return JsonResponse({"error": f"unknown currency {currency}"}, status=400)
    return JsonResponse(
        {
            "book": book.pk,
            "currency": currency,
            "price": str(pricing.convert(book.price, rates[currency])),
        }
    )


class Echo:
    """File-like object whose write() just returns the value (csv docs pattern)."""

    def write(self, value):
        return value


# expect: convert (StreamingHttpResponse over a generator iterating a queryset)
async def export_csv(request):
    writer = csv.writer(Echo())
    books = Book.objects.select_related("author").order_by("pk")

    async def rows():
        yield writer.writerow(["id", "title", "author", "price", "stock"])
        async for book in books.aiterator():
            yield writer.writerow([book.pk, book.title, book.author.name, book.price, book.stock])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="books.csv"'
    return response


# expect: skip (already async)
async def health(request):
    books = await Book.objects.acount()
    await asyncio.sleep(0)
    return JsonResponse({"status": "ok", "books": books})


# expect: sync (not routed; view-shaped helper kept for the old mobile app)
def legacy_featured(request, limit=3):
    books = Book.objects.filter(stock__gt=0).order_by("-created")[:limit]
    lines = [f"{book.title} by {book.author.name}" for book in books]
    return HttpResponse("\n".join(lines), content_type="text/plain")


# ---------------------------------------------------------------------------
# Cart (session) and orders
# ---------------------------------------------------------------------------


def _cart_lines(cart):
    books = Book.objects.select_related("author").in_bulk([int(pk) for pk in cart])
    lines = []
    for pk, quantity in cart.items():
        book = books.get(int(pk))
        if book is not None:
            lines.append({"book": book, "quantity": quantity, "subtotal": book.price * quantity})
    return lines


@require_POST
# expect: convert (session read/write)
async def cart_add(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    try:
        quantity = int(request.POST.get("quantity", 1))
    except ValueError:
        quantity = 0
    if quantity < 1:
        return HttpResponseBadRequest("quantity must be a positive integer")
    cart = await request.session.aget("cart", {})
    cart[str(book.pk)] = cart.get(str(book.pk), 0) + quantity
    await request.session.aset("cart", cart)
    messages.info(request, f"Added {book.title} to your cart.")
    return redirect("catalog:cart")


# expect: wrap (project helper _cart_lines hits the DB: one hop; session read)
async def cart_detail(request):
    lines = await sync_to_async(_cart_lines)(await request.session.aget("cart", {}))
    total = sum((line["subtotal"] for line in lines), Decimal("0"))
    return TemplateResponse(request, "catalog/cart.html", {"lines": lines, "total": total})


@require_POST
# expect: convert (session pop)
async def cart_clear(request):
    await request.session.apop("cart", None)
    return redirect("catalog:cart")


@login_required
@require_POST
# expect: wrap (transaction block moved into a nested function; _cart_lines on the error path; session, cache)
async def place_order(request):
    cart = await request.session.aget("cart", {})
    if not cart:
        messages.warning(request, "Your cart is empty.")
        return redirect("catalog:cart")
    try:
        def _in_transaction():
            nonlocal total
            with transaction.atomic():
                order = Order.objects.create(user=request.user)
                total = Decimal("0")
                books = Book.objects.select_for_update().filter(pk__in=cart).order_by("pk")
                for book in books:
                    quantity = cart[str(book.pk)]
                    if book.stock < quantity:
                        raise services.InsufficientStock(book, quantity)
                    Book.objects.filter(pk=book.pk).update(stock=F("stock") - quantity)
                    OrderLine.objects.create(
                        order=order, book=book, quantity=quantity, unit_price=book.price
                    )
                    total += book.price * quantity
                order.total = total
                order.save(update_fields=["total"])
            return order
        order = await sync_to_async(_in_transaction)()
    except services.InsufficientStock as exc:
        lines = await sync_to_async(_cart_lines)(cart)
        total = sum((line["subtotal"] for line in lines), Decimal("0"))
        return TemplateResponse(
            request,
            "catalog/cart.html",
            {"lines": lines, "total": total, "error": str(exc)},
            status=409,
        )
    await request.session.apop("cart")
    await cache.adelete("bestsellers")
    return redirect("catalog:order_detail", pk=order.pk)


@login_required
@require_POST
# expect: wrap (@transaction.atomic decorator: the whole body moves into one nested function awaited through sync_to_async)
async def cancel_order(request, pk):
    @transaction.atomic
    def _in_transaction():
        order = get_object_or_404(Order.objects.select_for_update(), pk=pk, user=request.user)
        if order.status != Order.Status.PLACED:
            return JsonResponse({"error": "order is not open"}, status=409)
        for line in order.lines.all():
            Book.objects.filter(pk=line.book_id).update(stock=F("stock") + line.quantity)
        order.status = Order.Status.CANCELLED
        order.save(update_fields=["status"])
        cache.delete("bestsellers")
        return JsonResponse({"id": order.pk, "status": order.status})
    return await sync_to_async(_in_transaction)()


@login_required
# expect: convert (request.user; login_required; template follows line.book)
async def order_detail(request, pk):
    current_user = await request.auser()
    order = await aget_object_or_404(Order, pk=pk, user=current_user)
    return TemplateResponse(request, "catalog/order_detail.html", {"order": order, "lines": order.lines.all()})


@login_required
# expect: convert (request.user reverse relation; login_required)
async def my_orders(request):
    user = await request.auser()
    orders = user.orders.all()
    return TemplateResponse(request, "catalog/my_orders.html", {"orders": orders})
