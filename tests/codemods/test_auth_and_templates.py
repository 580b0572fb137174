"""auth_async, template_response, blocking_io and wrap_sync, side by side."""

from ..helpers import check_noop, check_transformed, decisions
from .models_prefix import MODELS

TOP = "from django.shortcuts import get_object_or_404, render\n"


def test_request_user_bound_once():
    check_transformed(MODELS + '''\
def me(request):
    if not request.user.is_authenticated:
        return JsonResponse({}, status=401)
    return JsonResponse({"name": request.user.username, "n": request.user.groups.count()})
''', MODELS + '''\
async def me(request):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse({}, status=401)
    return JsonResponse({"name": user.username, "n": await user.groups.acount()})
''')


def test_request_user_before_50_uses_get_user_in_a_thread():
    top = "from django.shortcuts import get_object_or_404, render\n"
    check_transformed(MODELS + '''\
def me(request):
    return JsonResponse({"name": request.user.username})
''', MODELS.replace(top, top + "from asgiref.sync import sync_to_async\nfrom django.contrib.auth import get_user\n") + '''\
async def me(request):
    user = await sync_to_async(get_user)(request)
    return JsonResponse({"name": user.username})
''', target="4.2")


def test_login_logout_authenticate_and_perms():
    check_transformed('''\
from django.contrib.auth import authenticate, login, logout
from django.http import HttpResponse


def sign_in(request):
    user = authenticate(request, username="a", password="b")
    if user is None or not user.has_perm("x.y"):
        logout(request)
        return HttpResponse(status=403)
    login(request, user)
    return HttpResponse()
''', '''\
from django.contrib.auth import aauthenticate, alogin, alogout
from django.http import HttpResponse


async def sign_in(request):
    user = await aauthenticate(request, username="a", password="b")
    if user is None or not await user.ahas_perm("x.y"):
        await alogout(request)
        return HttpResponse(status=403)
    await alogin(request, user)
    return HttpResponse()
''')


def test_render_becomes_template_response():
    check_transformed(MODELS + '''\
def index(request):
    return render(request, "i.html", {"books": Book.objects.all()}, None, 200, "other")
''', MODELS.replace(TOP, "from django.shortcuts import get_object_or_404\n"
                         "from django.template.response import TemplateResponse\n") + '''\
async def index(request):
    return TemplateResponse(request, "i.html", {"books": Book.objects.all()}, None, 200, using="other")
''')


def test_transaction_block_keeps_variables_in_and_out():
    check_transformed(MODELS + '''\
from django.db import transaction


def move(request, pk):
    count = 0
    with transaction.atomic():
        book = Book.objects.select_for_update().get(pk=pk)
        book.title = "x"
        book.save()
        count += 1
    return JsonResponse({"t": book.title, "n": count})
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
from django.db import transaction


async def move(request, pk):
    count = 0
    def _in_transaction():
        nonlocal count
        with transaction.atomic():
            book = Book.objects.select_for_update().get(pk=pk)
            book.title = "x"
            book.save()
            count += 1
        return book
    book = await sync_to_async(_in_transaction)()
    return JsonResponse({"t": book.title, "n": count})
''')


def test_transaction_block_returning_on_some_paths_keeps_view_sync():
    plan = check_noop(MODELS + '''\
from django.db import transaction


def maybe(request):
    with transaction.atomic():
        if request.GET:
            return HttpResponse()
        Book.objects.create(title="x")
    return HttpResponse(status=201)
''')
    assert "returns on some paths only" in decisions(plan)["maybe"][1]


def test_sleep_and_requests():
    check_transformed('''\
import time

import requests
from django.http import JsonResponse


def rates(request):
    time.sleep(0.1)
    return JsonResponse(requests.get("http://127.0.0.1:9/r", timeout=1).json())
''', '''\
import requests
from django.http import JsonResponse
import asyncio
from asgiref.sync import sync_to_async


async def rates(request):
    await asyncio.sleep(0.1)
    return JsonResponse((await sync_to_async(requests.get)("http://127.0.0.1:9/r", timeout=1)).json())
''')


def test_modelform_is_valid_and_save_are_wrapped():
    check_transformed(MODELS + '''\
from django import forms


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title"]


def create(request):
    form = BookForm(request.POST)
    if form.is_valid():
        book = form.save()
        return JsonResponse({"pk": book.pk})
    return JsonResponse(form.errors, status=400)
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
from django import forms


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title"]


async def create(request):
    form = BookForm(request.POST)
    if await sync_to_async(form.is_valid)():
        book = await sync_to_async(form.save)()
        return JsonResponse({"pk": book.pk})
    return JsonResponse(form.errors, status=400)
''')


def test_unknown_third_party_call_keeps_view_sync_unless_unsafe():
    source = '''\
from django.http import JsonResponse
from somelib import fetch


def proxy(request):
    return JsonResponse(fetch(request.GET["u"]))
'''
    plan = check_noop(source)
    assert "somelib.fetch() is outside the project (--unsafe would wrap it" in decisions(plan)["proxy"][1]
    check_transformed(source, '''\
from django.http import JsonResponse
from somelib import fetch
from asgiref.sync import sync_to_async


async def proxy(request):
    return JsonResponse(await sync_to_async(fetch)(request.GET["u"]))
''', unsafe=True)


