"""orm_async: input and expected output side by side, plus the version guards and traps."""

from ..helpers import check_noop, check_transformed, decisions, migrate
from .models_prefix import MODELS

ORM = {"orm_async"}


def test_terminal_methods_through_chains():
    check_transformed(MODELS + '''\
def stats(request):
    qs = Book.objects.filter(title__startswith="A").order_by("title")
    return JsonResponse({"n": qs.count(), "any": qs.exists(), "first": qs.first().title,
                         "authors": Author.objects.count()})
''', MODELS + '''\
async def stats(request):
    qs = Book.objects.filter(title__startswith="A").order_by("title")
    return JsonResponse({"n": await qs.acount(), "any": await qs.aexists(), "first": (await qs.afirst()).title,
                         "authors": await Author.objects.acount()})
''', ORM)


def test_manager_delete_goes_through_all():
    # Trap: Manager.adelete does not exist (delete is queryset-only).
    check_transformed(MODELS + '''\
def wipe(request):
    Book.objects.delete()
    return HttpResponse(status=204)
''', MODELS + '''\
async def wipe(request):
    await Book.objects.all().adelete()
    return HttpResponse(status=204)
''', ORM)


def test_a_prefixed_sync_methods_are_not_awaited():
    # Trap: aggregate/annotate/alias/all look async but are ordinary methods.
    check_transformed(MODELS + '''\
def counts(request):
    rows = Author.objects.annotate(n=models.Count("books")).alias(x=models.F("n")).all()
    return JsonResponse({"total": rows.aggregate(t=models.Sum("n"))["t"]})
''', MODELS + '''\
async def counts(request):
    rows = Author.objects.annotate(n=models.Count("books")).alias(x=models.F("n")).all()
    return JsonResponse({"total": (await rows.aaggregate(t=models.Sum("n")))["t"]})
''', ORM)


def test_iteration_comprehension_list_and_index():
    check_transformed(MODELS + '''\
def listing(request):
    names = []
    for book in Book.objects.all():
        names.append(book.title)
    titles = [b.title for b in Book.objects.order_by("title")]
    pks = list(Book.objects.values_list("pk", flat=True))
    top = Book.objects.order_by("-pk")[0]
    return JsonResponse({"n": names, "t": titles, "p": pks, "top": top.title})
''', MODELS + '''\
async def listing(request):
    names = []
    async for book in Book.objects.all():
        names.append(book.title)
    titles = [b.title async for b in Book.objects.order_by("title")]
    pks = [obj async for obj in Book.objects.values_list("pk", flat=True)]
    top = [obj async for obj in Book.objects.order_by("-pk")[:1]][0]
    return JsonResponse({"n": names, "t": titles, "p": pks, "top": top.title})
''', ORM)


def test_lazy_relation_gets_select_related_on_the_query_root():
    check_transformed(MODELS + '''\
def detail(request, pk):
    books = Book.objects.filter(pk=pk)
    if request.GET.get("x"):
        books = books.filter(title="x")
    return JsonResponse({"a": [b.author.name for b in books]})
''', MODELS + '''\
async def detail(request, pk):
    books = Book.objects.select_related("author").filter(pk=pk)
    if request.GET.get("x"):
        books = books.filter(title="x")
    return JsonResponse({"a": [b.author.name async for b in books]})
''', ORM)


def test_related_managers_gated_on_42():
    source = MODELS + '''\
def tag(request, pk):
    book = Book.objects.get(pk=pk)
    book.tags.add(Tag.objects.get(pk=1))
    return JsonResponse({"n": book.tags.count()})
'''
    check_transformed(source, MODELS + '''\
async def tag(request, pk):
    book = await Book.objects.aget(pk=pk)
    await book.tags.aadd(await Tag.objects.aget(pk=1))
    return JsonResponse({"n": await book.tags.acount()})
''', ORM, target="4.2")
    # Version guard: in 4.1 aadd does not exist, so orm_async alone cannot convert the view.
    plan = check_noop(source, ORM, target="4.1")
    assert decisions(plan)["tag"][0] == "sync"
    assert "wrap_sync" in decisions(plan)["tag"][1]


