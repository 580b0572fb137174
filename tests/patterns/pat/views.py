"""One sync view per rewrite pattern, written the way people write them.

Every view is marked ``# pattern: <name>``; tests/test_patterns.py lists the decision the
tool is expected to make for each, and pat/tests.py holds the behaviour that must survive
the migration.
"""

import collections
import csv
import io
import itertools
import json
import logging
import time

from django.contrib.auth import authenticate, get_user_model, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import cache as cache_module
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django import db
from django.db import connection, connections, transaction
from django.db.models import Count, F, Sum
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_list_or_404, get_object_or_404, redirect, render
from django.views import View

from . import services
from .forms import BookForm, TaggedBookForm
from .models import Author, Book, Note, Review, Tag
from .shelf import Volume

UserModel = get_user_model()
logger = logging.getLogger(__name__)
logger.addHandler(logging.StreamHandler(io.StringIO()))   # formats every record, shows none
logger.propagate = False


def _book(book):
    return {"id": book.pk, "title": book.title, "stock": book.stock}


# pattern: get_does_not_exist
def book_get(request, pk):
    try:
        book = Book.objects.get(pk=pk)
    except Book.DoesNotExist:
        raise Http404("no such book")
    return JsonResponse(_book(book))


# pattern: filter_first_last_latest_earliest
def book_ends(request):
    books = Book.objects.filter(stock__gte=0).exclude(title="").order_by("title")
    first = books.first()
    last = books.last()
    newest = Book.objects.latest("id")
    oldest = Book.objects.earliest("id")
    missing = Book.objects.filter(title="nope").first()
    return JsonResponse({
        "first": first.title, "last": last.title, "latest": newest.title,
        "earliest": oldest.title, "missing": missing,
    })


# pattern: count_exists
def book_stats(request):
    in_stock = Book.objects.filter(stock__gt=0)
    return JsonResponse({
        "count": Book.objects.count(),
        "in_stock": in_stock.count(),
        "any_empty": Book.objects.filter(stock=0).exists(),
        "any_huge": Book.objects.filter(stock__gt=1000).exists(),
    })


# pattern: aggregate
def book_totals(request):
    totals = Book.objects.aggregate(stock=Sum("stock"), n=Count("id"))
    return JsonResponse(totals)


# pattern: a_prefixed_traps
def book_tag_counts(request):
    qs = Book.objects.all().annotate(n_tags=Count("tags")).alias(doubled=F("stock") * 2)
    tagged = qs.filter(n_tags__gt=0, doubled__gte=0)
    total = tagged.aggregate(total=Sum("stock"))["total"]
    names = sorted(tagged.values_list("title", flat=True))
    return JsonResponse({"total": total, "titles": names})


# pattern: in_bulk
def book_in_bulk(request):
    ids = [int(x) for x in request.GET.getlist("id")]
    found = Book.objects.in_bulk(ids)
    return JsonResponse({"titles": {str(pk): book.title for pk, book in found.items()}})


# pattern: contains
def book_contains(request, pk):
    book = Book.objects.get(pk=pk)
    stocked = Book.objects.filter(stock__gt=0)
    return JsonResponse({"in_stock": stocked.contains(book)})


# pattern: iterator_loop
def book_iterator(request):
    titles = []
    for book in Book.objects.order_by("title").iterator(chunk_size=2):
        titles.append(book.title)
    return JsonResponse({"titles": titles})


# pattern: create
def tag_create(request):
    tag = Tag.objects.create(name=request.POST["name"])
    return JsonResponse({"id": tag.pk, "name": tag.name}, status=201)


# pattern: get_or_create
def tag_get_or_create(request):
    tag, created = Tag.objects.get_or_create(name=request.POST["name"])
    return JsonResponse({"id": tag.pk, "created": created})


# pattern: update_or_create
def book_update_or_create(request):
    author = Author.objects.get(name=request.POST["author"])
    book, created = Book.objects.update_or_create(
        title=request.POST["title"], defaults={"author": author, "stock": int(request.POST["stock"])}
    )
    return JsonResponse({"id": book.pk, "created": created, "stock": book.stock})