def test_decorators_by_version():
    source = '''\
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.cache import cache_page


@login_required
def private(request):
    return HttpResponse()


@cache_page(60)
def cached(request):
    return HttpResponse()
'''
    plan = check_noop(source, target="5.0")
    assert decisions(plan)["private"] == ("sync", "@login_required supports async views only from Django 5.1")
    assert "not async-safe" in decisions(plan)["cached"][1]
    check_transformed(source, source.replace("def private", "async def private"), target="5.1")


def test_neighbouring_wraps_share_one_hop():
    plan = check_transformed(MODELS + '''\
from . import services


def publish(request, pk):
    book = services.load(pk)
    services.notify(book)
    note = services.log(book)
    return JsonResponse({"t": book.title, "note": note})
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
from . import services


async def publish(request, pk):
    def _sync_steps():
        book = services.load(pk)
        services.notify(book)
        note = services.log(book)
        return book, note
    book, note = await sync_to_async(_sync_steps)()
    return JsonResponse({"t": book.title, "note": note})
''', unsafe=True)
    (view,) = plan.views
    assert view.hops == 1


def test_user_bound_once_follows_login_and_logout():
    check_transformed('''\
from django.contrib.auth import authenticate, login, logout
from django.http import JsonResponse


def sign_in(request):
    before = request.user.username
    user = authenticate(request, username="a", password="b")
    if user is not None:
        login(request, user)
    middle = request.user.username
    logout(request)
    return JsonResponse({"before": before, "middle": middle, "after": request.user.username})
''', '''\
from django.contrib.auth import aauthenticate, alogin, alogout
from django.http import JsonResponse


async def sign_in(request):
    current_user = await request.auser()
    before = current_user.username
    user = await aauthenticate(request, username="a", password="b")
    if user is not None:
        await alogin(request, user)
        current_user = request.user
    middle = current_user.username
    await alogout(request)
    current_user = request.user
    return JsonResponse({"before": before, "middle": middle, "after": current_user.username})
''')


def test_queryset_or_fallback_is_not_a_truth_test():
    plan = check_noop(MODELS + '''\
def pick(request):
    books = Book.objects.filter(title="x") or Book.objects.all()[:1]
    return JsonResponse({"t": [b.title for b in books]})
''')
    assert "and/or" in decisions(plan)["pick"][1]
    check_transformed(MODELS + '''\
def either(request):
    if Book.objects.filter(title="x") or Author.objects.all():
        return HttpResponse("some")
    return HttpResponse("none")
''', MODELS + '''\
async def either(request):
    if await Book.objects.filter(title="x").aexists() or await Author.objects.all().aexists():
        return HttpResponse("some")
    return HttpResponse("none")
''')


def test_created_instance_relations_are_wrapped_not_select_related():
    check_transformed(MODELS + '''\
def ensure(request):
    book, _ = Book.objects.get_or_create(title="x", defaults={"author_id": 1})
    return JsonResponse({"a": book.author.name})
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
async def ensure(request):
    book, _ = await Book.objects.aget_or_create(title="x", defaults={"author_id": 1})
    return JsonResponse({"a": (await sync_to_async(getattr)(book, "author")).name})
''')


def test_modelform_commit_false_save_m2m_and_the_saved_instance():
    check_transformed(MODELS + '''\
from django import forms


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "tags"]


def create(request):
    form = BookForm(request.POST)
    if form.is_valid():
        book = form.save(commit=False)
        book.save()
        form.save_m2m()
        return JsonResponse({"tags": sorted([t.name for t in book.tags.all()])})
    return JsonResponse(form.errors, status=400)
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
from django import forms


class BookForm(forms.ModelForm):
    class Meta:
        model = Book
        fields = ["title", "tags"]


async def create(request):
    form = BookForm(request.POST)
    if await sync_to_async(form.is_valid)():
        book = await sync_to_async(form.save)(commit=False)
        await book.asave()
        await sync_to_async(form.save_m2m)()
        return JsonResponse({"tags": sorted([t.name async for t in book.tags.all()])})
    return JsonResponse(form.errors, status=400)
''')


def test_atomic_view_moves_whole_into_one_hop():
    check_transformed(MODELS + '''\
from django.db import transaction
from django.views.decorators.http import require_POST


@require_POST
@transaction.atomic
def cancel(request, pk):
    """Cancel and restock."""
    book = Book.objects.select_for_update().get(pk=pk)
    book.delete()
    return HttpResponse(status=204)
''', MODELS.replace(TOP, TOP + "from asgiref.sync import sync_to_async\n") + '''\
from django.db import transaction
from django.views.decorators.http import require_POST


@require_POST
async def cancel(request, pk):
    """Cancel and restock."""
    @transaction.atomic
    def _in_transaction():
        book = Book.objects.select_for_update().get(pk=pk)
        book.delete()
        return HttpResponse(status=204)
    return await sync_to_async(_in_transaction)()
''')
