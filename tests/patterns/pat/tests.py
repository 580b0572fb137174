"""Behaviour of every pattern view, the same for the sync original and the migrated copy.

Each ``check_<pattern>`` method is one scenario, written once against a small driver, and
runs twice: ``test_<pattern>__client`` drives it with ``self.client`` and
``test_<pattern>__async_client`` (an ``async def`` test) with ``self.async_client``, whose
requests run the view inside an event loop, so a sync query left in an async view raises
``SynchronousOnlyOperation``.  DB assertions are plain ORM calls, made outside the loop.
"""

from asgiref.sync import async_to_sync, sync_to_async
from django.contrib.auth.models import Group, Permission, User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import TestCase

from .models import Author, Book, Note, Review, Tag

PASSWORD = "correct horse"


class Driver:
    """``get``/``post``/``force_login`` on either client, called from sync code."""

    def __init__(self, client, asynchronous=False):
        self.client, self.asynchronous = client, asynchronous

    def _call(self, method, *args, **kwargs):
        func = getattr(self.client, method)
        return async_to_sync(func)(*args, **kwargs) if self.asynchronous else func(*args, **kwargs)

    def get(self, path, data=None):
        return self._call("get", path, data)

    def post(self, path, data=None):
        return self._call("post", path, data or {})

    def force_login(self, user):
        self.client.force_login(user)   # sync on both clients (session save)


def both_clients(cls):
    """Turn every ``check_<pattern>`` into a sync-client test and an async-client test."""
    for name in [n for n in vars(cls) if n.startswith("check_")]:
        pattern = name[len("check_"):]

        def sync_test(self, _name=name):
            getattr(self, _name)(Driver(self.client))

        async def async_test(self, _name=name):
            await sync_to_async(getattr(self, _name))(Driver(self.async_client, asynchronous=True))

        sync_test.__name__, async_test.__name__ = f"test_{pattern}__client", f"test_{pattern}__async_client"
        setattr(cls, sync_test.__name__, sync_test)
        setattr(cls, async_test.__name__, async_test)
    return cls