# pattern: bulk_create
def tag_bulk_create(request):
    names = request.POST.getlist("name")
    tags = Tag.objects.bulk_create([Tag(name=name) for name in names])
    return JsonResponse({"created": len(tags)}, status=201)


# pattern: bulk_update
def book_bulk_restock(request):
    books = list(Book.objects.filter(stock__lt=5).order_by("pk"))
    for book in books:
        book.stock = 5
    updated = Book.objects.bulk_update(books, ["stock"])
    return JsonResponse({"updated": updated})


# pattern: queryset_update
def book_clear_stock(request):
    changed = Book.objects.filter(author__name=request.POST["author"]).update(stock=0)
    return JsonResponse({"changed": changed})


# pattern: queryset_delete
def tag_delete_unused(request):
    deleted, _ = Tag.objects.filter(book__isnull=True).delete()
    return JsonResponse({"deleted": deleted})


# pattern: manager_all_delete
def review_delete_all(request):
    deleted, _ = Review.objects.all().delete()
    return JsonResponse({"deleted": deleted})


# pattern: instance_save
def book_rename(request, pk):
    book = Book.objects.get(pk=pk)
    book.title = request.POST["title"]
    book.save()
    return JsonResponse(_book(book))


# pattern: instance_save_update_fields
def book_set_stock(request, pk):
    book = Book.objects.get(pk=pk)
    book.stock = int(request.POST["stock"])
    book.save(update_fields=["stock"])
    return JsonResponse(_book(book))


# pattern: instance_delete
def book_delete(request, pk):
    book = Book.objects.get(pk=pk)
    book.delete()
    return JsonResponse({"deleted": pk})


# pattern: refresh_from_db
def book_refresh(request, pk):
    book = Book.objects.get(pk=pk)
    Book.objects.filter(pk=pk).update(stock=F("stock") + 1)
    before = book.stock
    book.refresh_from_db()
    return JsonResponse({"before": before, "after": book.stock})


# pattern: m2m_add_remove_clear_set
def book_tags(request, pk):
    book = Book.objects.get(pk=pk)
    action = request.POST["action"]
    tags = Tag.objects.filter(name__in=request.POST.getlist("tag"))
    if action == "add":
        book.tags.add(*tags)
    elif action == "remove":
        book.tags.remove(*tags)
    elif action == "clear":
        book.tags.clear()
    else:
        book.tags.set(tags)
    return JsonResponse({"tags": sorted(book.tags.values_list("name", flat=True))})


# pattern: related_create
def author_add_book(request, pk):
    author = Author.objects.get(pk=pk)
    book = author.book_set.create(title=request.POST["title"], stock=1)
    return JsonResponse({"id": book.pk, "author": author.name}, status=201)


# pattern: reverse_fk_count
def author_book_count(request, pk):
    author = Author.objects.get(pk=pk)
    return JsonResponse({"name": author.name, "books": author.book_set.count()})


# pattern: for_loop
def book_titles_loop(request):
    result = []
    for book in Book.objects.filter(stock__gt=0).order_by("title"):
        result.append(book.title)
    return JsonResponse({"titles": result})


# pattern: list_comprehension
def book_titles_comprehension(request):
    return JsonResponse({"titles": [b.title for b in Book.objects.order_by("title")]})


# pattern: list_queryset
def book_list_qs(request):
    books = list(Book.objects.order_by("-title"))
    return JsonResponse({"titles": [b.title for b in books]})


# pattern: index_zero
def book_cheapest(request):
    qs = Book.objects.filter(stock__gte=int(request.GET.get("min", 0))).order_by("stock", "title")
    try:
        book = qs[0]
    except IndexError:
        return JsonResponse({"book": None}, status=404)
    return JsonResponse({"book": book.title})


# pattern: slice_iterated
def book_top_two(request):
    titles = []
    for book in Book.objects.order_by("-stock", "title")[:2]:
        titles.append(book.title)
    return JsonResponse({"titles": titles})