def test_get_object_or_404_gated_on_50():
    source = MODELS + '''\
def show(request, pk):
    book = get_object_or_404(Book, pk=pk)
    return JsonResponse({"t": book.title})
'''
    check_transformed(source, MODELS.replace("get_object_or_404, render", "aget_object_or_404, render") + '''\
async def show(request, pk):
    book = await aget_object_or_404(Book, pk=pk)
    return JsonResponse({"t": book.title})
''', ORM, target="5.0")
    check_transformed(source, MODELS.replace(
        "from django.shortcuts import get_object_or_404, render\n",
        "from django.shortcuts import get_object_or_404, render\nfrom asgiref.sync import sync_to_async\n") + '''\
async def show(request, pk):
    book = await sync_to_async(get_object_or_404)(Book, pk=pk)
    return JsonResponse({"t": book.title})
''', target="4.2")


def test_star_unpacked_queryset_is_materialised():
    check_transformed(MODELS + '''\
def retag(request, pk):
    book = Book.objects.get(pk=pk)
    book.tags.add(*Tag.objects.filter(name__in=["a"]))
    return HttpResponse()
''', MODELS + '''\
async def retag(request, pk):
    book = await Book.objects.aget(pk=pk)
    await book.tags.aadd(*[obj async for obj in Tag.objects.filter(name__in=["a"])])
    return HttpResponse()
''', ORM)


def test_dict_get_is_not_a_query():
    check_noop(MODELS + '''\
def helper_shaped(data):
    return data.get("x")
''', ORM)
    plan = check_transformed(MODELS + '''\
def echo(request):
    data = {"a": 1}
    return JsonResponse({"a": data.get("a"), "q": request.GET.get("q")})
''', MODELS + '''\
async def echo(request):
    data = {"a": 1}
    return JsonResponse({"a": data.get("a"), "q": request.GET.get("q")})
''', ORM)
    assert decisions(plan)["echo"] == ("convert", "no I/O in the body")


def test_lambda_with_orm_keeps_view_sync():
    plan = check_noop(MODELS + '''\
def sorted_books(request):
    books = sorted([1, 2], key=lambda pk: Book.objects.get(pk=pk).title)
    return JsonResponse({"b": books})
''')
    decision, reason = decisions(plan)["sorted_books"]
    assert decision == "sync" and "lambda" in reason


def test_aiterator_after_prefetch_related_needs_50():
    source = MODELS + '''\
def dump(request):
    names = []
    for book in Book.objects.prefetch_related("tags").iterator(chunk_size=100):
        names.append(book.title)
    return JsonResponse({"n": names})
'''
    plan = check_noop(source, target="4.2")
    assert "needs Django 5.0" in decisions(plan)["dump"][1]
    check_transformed(source, source.replace("def dump", "async def dump").replace(
        "    for book", "    async for book").replace(".iterator(", ".aiterator("), target="5.0")


def test_same_module_helper_is_checked_with_the_arguments_it_gets():
    # author_name() reads book.author: with select_related in the caller's query it does no
    # I/O, so it is called directly; with a bare get() the call is wrapped.
    helper = '''\
def author_name(book):
    return book.author.name


'''
    check_transformed(MODELS + helper + '''\
def loaded(request):
    return JsonResponse({"a": [author_name(b) for b in Book.objects.select_related("author")]})
''', MODELS + helper + '''\
async def loaded(request):
    return JsonResponse({"a": [author_name(b) async for b in Book.objects.select_related("author")]})
''', ORM)
    plan = check_noop(MODELS + helper + '''\
def lazy(request, author):
    return JsonResponse({"a": author_name(Book(author_id=author))})
''', ORM)
    assert "wrap_sync" in decisions(plan)["lazy"][1]