@both_clients
class PatternTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = Author.objects.create(name="Ann")
        cls.bob = Author.objects.create(name="Bob")
        cls.cy = Author.objects.create(name="Cy")
        cls.python = Tag.objects.create(name="python")
        cls.django = Tag.objects.create(name="django")
        cls.unused = Tag.objects.create(name="unused")
        cls.alpha = Book.objects.create(title="Alpha", author=cls.ann, stock=3)
        cls.beta = Book.objects.create(title="Beta", author=cls.ann, stock=0)
        cls.gamma = Book.objects.create(title="Gamma", author=cls.bob, stock=10)
        cls.alpha.tags.add(cls.python)
        cls.beta.tags.add(cls.python, cls.django)
        cls.alice = User.objects.create_user("alice", password=PASSWORD, is_staff=True)
        cls.alice.user_permissions.add(Permission.objects.get(codename="change_book"))
        cls.carol = User.objects.create_user("carol", password=PASSWORD)
        Review.objects.create(book=cls.alpha, user=cls.alice, rating=5)

    def setUp(self):
        cache.clear()

    def ok(self, response, expected=None, status=200):
        self.assertEqual(response.status_code, status, response.content[:500])
        if expected is not None:
            self.assertEqual(response.json(), expected)
        return response

    def stock(self, book):
        return Book.objects.values_list("stock", flat=True).get(pk=book.pk)

    # -- reads -------------------------------------------------------------------------------
    def check_get_does_not_exist(self, c):
        self.ok(c.get(f"/book-get/{self.alpha.pk}/"), {"id": self.alpha.pk, "title": "Alpha", "stock": 3})
        self.ok(c.get("/book-get/9999/"), status=404)

    def check_filter_first_last_latest_earliest(self, c):
        self.ok(c.get("/book-ends/"), {"first": "Alpha", "last": "Gamma", "latest": "Gamma",
                                       "earliest": "Alpha", "missing": None})

    def check_count_exists(self, c):
        self.ok(c.get("/book-stats/"), {"count": 3, "in_stock": 2, "any_empty": True, "any_huge": False})

    def check_aggregate(self, c):
        self.ok(c.get("/book-totals/"), {"stock": 13, "n": 3})

    def check_a_prefixed_traps(self, c):
        self.ok(c.get("/book-tag-counts/"), {"total": 3, "titles": ["Alpha", "Beta"]})

    def check_in_bulk(self, c):
        response = c.get("/book-in-bulk/", {"id": [self.alpha.pk, self.gamma.pk, 9999]})
        self.ok(response, {"titles": {str(self.alpha.pk): "Alpha", str(self.gamma.pk): "Gamma"}})

    def check_contains(self, c):
        self.ok(c.get(f"/book-contains/{self.alpha.pk}/"), {"in_stock": True})
        self.ok(c.get(f"/book-contains/{self.beta.pk}/"), {"in_stock": False})

    def check_iterator_loop(self, c):
        self.ok(c.get("/book-iterator/"), {"titles": ["Alpha", "Beta", "Gamma"]})

    def check_reverse_fk_count(self, c):
        self.ok(c.get(f"/author-book-count/{self.ann.pk}/"), {"name": "Ann", "books": 2})
        self.ok(c.get(f"/author-book-count/{self.cy.pk}/"), {"name": "Cy", "books": 0})

    def check_for_loop(self, c):
        self.ok(c.get("/book-titles-loop/"), {"titles": ["Alpha", "Gamma"]})

    def check_list_comprehension(self, c):
        self.ok(c.get("/book-titles-comprehension/"), {"titles": ["Alpha", "Beta", "Gamma"]})

    def check_list_queryset(self, c):
        self.ok(c.get("/book-list-qs/"), {"titles": ["Gamma", "Beta", "Alpha"]})

    def check_index_zero(self, c):
        self.ok(c.get("/book-cheapest/"), {"book": "Beta"})
        self.ok(c.get("/book-cheapest/", {"min": 5}), {"book": "Gamma"})
        self.ok(c.get("/book-cheapest/", {"min": 100}), {"book": None}, status=404)

    def check_slice_iterated(self, c):
        self.ok(c.get("/book-top-two/"), {"titles": ["Gamma", "Alpha"]})

    def check_values_list_flat(self, c):
        self.ok(c.get("/book-title-list/"), {"titles": ["Alpha", "Beta", "Gamma"]})

    def check_len_queryset(self, c):
        self.ok(c.get("/book-len/"), {"n": 2})

    def check_if_queryset(self, c):
        self.ok(c.get("/book-any-empty/"), {"empty": True})
        Book.objects.filter(stock=0).update(stock=1)
        self.ok(c.get("/book-any-empty/"), {"empty": False})

    def check_get_object_or_404(self, c):
        self.ok(c.get(f"/author-detail/{self.ann.pk}/"), {"name": "Ann"})
        self.ok(c.get("/author-detail/9999/"), status=404)

    def check_get_list_or_404(self, c):
        self.ok(c.get(f"/author-books/{self.ann.pk}/"), {"titles": ["Alpha", "Beta"]})
        self.ok(c.get(f"/author-books/{self.cy.pk}/"), status=404)

    def check_lazy_fk_after_get(self, c):
        self.ok(c.get(f"/book-author/{self.gamma.pk}/"), {"title": "Gamma", "author": "Bob"})

    def check_lazy_fk_in_loop(self, c):
        self.ok(c.get("/book-authors/"), {"rows": [["Alpha", "Ann"], ["Beta", "Ann"], ["Gamma", "Bob"]]})

    def check_render_lazy_queryset(self, c):
        response = self.ok(c.get("/book-page/"))
        self.assertContains(response, "user=</p>")
        self.assertContains(response, "Alpha by Ann")
        self.assertContains(response, "Gamma by Bob")
        c.force_login(self.alice)
        self.assertContains(self.ok(c.get("/book-page/")), "user=alice</p>")

    def check_cache_get_set(self, c):
        self.ok(c.get("/cached-count/"), {"count": 3, "hit": False})
        Book.objects.create(title="Delta", author=self.bob)
        self.ok(c.get("/cached-count/"), {"count": 3, "hit": True})
        self.assertEqual(cache.get("book_count"), 3)

    def check_time_sleep(self, c):
        self.assertEqual(self.ok(c.get("/slow-ping/")).content, b"pong")

    def check_no_io(self, c):
        self.ok(c.get("/echo/", {"q": "x"}), {"q": "x", "body": {}})

    # -- writes ------------------------------------------------------------------------------
    def check_create(self, c):
        response = self.ok(c.post("/tag-create/", {"name": "new"}), status=201)
        self.assertEqual(response.json(), {"id": Tag.objects.get(name="new").pk, "name": "new"})

    def check_get_or_create(self, c):
        self.ok(c.post("/tag-get-or-create/", {"name": "python"}), {"id": self.python.pk, "created": False})
        response = self.ok(c.post("/tag-get-or-create/", {"name": "fresh"}))
        self.assertEqual(response.json(), {"id": Tag.objects.get(name="fresh").pk, "created": True})

    def check_update_or_create(self, c):
        data = {"title": "Alpha", "author": "Bob", "stock": 7}
        self.ok(c.post("/book-update-or-create/", data), {"id": self.alpha.pk, "created": False, "stock": 7})
        self.assertEqual(Book.objects.get(pk=self.alpha.pk).author_id, self.bob.pk)
        response = self.ok(c.post("/book-update-or-create/", {"title": "Omega", "author": "Cy", "stock": 1}))
        self.assertTrue(response.json()["created"])
        self.assertEqual(Book.objects.get(title="Omega").author_id, self.cy.pk)

    def check_bulk_create(self, c):
        self.ok(c.post("/tag-bulk-create/", {"name": ["x", "y"]}), {"created": 2}, status=201)
        self.assertEqual(Tag.objects.count(), 5)

    def check_bulk_update(self, c):
        self.ok(c.post("/book-bulk-restock/"), {"updated": 2})
        self.assertEqual(list(Book.objects.order_by("title").values_list("stock", flat=True)), [5, 5, 10])

    def check_queryset_update(self, c):
        self.ok(c.post("/book-clear-stock/", {"author": "Ann"}), {"changed": 2})
        self.assertEqual((self.stock(self.alpha), self.stock(self.gamma)), (0, 10))

    def check_queryset_delete(self, c):
        self.ok(c.post("/tag-delete-unused/"), {"deleted": 1})
        self.assertEqual(sorted(Tag.objects.values_list("name", flat=True)), ["django", "python"])

    def check_manager_all_delete(self, c):
        self.ok(c.post("/review-delete-all/"), {"deleted": 1})
        self.assertFalse(Review.objects.exists())

    def check_instance_save(self, c):
        self.ok(c.post(f"/book-rename/{self.alpha.pk}/", {"title": "Alef"}),
                {"id": self.alpha.pk, "title": "Alef", "stock": 3})
        self.assertEqual(Book.objects.get(pk=self.alpha.pk).title, "Alef")

    def check_instance_save_update_fields(self, c):
        self.ok(c.post(f"/book-set-stock/{self.alpha.pk}/", {"stock": 42}),
                {"id": self.alpha.pk, "title": "Alpha", "stock": 42})
        self.assertEqual(self.stock(self.alpha), 42)

    def check_instance_delete(self, c):
        self.ok(c.post(f"/book-delete/{self.alpha.pk}/"), {"deleted": self.alpha.pk})
        self.assertFalse(Book.objects.filter(pk=self.alpha.pk).exists())
        self.assertFalse(Review.objects.exists())   # cascaded

    def check_refresh_from_db(self, c):
        self.ok(c.post(f"/book-refresh/{self.alpha.pk}/"), {"before": 3, "after": 4})
        self.assertEqual(self.stock(self.alpha), 4)

    def check_m2m_add_remove_clear_set(self, c):
        url = f"/book-tags/{self.alpha.pk}/"
        self.ok(c.post(url, {"action": "add", "tag": ["django"]}), {"tags": ["django", "python"]})
        self.ok(c.post(url, {"action": "remove", "tag": ["python"]}), {"tags": ["django"]})
        self.ok(c.post(url, {"action": "clear"}), {"tags": []})
        self.ok(c.post(url, {"action": "set", "tag": ["python", "unused"]}), {"tags": ["python", "unused"]})
        self.assertEqual(sorted(t.name for t in Book.objects.get(pk=self.alpha.pk).tags.all()), ["python", "unused"])

    def check_related_create(self, c):
        response = self.ok(c.post(f"/author-add-book/{self.cy.pk}/", {"title": "Zeta"}), status=201)
        self.assertEqual(response.json(), {"id": Book.objects.get(title="Zeta").pk, "author": "Cy"})
        self.assertEqual(Book.objects.get(title="Zeta").author_id, self.cy.pk)

    def check_atomic_select_for_update(self, c):
        data = {"src": self.alpha.pk, "dst": self.gamma.pk}
        self.ok(c.post("/move-stock/", {**data, "qty": 5}), {"error": "only 3 left"}, status=409)
        self.assertEqual((self.stock(self.alpha), self.stock(self.gamma)), (3, 10))   # rolled back
        self.ok(c.post("/move-stock/", {**data, "qty": 2}), {"src": 1})
        self.assertEqual((self.stock(self.alpha), self.stock(self.gamma)), (1, 12))

    def check_modelform_create(self, c):
        self.ok(c.post("/book-create/", {"title": "Alpha", "author": 9999, "stock": 1}),
                {"errors": ["author", "title"]}, status=400)
        self.assertEqual(Book.objects.count(), 3)
        response = self.ok(c.post("/book-create/", {"title": "Delta", "author": self.ann.pk, "stock": 4}), status=201)
        delta = Book.objects.get(title="Delta")
        self.assertEqual(response.json(), {"id": delta.pk, "title": "Delta"})
        self.assertEqual((delta.author_id, delta.stock), (self.ann.pk, 4))

    def check_project_helper(self, c):
        self.ok(c.post(f"/book-restock/{self.alpha.pk}/", {"qty": 2}), {"stock": 5, "titles": ["Alpha", "Beta"]})
        self.assertEqual(self.stock(self.alpha), 5)

    # -- auth --------------------------------------------------------------------------------
    def check_request_user(self, c):
        self.ok(c.get("/whoami/"), {"user": None, "staff": False})
        c.force_login(self.alice)
        self.ok(c.get("/whoami/"), {"user": "alice", "staff": True})

    def check_request_user_in_orm(self, c):
        url = f"/review-create/{self.beta.pk}/"
        self.ok(c.post(url, {"rating": 4}), {"error": "login required"}, status=403)
        self.assertFalse(Review.objects.filter(book=self.beta).exists())
        c.force_login(self.carol)
        response = self.ok(c.post(url, {"rating": 4}), status=201)
        review = Review.objects.get(book=self.beta)
        self.assertEqual(response.json(), {"id": review.pk, "user": "carol"})
        self.assertEqual((review.user_id, review.rating), (self.carol.pk, 4))

    def check_has_perm(self, c):
        self.ok(c.get("/can-edit/"), {"can_edit": False})
        c.force_login(self.carol)
        self.ok(c.get("/can-edit/"), {"can_edit": False})
        c.force_login(self.alice)
        self.ok(c.get("/can-edit/"), {"can_edit": True})

    def check_authenticate_login(self, c):
        self.ok(c.post("/login-view/", {"username": "alice", "password": "wrong"}), {"ok": False}, status=401)
        self.ok(c.get("/whoami/"), {"user": None, "staff": False})
        self.ok(c.post("/login-view/", {"username": "alice", "password": PASSWORD}), {"ok": True, "user": "alice"})
        self.ok(c.get("/whoami/"), {"user": "alice", "staff": True})

    def check_logout(self, c):
        c.force_login(self.alice)
        self.ok(c.get("/whoami/"), {"user": "alice", "staff": True})
        self.ok(c.post("/logout-view/"), {"ok": True})
        self.ok(c.get("/whoami/"), {"user": None, "staff": False})

    # -- session -----------------------------------------------------------------------------
    def check_session_write(self, c):
        self.ok(c.post("/cart-add/", {"item": "a"}), {"cart": ["a"]})
        self.ok(c.post("/cart-add/", {"item": "b"}), {"cart": ["a", "b"]})
        self.assertEqual(c.client.session["cart"], ["a", "b"])   # saved in the DB session

    def check_session_read(self, c):
        self.ok(c.get("/cart-show/"), {"cart": []})
        self.ok(c.post("/cart-add/", {"item": "a"}))
        self.ok(c.get("/cart-show/"), {"cart": ["a"]})

    def check_session_getitem(self, c):
        self.ok(c.get("/cart-first/"), {"first": None}, status=404)
        self.ok(c.post("/cart-add/", {"item": "a"}))
        self.ok(c.get("/cart-first/"), {"first": "a"})

    def check_session_pop(self, c):
        self.ok(c.post("/cart-checkout/"), {"checked_out": []})
        self.ok(c.post("/cart-add/", {"item": "a"}))
        self.ok(c.post("/cart-checkout/"), {"checked_out": ["a"]})
        self.ok(c.get("/cart-show/"), {"cart": []})

    def check_session_del(self, c):
        self.ok(c.post("/cart-forget/"), {"forgot": False})
        self.ok(c.post("/cart-add/", {"item": "a"}))
        self.ok(c.post("/cart-forget/"), {"forgot": True})
        self.ok(c.get("/cart-show/"), {"cart": []})

    # -- variants that are easy to migrate wrongly --------------------------------------------
    def check_not_and_bool_queryset(self, c):
        self.ok(c.get("/book-none-huge/"), {"none": True, "any": False})
        self.ok(c.get("/book-none-huge/", {"over": 5}), {"none": False, "any": True})

    def check_ternary_queryset(self, c):
        self.ok(c.get("/book-empty-titles/"), {"titles": ["Beta"]})
        Book.objects.filter(stock=0).update(stock=1)
        self.ok(c.get("/book-empty-titles/"), {"titles": []})

    def check_nested_fk_in_comprehension(self, c):
        Review.objects.create(book=self.gamma, user=self.carol, rating=2)
        self.ok(c.get("/review-rows/"), {"rows": [["Alpha", "Ann", "alice"], ["Gamma", "Bob", "carol"]]})

    def check_related_manager_fk_loop(self, c):
        Review.objects.create(book=self.alpha, user=self.carol, rating=1)
        self.ok(c.get(f"/book-reviewers/{self.alpha.pk}/"), {"author": "Ann", "users": ["alice", "carol"]})
        self.ok(c.get("/book-reviewers/9999/"), status=404)

    def check_user_reverse_fk(self, c):
        self.ok(c.get("/my-review-count/"), {"n": None})
        c.force_login(self.alice)
        self.ok(c.get("/my-review-count/"), {"n": 1})

    def check_session_in_check(self, c):
        self.ok(c.get("/cart-has/"), {"has_cart": False, "checks": 1})
        self.ok(c.post("/cart-add/", {"item": "a"}))
        self.ok(c.get("/cart-has/"), {"has_cart": True, "checks": 2})

    def check_login_then_request_user(self, c):
        self.ok(c.post("/login-whoami/", {"username": "alice", "password": "wrong"}), {"user": ""}, status=401)
        self.ok(c.post("/login-whoami/", {"username": "alice", "password": PASSWORD}), {"user": "alice"})

    def check_logout_then_request_user(self, c):
        c.force_login(self.alice)
        self.ok(c.post("/logout-whoami/"), {"before": "alice", "after": ""})

    def check_queryset_or_fallback(self, c):
        self.ok(c.get("/book-search/", {"q": "a"}), {"titles": ["Alpha", "Beta", "Gamma"]})
        self.ok(c.get("/book-search/", {"q": "zzz"}), {"titles": ["Alpha"]})

    def check_get_or_create_then_fk(self, c):
        self.ok(c.post("/book-ensure/", {"title": "Alpha", "author": self.bob.pk}), {"created": False, "author": "Ann"})
        self.ok(c.post("/book-ensure/", {"title": "Omega", "author": self.bob.pk}), {"created": True, "author": "Bob"})
        self.assertEqual(Book.objects.get(title="Omega").author_id, self.bob.pk)

    def check_modelform_commit_false_save_m2m(self, c):
        self.ok(c.post("/book-create-tagged/", {"title": "", "author": self.ann.pk}), {"errors": ["stock", "title"]},
                status=400)
        data = {"title": "Delta", "author": self.ann.pk, "stock": 1, "tags": [self.python.pk, self.django.pk]}
        response = self.ok(c.post("/book-create-tagged/", data), status=201)
        delta = Book.objects.get(title="Delta")
        self.assertEqual(response.json(), {"id": delta.pk, "tags": ["django", "python"]})
        self.assertEqual(delta.stock, 99)
        self.assertEqual(delta.tags.count(), 2)

    def check_model_property_query(self, c):
        self.ok(c.get(f"/author-titles/{self.ann.pk}/"), {"name": "Ann", "titles": ["Alpha", "Beta"]})

    def check_model_cached_property_query(self, c):
        self.ok(c.get(f"/book-tag-names/{self.beta.pk}/"), {"tags": ["django", "python"], "again": ["django", "python"]})

    def check_model_property_queryset(self, c):
        self.ok(c.get(f"/author-in-stock/{self.ann.pk}/"), {"titles": ["Alpha"]})

    def check_model_property_pure(self, c):
        self.ok(c.get(f"/author-shout/{self.bob.pk}/"), {"shout": "BOB!"})

    def check_assign_relation(self, c):
        response = self.ok(c.post("/book-adopt/", {"title": "Zeta", "author": self.cy.pk}), status=201)
        self.assertEqual(response.json()["author"], "Cy")
        self.assertEqual(Book.objects.get(title="Zeta").author_id, self.cy.pk)

    def check_raw_cursor(self, c):
        self.ok(c.get("/book-count-sql/", {"min": 2}), {"count": 2})

    def check_raw_cursor_block(self, c):
        self.ok(c.get("/book-titles-sql/"), {"titles": ["Alpha", "Beta", "Gamma"]})

    def check_raw_cursor_iterated(self, c):
        self.ok(c.get("/book-stock-sql/"), {"stock": {"Alpha": 3, "Beta": 0, "Gamma": 10}})

    def check_raw_cursor_helper(self, c):
        self.ok(c.get("/book-rows-sql/"), {"rows": [{"title": "Alpha", "stock": 3}, {"title": "Gamma", "stock": 10}]})

    def check_redirect_to_object_that_queries(self, c):
        response = self.ok(c.get(f"/book-go/{self.gamma.pk}/"), status=302)
        self.assertEqual(response["Location"], f"/book-get/{self.gamma.pk}/?by=Bob")

    def check_redirect_to_object(self, c):
        response = self.ok(c.get(f"/author-go/{self.cy.pk}/"), status=302)
        self.assertEqual(response["Location"], f"/author-detail/{self.cy.pk}/")

    def check_str_of_object_that_queries(self, c):
        review = Review.objects.get()
        self.ok(c.get(f"/review-label/{review.pk}/"), {"label": "Review: alice on Alpha", "plain": "alice on Alpha",
                                                      "pct": "alice on Alpha!", "format": "<alice on Alpha>"})

    def check_clock_reads(self, c):
        self.ok(c.get("/book-count-timed/"), {"count": 3, "fast": True, "now": True})

    def check_session_in_tuple_target(self, c):
        self.ok(c.get("/cart-pair/"), {"count": 3, "pair": "set"})

    def check_module_helper_returns_queryset(self, c):
        self.ok(c.get("/book-in-stock/"), {"titles": ["Alpha", "Gamma"]})

    def check_helper_object_methods(self, c):
        self.ok(c.get("/shelf/Ann/"), {"label": "shelf of Ann", "titles": ["Alpha", "Beta"], "size": 2})

    def check_helper_object_from_factory(self, c):
        self.ok(c.get("/shelf-titles/", {"owner": "Bob"}), {"titles": ["Gamma"]})

    def check_handler_calls_handler(self, c):
        self.ok(c.get("/shelf-page/"), {"count": 3})
        self.ok(c.post("/shelf-page/", {"tag": "new"}), {"count": 3})
        self.assertTrue(Tag.objects.filter(name="new").exists())

    def check_raw_queryset_iterated(self, c):
        self.ok(c.get("/book-titles-raw/"), {"titles": ["Alpha", "Beta", "Gamma"], "stocked": [["Alpha", 3], ["Gamma", 10]]})

    def check_deferred_field_read(self, c):
        self.ok(c.get("/book-stock-deferred/"), {"rows": [["Alpha", 3, "Ann"], ["Beta", 0, "Ann"], ["Gamma", 10, "Bob"]],
                                                 "alpha": ["Alpha", 3]})

    def check_generic_foreign_key(self, c):
        Note.objects.create(target=self.alpha, text="a book")
        Note.objects.create(target=self.ann, text="an author")
        self.ok(c.get("/note-targets/"), {"labels": [["a book", "Alpha"], ["an author", "Ann"]]})

    def check_model_validation_queries(self, c):
        url = f"/book-check/{self.alpha.pk}/"
        self.ok(c.get(url), {"ok": True})
        self.ok(c.get(url, {"title": "Beta"}), {"errors": ["title"]}, status=400)
        self.ok(c.get(url, {"title": "Omega"}), {"ok": True})

    def check_user_model_alias(self, c):
        self.ok(c.post(f"/user-password/{self.carol.pk}/", {"password": "n3w-Secret!"}), {"ok": True, "other": False})
        self.carol.refresh_from_db()
        self.assertTrue(self.carol.check_password("n3w-Secret!"))

    def check_queryset_repr_and_logging(self, c):
        self.ok(c.get("/book-repr/"), {"repr": "<QuerySet [<Book: Alpha>, <Book: Beta>, <Book: Gamma>]>",
                                       "text": "<QuerySet [<Book: Beta>]>", "author": "Ann"})

    def check_form_cleaned_instance_relation(self, c):
        self.ok(c.post("/book-form-check/", {"title": "New", "author": self.ann.pk, "stock": 1}),
                {"author": "Ann", "first": "Alpha", "title": "New"})
        self.ok(c.post("/book-form-check/", {"title": "New", "stock": 1}), {"errors": ["author"]}, status=400)

    def check_fetched_list_relation(self, c):
        self.ok(c.get("/book-author-list/"), {"authors": ["Ann", "Ann", "Bob"], "first": "Ann"})

    def check_cache_get_or_set_callable(self, c):
        self.ok(c.get("/stock-total/"), {"total": 13})

    def check_key_lambda_relation(self, c):
        self.ok(c.get("/books-by-author/"), {"titles": ["Alpha", "Beta", "Gamma"], "last_author": "Gamma"})

    def check_file_field_io(self, c):
        self.assertEqual(c.get(f"/author-portrait/{self.bob.pk}/").status_code, 404)
        self.ann.portrait.save("ann.txt", ContentFile(b"hello"), save=True)
        try:
            response = self.ok(c.get(f"/author-portrait/{self.ann.pk}/"), status=200)
            self.assertEqual((response.json()["size"], response.json()["data"]), (5, "hello"))
        finally:
            self.ann.portrait.delete(save=True)

    def check_decorator_by_assignment(self, c):
        response = c.get("/my-review-total/")
        self.assertEqual((response.status_code, response["Location"]), (302, "/accounts/login/?next=/my-review-total/"))
        c.force_login(self.carol)
        self.ok(c.get("/my-review-total/"), {"reviews": Review.objects.filter(user=self.carol).count()})

    def check_django_contrib_models(self, c):
        editors = Group.objects.create(name="editors")
        editors.permissions.add(*Permission.objects.filter(codename__in=["change_book", "add_book"]))
        self.ok(c.get(f"/group-permissions/{editors.pk}/"),
                {"group": "editors", "codes": ["add_book", "change_book"], "count": 4,
                 "label": "Can add book", "app": "pat"})

    def check_map_filter_over_queryset(self, c):
        self.ok(c.get("/books-mapped/"), {"titles": ["ALPHA", "BETA", "GAMMA"], "authors": ["Ann", "Ann", "Bob"],
                                          "in_stock": ["Ann", "Bob"], "last": ["Gamma", "Beta"]})

    def check_queryset_handed_to_an_iterating_call(self, c):
        self.ok(c.get("/books-iterated/"), {"titles": "Alpha, Beta, Gamma", "stock": 1,
                                            "every": ["Alpha", "Beta", "Gamma", "Zeta"],
                                            "ranked": ["1:Ann", "2:Ann", "3:Bob", "0:Bob"]})

    def check_queryset_unpacked_or_written(self, c):
        response = self.ok(c.get("/books-unpacked/"))
        self.assertEqual(response.content.decode().splitlines(), ["Alpha,Ann", "Alpha,3", "Beta,0", "Gamma,10"])

    def check_instances_in_a_dict(self, c):
        self.ok(c.get("/books-by-pk/"), {"pairs": ["Alpha:Ann", "Beta:Ann", "Gamma:Bob"], "alpha": "Ann",
                                         "beta": "Ann", "authors": ["Ann", "Ann", "Bob"]})

    def check_combined_and_conditional_querysets(self, c):
        self.ok(c.get("/books-combined/"), {"either": ["Beta", "Gamma"], "chosen": ["Alpha", "Beta", "Gamma"],
                                            "book": None, "first": "Ann"})
        self.ok(c.get("/books-combined/", {"in_stock": "1"}),
                {"either": ["Beta", "Gamma"], "chosen": ["Alpha", "Gamma"], "book": "Bob", "first": "Ann"})

    def check_instances_through_tuples_and_defaults(self, c):
        self.ok(c.get("/books-handed-on/"), {"first": "Bob", "last": "Ann", "fallback": "Ann", "opened": "Ann",
                                             "stocked": "Bob"})

    def check_instances_collected_in_a_list(self, c):
        self.ok(c.get("/books-collected/"), {"authors": ["Ann", "Bob", "Ann"]})

    def check_instances_stored_in_a_container(self, c):
        self.ok(c.get("/books-grouped/"), {"authors": ["Ann", "Bob"]})

    def check_instance_in_a_context_dict(self, c):
        self.ok(c.get("/book-in-context/"), {"title": "Alpha", "n": 1})

    def check_list_or_404_relation(self, c):
        self.ok(c.get("/author-names-or-404/"), {"authors": ["Ann", "Bob"]})

    def check_route_in_a_named_list(self, c):
        self.ok(c.get("/tags/names/"), {"tags": ["django", "python", "unused"]})

    def check_cache_by_alias(self, c):
        self.ok(c.get("/visit-count/"), {"visits": 1, "again": 1, "last": 1})
        self.ok(c.get("/visit-count/"), {"visits": 2, "again": 2, "last": 2})

    def check_model_reexported_by_a_package(self, c):
        self.ok(c.get(f"/volume/{self.beta.pk}/"),
                {"author": "Ann", "link": f"/book-get/{self.beta.pk}/?by=Ann", "tags": ["django", "python"]})