# pattern: values_list_flat
def book_title_list(request):
    titles = list(Book.objects.order_by("title").values_list("title", flat=True))
    return JsonResponse({"titles": titles})


# pattern: len_queryset
def book_len(request):
    books = Book.objects.filter(stock__gt=0)
    return JsonResponse({"n": len(books)})


# pattern: if_queryset
def book_any_empty(request):
    empty = Book.objects.filter(stock=0)
    if empty:
        return JsonResponse({"empty": True})
    return JsonResponse({"empty": False})


# pattern: get_object_or_404
def author_detail(request, pk):
    author = get_object_or_404(Author, pk=pk)
    return JsonResponse({"name": author.name})


# pattern: get_list_or_404
def author_books(request, pk):
    books = get_list_or_404(Book.objects.order_by("title"), author_id=pk)
    return JsonResponse({"titles": [b.title for b in books]})


# pattern: request_user
def whoami(request):
    if request.user.is_authenticated:
        return JsonResponse({"user": request.user.username, "staff": request.user.is_staff})
    return JsonResponse({"user": None, "staff": False})


# pattern: request_user_in_orm
def review_create(request, pk):
    if not request.user.is_authenticated:
        return JsonResponse({"error": "login required"}, status=403)
    book = Book.objects.get(pk=pk)
    review = Review.objects.create(book=book, user=request.user, rating=int(request.POST["rating"]))
    return JsonResponse({"id": review.pk, "user": request.user.username}, status=201)


# pattern: has_perm
def can_edit(request):
    return JsonResponse({"can_edit": request.user.has_perm("pat.change_book")})