def test_create_with_a_related_object_caches_it():
    check_transformed(MODELS + '''\
def add(request):
    author = Author.objects.get(pk=1)
    book = Book.objects.create(title="t", author=author)
    return JsonResponse({"a": book.author.name})
''', MODELS + '''\
async def add(request):
    author = await Author.objects.aget(pk=1)
    book = await Book.objects.acreate(title="t", author=author)
    return JsonResponse({"a": book.author.name})
''', ORM)


def test_helper_reading_a_relation_gets_select_related_in_the_view():
    helper = '''\
def author_name(book):
    return book.author.name


'''
    check_transformed(MODELS + helper + '''\
def lazy(request, pk):
    return JsonResponse({"a": author_name(Book.objects.get(pk=pk))})
''', MODELS + helper + '''\
async def lazy(request, pk):
    return JsonResponse({"a": author_name(await Book.objects.select_related("author").aget(pk=pk))})
''', ORM)


def test_full_refresh_drops_loaded_relations():
    source = MODELS + '''\
def reload(request, pk):
    book = Book.objects.select_related("author").get(pk=pk)
    book.refresh_from_db()
    return JsonResponse({"a": book.author.name})
'''
    code, _ = migrate(source)
    assert 'await sync_to_async(getattr)(book, "author")' in code


def test_in_request_session_by_version():
    source = MODELS + '''\
def has_cart(request):
    return JsonResponse({"cart": "cart" in request.session, "no": "x" not in request.session})
'''
    check_transformed(source, MODELS + '''\
async def has_cart(request):
    return JsonResponse({"cart": await request.session.ahas_key("cart"), "no": not await request.session.ahas_key("x")})
''', target="5.1")
    check_transformed(source, MODELS.replace(
        "from django.shortcuts import get_object_or_404, render\n",
        "from django.shortcuts import get_object_or_404, render\nfrom asgiref.sync import sync_to_async\n") + '''\
async def has_cart(request):
    return JsonResponse({"cart": await sync_to_async(request.session.__contains__)("cart"), "no": not await sync_to_async(request.session.__contains__)("x")})
''', target="5.0")


def test_model_method_returning_a_queryset_stays_lazy():
    models = MODELS.replace('''class Book(models.Model):''', '''class Book(models.Model):
    def same_author(self):
        return Book.objects.filter(author_id=self.author_id).order_by("title")

''')
    check_transformed(models + '''\
def siblings(request, pk):
    book = Book.objects.get(pk=pk)
    others = book.same_author()[:5]
    if others:
        return JsonResponse({"t": [b.title for b in others]})
    return JsonResponse({"t": []})
''', models + '''\
async def siblings(request, pk):
    book = await Book.objects.aget(pk=pk)
    others = book.same_author()[:5]
    if await others.aexists():
        return JsonResponse({"t": [b.title async for b in others]})
    return JsonResponse({"t": []})
''', ORM)


def test_custom_form_method_that_queries_is_wrapped():
    source = MODELS + '''\
from django import forms


class DeleteForm(forms.Form):
    confirm = forms.BooleanField()

    def delete(self, book):
        Book.objects.filter(pk=book).delete()
        return True


def remove(request, pk):
    form = DeleteForm(request.POST)
    if form.is_valid() and form.delete(pk):
        return HttpResponse(status=204)
    return HttpResponse(status=400)
'''
    code, plan = migrate(source)
    assert "await sync_to_async(form.delete)(pk)" in code
    compile(code, "<views>", "exec")


def test_in_on_a_queryset():
    check_transformed(MODELS + '''\
def tagged(request, pk):
    book = Book.objects.get(pk=pk)
    fantasy = Book.objects.filter(tags__name="fantasy")
    names = Tag.objects.values_list("name", flat=True)
    return JsonResponse({"in": book in fantasy, "out": book not in fantasy, "sci": "sci" in names})
''', MODELS + '''\
async def tagged(request, pk):
    book = await Book.objects.aget(pk=pk)
    fantasy = Book.objects.filter(tags__name="fantasy")
    names = Tag.objects.values_list("name", flat=True)
    return JsonResponse({"in": await fantasy.acontains(book), "out": not await fantasy.acontains(book), "sci": "sci" in [obj async for obj in names]})
''', ORM)