# pattern: authenticate_login
def login_view(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return JsonResponse({"ok": False}, status=401)
    login(request, user)
    return JsonResponse({"ok": True, "user": user.username})


# pattern: logout
def logout_view(request):
    logout(request)
    return JsonResponse({"ok": True})


# pattern: lazy_fk_after_get
def book_author(request, pk):
    book = Book.objects.get(pk=pk)
    return JsonResponse({"title": book.title, "author": book.author.name})


# pattern: lazy_fk_in_loop
def book_authors(request):
    rows = []
    for book in Book.objects.order_by("title"):
        rows.append([book.title, book.author.name])
    return JsonResponse({"rows": rows})


# pattern: render_lazy_queryset
def book_page(request):
    books = Book.objects.order_by("title")
    return render(request, "pat/books.html", {"books": books})


# pattern: session_write
def cart_add(request):
    cart = request.session.get("cart", [])
    cart.append(request.POST["item"])
    request.session["cart"] = cart
    return JsonResponse({"cart": cart})


# pattern: session_read
def cart_show(request):
    return JsonResponse({"cart": request.session.get("cart", [])})


# pattern: session_getitem
def cart_first(request):
    try:
        cart = request.session["cart"]
    except KeyError:
        return JsonResponse({"first": None}, status=404)
    return JsonResponse({"first": cart[0]})


# pattern: session_pop
def cart_checkout(request):
    cart = request.session.pop("cart", [])
    return JsonResponse({"checked_out": cart})


# pattern: session_del
def cart_forget(request):
    try:
        del request.session["cart"]
    except KeyError:
        return JsonResponse({"forgot": False})
    return JsonResponse({"forgot": True})


# pattern: cache_get_set
def cached_count(request):
    count = cache.get("book_count")
    hit = count is not None
    if count is None:
        count = Book.objects.count()
        cache.set("book_count", count, 60)
    return JsonResponse({"count": count, "hit": hit})


# pattern: atomic_select_for_update
def move_stock(request):
    src_pk, dst_pk, qty = int(request.POST["src"]), int(request.POST["dst"]), int(request.POST["qty"])
    try:
        with transaction.atomic():
            src = Book.objects.select_for_update().get(pk=src_pk)
            Book.objects.filter(pk=dst_pk).update(stock=F("stock") + qty)
            src.stock = F("stock") - qty
            src.save()
            src.refresh_from_db()
            if src.stock < 0:
                raise ValueError(f"only {src.stock + qty} left")
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    return JsonResponse({"src": src.stock})


# pattern: modelform_create
def book_create(request):
    form = BookForm(request.POST)
    if form.is_valid():
        book = form.save()
        return JsonResponse({"id": book.pk, "title": book.title}, status=201)
    return JsonResponse({"errors": sorted(form.errors)}, status=400)


# pattern: project_helper
def book_restock(request, pk):
    stock = services.restock(pk, int(request.POST["qty"]))
    author = Author.objects.get(book__pk=pk)
    return JsonResponse({"stock": stock, "titles": services.titles_by(author)})


# pattern: time_sleep
def slow_ping(request):
    time.sleep(0.01)
    return HttpResponse("pong")


# pattern: no_io
def echo(request):
    return JsonResponse({"q": request.GET.get("q"), "body": json.loads(request.body or b"{}")})


# pattern: not_and_bool_queryset
def book_none_huge(request):
    huge = Book.objects.filter(stock__gt=int(request.GET.get("over", 100)))
    return JsonResponse({"none": not huge, "any": bool(huge)})


# pattern: ternary_queryset
def book_empty_titles(request):
    empty = Book.objects.filter(stock=0)
    titles = [b.title for b in empty] if empty else []
    return JsonResponse({"titles": titles})


# pattern: nested_fk_in_comprehension
def review_rows(request):
    rows = [[r.book.title, r.book.author.name, r.user.username] for r in Review.objects.order_by("pk")]
    return JsonResponse({"rows": rows})


# pattern: related_manager_fk_loop
def book_reviewers(request, pk):
    book = get_object_or_404(Book, pk=pk)
    users = [r.user.username for r in book.review_set.order_by("pk")]
    return JsonResponse({"author": book.author.name, "users": users})


# pattern: user_reverse_fk
def my_review_count(request):
    if not request.user.is_authenticated:
        return JsonResponse({"n": None})
    return JsonResponse({"n": request.user.review_set.count()})


# pattern: session_in_check
def cart_has(request):
    request.session["checks"] = request.session.get("checks", 0) + 1
    return JsonResponse({"has_cart": "cart" in request.session, "checks": request.session["checks"]})


# pattern: login_then_request_user
def login_whoami(request):
    user = authenticate(request, username=request.POST["username"], password=request.POST["password"])
    if user is None:
        return JsonResponse({"user": request.user.username}, status=401)
    login(request, user)
    return JsonResponse({"user": request.user.username})


# pattern: logout_then_request_user
def logout_whoami(request):
    before = request.user.username
    logout(request)
    return JsonResponse({"before": before, "after": request.user.username})


# pattern: queryset_or_fallback
def book_search(request):
    books = Book.objects.filter(title__icontains=request.GET["q"]).order_by("title") or Book.objects.order_by("title")[:1]
    return JsonResponse({"titles": [b.title for b in books]})


# pattern: get_or_create_then_fk
def book_ensure(request):
    book, created = Book.objects.get_or_create(
        title=request.POST["title"], defaults={"author_id": request.POST["author"]}
    )
    return JsonResponse({"created": created, "author": book.author.name})


# pattern: modelform_commit_false_save_m2m
def book_create_tagged(request):
    form = TaggedBookForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": sorted(form.errors)}, status=400)
    book = form.save(commit=False)
    book.stock = 99
    book.save()
    form.save_m2m()
    return JsonResponse({"id": book.pk, "tags": sorted(t.name for t in book.tags.all())}, status=201)


# pattern: model_property_query
def author_titles(request, pk):
    author = Author.objects.get(pk=pk)
    return JsonResponse({"name": author.name, "titles": author.book_titles})


# pattern: model_cached_property_query
def book_tag_names(request, pk):
    book = Book.objects.get(pk=pk)
    first = book.tag_names
    return JsonResponse({"tags": first, "again": book.tag_names})


# pattern: model_property_queryset
def author_in_stock(request, pk):
    author = Author.objects.get(pk=pk)
    return JsonResponse({"titles": [book.title for book in author.in_stock]})


# pattern: model_property_pure
def author_shout(request, pk):
    author = Author.objects.get(pk=pk)
    return JsonResponse({"shout": author.shout})


# pattern: assign_relation
# (a store to a relation is no read of it; the read after it is wrapped: it may be lazy on another path)
def book_adopt(request):
    book = Book(title=request.POST["title"])
    book.author = Author.objects.get(pk=request.POST["author"])
    book.save()
    return JsonResponse({"id": book.pk, "author": book.author.name}, status=201)


# pattern: raw_cursor
def book_count_sql(request):
    cursor = connection.cursor()
    cursor.execute("SELECT COUNT(*) FROM pat_book WHERE stock > %s", [request.GET.get("min", 0)])
    (count,) = cursor.fetchone()
    cursor.close()
    return JsonResponse({"count": count})


def rows_as_dicts(cursor):
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


# pattern: raw_cursor_helper
def book_rows_sql(request):
    cursor = connections["default"].cursor()
    cursor.execute("SELECT title, stock FROM pat_book WHERE stock > 0 ORDER BY title")
    rows = rows_as_dicts(cursor)
    return JsonResponse({"rows": rows})


# pattern: raw_cursor_block
def book_titles_sql(request):
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT title FROM pat_book ORDER BY title")
        titles = [row[0] for row in cursor.fetchall()]
    return JsonResponse({"titles": titles})


# pattern: raw_cursor_iterated
def book_stock_sql(request):
    cursor = db.connections["default"].cursor()
    cursor.execute("SELECT title, stock FROM pat_book ORDER BY title")
    stock = {}
    for title, count in cursor:
        stock[title] = count
    return JsonResponse({"stock": stock})


# pattern: redirect_to_object_that_queries
# (get_absolute_url reads a property that reads a lazy relation)
def book_go(request, pk):
    book = Book.objects.get(pk=pk)
    return redirect(book)


# pattern: redirect_to_object
def author_go(request, pk):
    return redirect(Author.objects.get(pk=pk))


# pattern: str_of_object_that_queries
# (Review.__str__ reads two lazy relations: f-strings, str() and % formatting call it)
def review_label(request, pk):
    review = Review.objects.get(pk=pk)
    return JsonResponse({"label": f"Review: {review}", "plain": str(review), "pct": "%s!" % (review,),
                         "format": "<{}>".format(review)})


# pattern: clock_reads
def book_count_timed(request):
    started = time.monotonic()
    count = Book.objects.count()
    return JsonResponse({"count": count, "fast": time.monotonic() - started < 60, "now": time.time() > 0})


# pattern: session_in_tuple_target
# (healthchecks' login_webauthn: the session item is one target of a tuple assignment)
def cart_pair(request):
    count, request.session["pair"] = Book.objects.count(), "set"
    return JsonResponse({"count": count, "pair": request.session["pair"]})


# pattern: module_helper_returns_queryset
# (services.in_stock() builds a lazy queryset: the loop over it must become async for)
def book_in_stock(request):
    titles = []
    for book in services.in_stock():
        titles.append(book.title)
    return JsonResponse({"titles": titles})


# pattern: helper_object_methods
def shelf(request, name):
    shelf = services.Shelf(name)
    return JsonResponse({"label": shelf.label(), "titles": shelf.titles(), "size": shelf.size})


# pattern: helper_object_from_factory
def shelf_titles(request):
    shelf = services.shelf_of(request)
    return JsonResponse({"titles": shelf.titles()})


# pattern: handler_calls_handler
class ShelfPage(View):
    def get(self, request):
        return JsonResponse({"count": Book.objects.count()})

    def post(self, request):
        Tag.objects.get_or_create(name=request.POST["tag"])
        return self.get(request)


# pattern: decorator_by_assignment
# (the spelling before @: django-helpdesk's ``dashboard = staff_member_required(dashboard)``)
def my_review_total(request):
    return JsonResponse({"reviews": Review.objects.filter(user=request.user).count()})


my_review_total = login_required(my_review_total)


# pattern: raw_queryset_iterated
# (Manager.raw() is lazy like a queryset; RawQuerySet has __aiter__ from Django 4.1, but no
# aexists()/afirst(); a column the SQL does not select is a deferred field)
def book_titles_raw(request):
    titles = [b.title for b in Book.objects.raw("SELECT id, title FROM pat_book ORDER BY title")]
    stocked = []
    for book in Book.objects.raw("SELECT id, title FROM pat_book WHERE stock > %s ORDER BY title", [0]):
        stocked.append([book.title, book.stock])
    return JsonResponse({"titles": titles, "stocked": stocked})


# pattern: deferred_field_read
# (a field only()/defer() left out is loaded by a query when read; select_related on it raises)
def book_stock_deferred(request):
    rows = []
    for book in Book.objects.only("title").order_by("title"):
        rows.append([book.title, book.stock, book.author.name])
    alpha = Book.objects.defer("stock").get(title="Alpha")
    return JsonResponse({"rows": rows, "alpha": [alpha.title, alpha.stock]})


# pattern: generic_foreign_key
# (a GenericForeignKey loads its object with a query, and select_related cannot follow it)
def note_targets(request):
    labels = []
    for note in Note.objects.order_by("text"):
        labels.append([note.text, str(note.target)])
    return JsonResponse({"labels": labels})


# pattern: model_validation_queries
# (full_clean() looks up unique values and foreign keys: a query with no async twin)
def book_check(request, pk):
    book = Book.objects.get(pk=pk)
    book.title = request.GET.get("title", book.title)
    try:
        book.full_clean()
    except ValidationError as error:
        return JsonResponse({"errors": sorted(error.message_dict)}, status=400)
    return JsonResponse({"ok": True})


# pattern: user_model_alias
# (``UserModel = get_user_model()`` is the user model; set_password() hashes: CPU off the loop)
def user_password(request, pk):
    user = UserModel.objects.get(pk=pk)
    user.set_password(request.POST["password"])
    user.save()
    return JsonResponse({"ok": user.check_password(request.POST["password"]), "other": user.check_password("x")})


# pattern: queryset_repr_and_logging
# (repr()/str() of a queryset fetches its rows; a logger formats its arguments in the caller;
# getattr() with a relation's name reads the relation)
def book_repr(request):
    books = Book.objects.order_by("title")
    logger.warning("listing %s", books)
    book = Book.objects.get(title="Alpha")
    author = getattr(book, "author")
    return JsonResponse({"repr": f"{books}", "text": str(books.filter(stock=0)), "author": author.name})


# pattern: form_cleaned_instance_relation
# (a ModelForm's cleaned_data holds model instances: their relations are lazy too)
def book_form_check(request):
    form = BookForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": sorted(form.errors)}, status=400)
    author = form.cleaned_data["author"]
    first = author.book_set.order_by("title").first()
    return JsonResponse({"author": author.name, "first": first.title if first else None,
                         "title": form.cleaned_data.get("title")})


# pattern: fetched_list_relation
# (a list a query already fetched holds instances: their relations are still lazy)
def book_author_list(request):
    books = list(Book.objects.order_by("title"))
    in_stock = [b for b in Book.objects.filter(stock__gt=0).order_by("title")]
    return JsonResponse({"authors": [b.author.name for b in books], "first": in_stock[0].author.name})


def _stock_total():
    return sum(book.stock for book in Book.objects.all())


# pattern: cache_get_or_set_callable
# (cache.aget_or_set() calls a callable default in the event loop: one that queries is wrapped whole)
def stock_total(request):
    cache.delete("stock-total")
    return JsonResponse({"total": cache.get_or_set("stock-total", _stock_total, 60)})


# pattern: key_lambda_relation
# (sorted()/list.sort() call their key on each fetched instance: a relation it reads is lazy)
def books_by_author(request):
    books = list(Book.objects.all())
    books.sort(key=lambda b: (b.author.name, b.title))
    newest = max(Book.objects.filter(stock__gt=0), key=lambda b: b.author.name)
    return JsonResponse({"titles": [b.title for b in books], "last_author": newest.title})


# pattern: file_field_io
# (a FileField reads and writes through the storage backend: disk or network, off the event loop)
def author_portrait(request, pk):
    author = Author.objects.get(pk=pk)
    if not author.portrait:
        raise Http404("no portrait")
    author.portrait.open("rb")
    data = author.portrait.read()
    author.portrait.close()
    return JsonResponse({"name": author.portrait.name, "size": author.portrait.size, "data": data.decode()})


# pattern: django_contrib_models
# (Django's own models: Group, Permission, ContentType have the QuerySet API; get_for_model() and
# Permission.__str__ (it reads content_type) query behind plain-looking calls)
def group_permissions(request, pk):
    group = Group.objects.get(pk=pk)
    codes = [p.codename for p in group.permissions.order_by("codename")]
    kind = ContentType.objects.get_for_model(Book)
    first = Permission.objects.filter(content_type=kind).order_by("codename").first()
    return JsonResponse({"group": group.name, "codes": codes, "count": Permission.objects.filter(content_type=kind).count(),
                         "label": str(first).rsplit(" | ", 1)[-1], "app": first.content_type.app_label})


# pattern: route_in_a_named_list
# (reached only through a module-level list of routes: ``include(extra_patterns)``)
def tag_names(request):
    return JsonResponse({"tags": [t.name for t in Tag.objects.order_by("name")]})


# pattern: cache_by_alias
# (``caches["db"]`` and ``cache_module.cache`` are caches too: their calls have async forms)
def visit_count(request):
    store = caches["db"]
    visits = store.get("visits", 0) + 1
    store.set("visits", visits)
    cache_module.cache.set("last", visits)
    return JsonResponse({"visits": visits, "again": caches["db"].get("visits"), "last": cache_module.cache.get("last")})


# pattern: model_reexported_by_a_package
# (``Volume`` is ``pat.models.Book`` named by a package: was an unknown model, its relation,
# property and method reads left on the event loop)
def volume_detail(request, pk):
    volume = get_object_or_404(Volume, pk=pk)
    return JsonResponse({"author": volume.author.name, "link": volume.get_absolute_url(), "tags": volume.tag_names})


# pattern: map_filter_over_queryset
# (map() and filter() iterate their second argument: a queryset there is fetched on the event
# loop; their lambda gets each fetched instance, whose relations are lazy; filter() gives them back)
def books_mapped(request):
    titles = list(map(lambda b: b.title.upper(), Book.objects.order_by("title")))
    books = list(Book.objects.order_by("title"))
    authors = list(map(lambda b: b.author.name, books))
    in_stock = [b.author.name for b in filter(lambda b: b.stock > 0, Book.objects.order_by("title"))]
    pairs = list(zip(range(2), Book.objects.order_by("-title")))
    return JsonResponse({"titles": titles, "authors": authors, "in_stock": in_stock,
                         "last": [b.title for _, b in pairs]})


# pattern: queryset_handed_to_an_iterating_call
# (str.join(), collections.Counter(), itertools.chain() iterate a queryset given to them; the
# pairs enumerate() and zip() give hold fetched instances, whose relations are lazy)
def books_iterated(request):
    titles = ", ".join(Book.objects.order_by("title").values_list("title", flat=True))
    stock = collections.Counter(Book.objects.values_list("stock", flat=True))
    every = sorted(itertools.chain(Book.objects.values_list("title", flat=True), ["Zeta"]))
    ranked = [f"{rank}:{book.author.name}" for rank, book in enumerate(Book.objects.order_by("title"), 1)]
    for number, book in zip(range(1), Book.objects.order_by("-title")):
        ranked.append(f"{number}:{book.author.name}")
    return JsonResponse({"titles": titles, "stock": stock[3], "every": every, "ranked": ranked})


# pattern: queryset_unpacked_or_written
# (unpacking a queryset, ``a, b = qs[:2]``, iterates it; so does a csv writer's writerows();
# the unpacked instances' relations are lazy)
def books_unpacked(request):
    first, second = Book.objects.order_by("title")[:2]
    response = HttpResponse(content_type="text/csv")
    response.write(f"{first.title},{second.author.name}\n")
    writer = csv.writer(response)
    writer.writerows(Book.objects.order_by("title").values_list("title", "stock"))
    return response


# pattern: instances_in_a_dict
# (in_bulk() and {key: b for b in qs} hold fetched instances, read through values(), items(),
# get() and [key]: their relations are lazy)
def books_by_pk(request):
    by_pk = Book.objects.in_bulk()
    by_title = {book.title: book for book in Book.objects.all()}
    pairs = sorted(f"{book.title}:{book.author.name}" for pk, book in by_pk.items())
    first = by_title["Alpha"]
    return JsonResponse({"pairs": pairs, "alpha": first.author.name,
                         "beta": by_title.get("Beta").author.name,
                         "authors": sorted(b.author.name for b in by_pk.values())})


# pattern: combined_and_conditional_querysets
# (``qs | other``, ``a if test else b`` and ``(x := ...)`` are still querysets or instances:
# iterating them queries, their instances' relations are lazy)
def books_combined(request):
    either = Book.objects.filter(stock=0) | Book.objects.filter(stock=10)
    chosen = Book.objects.filter(stock__gt=0) if request.GET.get("in_stock") else Book.objects.all()
    book = Book.objects.get(title="Gamma") if request.GET.get("in_stock") else None
    if (first := Book.objects.order_by("title").first()) is not None:
        first_author = first.author.name
    return JsonResponse({"either": sorted(b.title for b in either), "chosen": sorted(b.title for b in chosen),
                         "book": book.author.name if book else None, "first": first_author})


# pattern: instances_through_tuples_and_defaults
# (``a, b = x, y``, ``x or default``, ``next(iter(books))`` and ``next(b for b in books if ...)``
# hand on the instances they are given: their relations are lazy)
def books_handed_on(request):
    books = list(Book.objects.order_by("title"))
    first, last = books[0], books[-1]
    first, last = last, first
    fallback = Book.objects.filter(stock=100).first() or Book.objects.get(title="Beta")
    opened = next(iter(books))
    stocked = next(b for b in books if b.stock > 5)
    return JsonResponse({"first": first.author.name, "last": last.author.name, "fallback": fallback.author.name,
                         "opened": opened.author.name, "stocked": stocked.author.name})


# pattern: instances_collected_in_a_list
# (a list given fetched instances with append()/extend() holds them: their relations are lazy)
def books_collected(request):
    picked = []
    for book in Book.objects.order_by("title"):
        if book.stock > 0:
            picked.append(book)
    picked.extend(Book.objects.filter(stock=0))
    return JsonResponse({"authors": [b.author.name for b in picked]})


# pattern: instances_stored_in_a_container
# (an instance put in a dict or set, ``groups.setdefault(k, []).append(book)``, ``seen[k] = book``:
# what is read back is of unknown kind, so the view stays sync; a dict's own update() is no query)
def books_grouped(request):
    groups = {}
    for book in Book.objects.order_by("title"):
        groups.setdefault(book.author_id, []).append(book)
    return JsonResponse({"authors": sorted(books[0].author.name for books in groups.values())})


# pattern: instance_in_a_context_dict
# (a dict an instance went into: its own update() and get() are no queries, a plain field of
# what is read back is plain)
def book_in_context(request):
    context = {}
    context["book"] = Book.objects.get(title="Alpha")
    context.update({"n": 1})
    return JsonResponse({"title": context["book"].title, "n": context["n"]})


# pattern: list_or_404_relation
# (get_list_or_404() gives fetched instances: their relations are lazy)
def author_names_or_404(request):
    books = get_list_or_404(Book.objects.order_by("title"), stock__gt=0)
    return JsonResponse({"authors": [book.author.name for book in books]})
