"""Django's async API by version, as data.

Every entry comes from ``shared/django-async-reference.md`` (verified against Django's
releases).  A version is a ``(major, minor)`` tuple; an API is used only when the target
version is at least its minimum.
"""

from __future__ import annotations

Version = tuple[int, int]

SUPPORTED_TARGETS: tuple[Version, ...] = (
    (4, 1), (4, 2), (5, 0), (5, 1), (5, 2), (6, 0), (6, 1),
)
DEFAULT_TARGET: Version = (5, 2)

# QuerySet methods that return another (lazy) QuerySet.  Note: ``aggregate``/``annotate``/
# ``alias``/``all`` look async but are ordinary methods (reference, "APIs that do NOT exist").
QUERYSET_CHAIN = frozenset({
    "all", "filter", "exclude", "order_by", "select_related", "prefetch_related",
    "annotate", "alias", "values", "values_list", "distinct", "only", "defer", "using",
    "none", "reverse", "extra", "select_for_update", "union", "intersection",
    "difference", "dates", "datetimes", "complex_filter", "fetch_mode",
})

# Terminal QuerySet/Manager methods with a native async twin (all since 4.1).
QUERYSET_TERMINAL: dict[str, str] = {
    "get": "aget", "create": "acreate", "get_or_create": "aget_or_create",
    "update_or_create": "aupdate_or_create", "bulk_create": "abulk_create",
    "bulk_update": "abulk_update", "count": "acount", "exists": "aexists",
    "first": "afirst", "last": "alast", "latest": "alatest", "earliest": "aearliest",
    "aggregate": "aaggregate", "in_bulk": "ain_bulk", "update": "aupdate",
    "delete": "adelete", "contains": "acontains", "explain": "aexplain",
}
QUERYSET_MIN: Version = (4, 1)
# ``Manager.adelete`` does not exist: ``delete`` is queryset-only (reference §1).
QUERYSET_ONLY = frozenset({"delete", "update"})  # update exists on managers, delete does not
MANAGER_MISSING = frozenset({"delete"})

# Terminal methods whose result is a model instance / a (instance, created) pair.
RETURNS_INSTANCE = frozenset({"get", "create", "first", "last", "latest", "earliest"})
RETURNS_PAIR = frozenset({"get_or_create", "update_or_create"})

INSTANCE_METHODS: dict[str, str] = {
    "save": "asave", "delete": "adelete", "refresh_from_db": "arefresh_from_db",
}
INSTANCE_MIN: Version = (4, 2)
# Model methods of Django's own that query and have no async twin (django/db/models/base.py):
# full_clean() runs validate_unique() and validate_constraints(), which look rows up (and a
# ForeignKey's validate() its target); get_next_by_<date>()/get_previous_by_<date>() fetch a row.
MODEL_QUERYING_METHODS = frozenset({"full_clean", "validate_unique", "validate_constraints"})
MODEL_QUERYING_PREFIXES = ("get_next_by_", "get_previous_by_")

RELATED_MANAGER_METHODS: dict[str, tuple[str, Version]] = {
    "add": ("aadd", (4, 2)), "remove": ("aremove", (4, 2)),
    "clear": ("aclear", (4, 2)), "set": ("aset", (4, 2)),
    "create": ("acreate", (4, 1)), "get_or_create": ("aget_or_create", (4, 1)),
    "update_or_create": ("aupdate_or_create", (4, 1)),
}

# Module-level functions: qualified name -> (async qualified name, min version).
FUNCTIONS: dict[str, tuple[str, Version]] = {
    "django.shortcuts.get_object_or_404": ("django.shortcuts.aget_object_or_404", (5, 0)),
    "django.shortcuts.get_list_or_404": ("django.shortcuts.aget_list_or_404", (5, 0)),
    "django.contrib.auth.login": ("django.contrib.auth.alogin", (5, 0)),
    "django.contrib.auth.logout": ("django.contrib.auth.alogout", (5, 0)),
    "django.contrib.auth.authenticate": ("django.contrib.auth.aauthenticate", (5, 0)),
    "django.contrib.auth.get_user": ("django.contrib.auth.aget_user", (5, 0)),
    "django.contrib.auth.update_session_auth_hash": (
        "django.contrib.auth.aupdate_session_auth_hash", (5, 0)),
    "django.db.models.prefetch_related_objects": (
        "django.db.models.aprefetch_related_objects", (5, 0)),
    "django.contrib.auth.hashers.check_password": ("django.contrib.auth.hashers.acheck_password", (5, 0)),
}
# Hashing a password is CPU-heavy (PBKDF2, 1,000,000 rounds from 5.2): no I/O, but it would
# hold the event loop; hashlib releases the GIL while it hashes, so a thread runs it beside it.
PASSWORD_HASHING_METHODS = frozenset({"set_password"})
# A FileField's FieldFile (django/db/models/fields/files.py): these go to the storage backend
# (the disk, or the network for S3 and the like); name, path and url do not open the file.
STORED_FILE_IO = frozenset({"open", "read", "readline", "readlines", "write", "chunks", "save", "delete",
                            "close", "seek", "tell", "multiple_chunks", "__iter__"})
STORED_FILE_ATTRS = frozenset({"size", "width", "height", "file", "closed"})

AUSER_MIN: Version = (5, 0)
# What HttpRequest has of its own (django/http/request.py) or from Django's middleware
# (LANGUAGE_CODE, site, csrf_*, _messages): plain data or methods without I/O.  Any other
# attribute was set by a project middleware (request.profile, request.tenant): often a model
# instance, so the tool cannot tell what its methods do.  user and session are typed apart.
REQUEST_ATTRS = frozenset({
    "GET", "POST", "COOKIES", "META", "FILES", "path", "path_info", "method", "resolver_match",
    "content_type", "content_params", "encoding", "upload_handlers", "scheme", "body", "headers",
    "get_host", "get_port", "get_full_path", "get_full_path_info", "build_absolute_uri",
    "get_signed_cookie", "is_secure", "accepts", "get_preferred_type", "read", "readline", "readlines",
    "urlconf", "LANGUAGE_CODE", "site", "csrf_processing_done", "csrf_cookie_needs_reset", "_messages",
    "auser", "user", "session",
})
# From 5.2, aget_user() (behind request.auser()), aauthenticate() and the user's ahas_perm()
# family call the backends' own async methods (django/contrib/auth/__init__.py aget_user:
# ``await backend.aget_user(user_id)``; models.py _auser_has_perm skips a backend without
# ``ahas_perm``), which only django.contrib.auth.backends.BaseBackend and its subclasses have.
BACKEND_ASYNC_MIN: Version = (5, 2)
BACKEND_FUNCTIONS = frozenset({"django.contrib.auth.authenticate", "django.contrib.auth.get_user",
                               "django.contrib.auth.logout"})   # alogout() awaits request.auser()
# On an async view these await request.auser() (django/contrib/auth/decorators.py, _view_wrapper).
AUSER_DECORATORS = frozenset({
    *(f"django.contrib.auth.decorators.{n}" for n in ("login_required", "permission_required", "user_passes_test")),
    "django.contrib.admin.views.decorators.staff_member_required"})

USER_METHODS: dict[str, tuple[str, Version]] = {
    "check_password": ("acheck_password", (5, 0)),
    "has_perm": ("ahas_perm", (5, 2)), "has_perms": ("ahas_perms", (5, 2)),
    "has_module_perms": ("ahas_module_perms", (5, 2)),
    "get_all_permissions": ("aget_all_permissions", (5, 2)),
    "get_user_permissions": ("aget_user_permissions", (5, 2)),
    "get_group_permissions": ("aget_group_permissions", (5, 2)),
}
# Attributes of a user that are plain data once the user is loaded.
USER_PLAIN_ATTRS = frozenset({
    "is_authenticated", "is_anonymous", "is_active", "is_staff", "is_superuser",
    "username", "email", "first_name", "last_name", "pk", "id", "date_joined",
    "last_login", "get_username", "get_full_name", "get_short_name",
})

CACHE_METHODS: dict[str, str] = {
    name: "a" + name for name in (
        "add", "get", "set", "touch", "delete", "get_many", "get_or_set", "has_key",
        "incr", "decr", "set_many", "delete_many", "clear", "incr_version",
        "decr_version", "close",
    )
}
CACHE_MIN: Version = (4, 0)

SESSION_METHODS: dict[str, str] = {
    name: "a" + name for name in (
        "get", "pop", "setdefault", "update", "has_key", "keys", "values", "items",
        "flush", "cycle_key", "set_expiry", "get_expiry_age", "get_expiry_date",
        "set_test_cookie", "test_cookie_worked", "delete_test_cookie",
    )
}
SESSION_MIN: Version = (5, 1)

# Django view decorators and the first version whose wrapper supports ``async def``.
DECORATORS: dict[str, Version | None] = {
    **{f"django.views.decorators.cache.{n}": (5, 0) for n in ("cache_control", "never_cache")},
    "django.views.decorators.common.no_append_slash": (5, 0),
    **{f"django.views.decorators.csrf.{n}": (5, 0) for n in (
        "csrf_exempt", "csrf_protect", "ensure_csrf_cookie", "requires_csrf_token")},
    **{f"django.views.decorators.debug.{n}": (5, 0) for n in (
        "sensitive_variables", "sensitive_post_parameters")},
    "django.views.decorators.gzip.gzip_page": (5, 0),
    **{f"django.views.decorators.http.{n}": (5, 0) for n in (
        "condition", "etag", "last_modified", "require_http_methods", "require_GET",
        "require_POST", "require_safe", "conditional_page")},
    **{f"django.views.decorators.vary.{n}": (5, 0) for n in ("vary_on_cookie", "vary_on_headers")},
    **{f"django.views.decorators.clickjacking.{n}": (5, 0) for n in (
        "xframe_options_deny", "xframe_options_sameorigin", "xframe_options_exempt")},
    **{f"django.contrib.auth.decorators.{n}": (5, 1) for n in (
        "login_required", "permission_required", "user_passes_test")},
    "django.contrib.admin.views.decorators.staff_member_required": (5, 1),
    "django.utils.decorators.method_decorator": (5, 2),
    **{f"django.views.decorators.csp.{n}": (6, 0) for n in (
        "csp_override", "csp_report_only_override")},
    # Not on Django's async-safe list: runs middleware hooks on the event loop.
    "django.views.decorators.cache.cache_page": None,
}

# Generic class-based views: their handlers are sync (reference §4a).
GENERIC_VIEWS = frozenset({
    "TemplateView", "RedirectView", "ListView", "DetailView", "FormView", "CreateView",
    "UpdateView", "DeleteView", "ArchiveIndexView", "YearArchiveView", "MonthArchiveView",
    "WeekArchiveView", "DayArchiveView", "TodayArchiveView", "DateDetailView",
    "BaseListView", "BaseDetailView", "ProcessFormView", "BaseFormView", "BaseCreateView",
    "BaseUpdateView", "BaseDeleteView", "TemplateResponseMixin", "LoginView", "LogoutView",
    "PasswordChangeView", "PasswordResetView",
})
HTTP_HANDLERS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")

# The HTTP handlers each generic view defines (django/views/generic/*.py, 4.1-6.1; ``options``
# is skipped by View.view_is_async).  A subclass that overrides every one of them no longer
# runs Django's sync handlers; anything else of the generic machinery it calls stays a blocker.
_FORM_HANDLERS = ("get", "post", "put")
GENERIC_HANDLERS: dict[str, tuple[str, ...]] = {
    "TemplateView": ("get",), "ListView": ("get",), "BaseListView": ("get",),
    "DetailView": ("get",), "BaseDetailView": ("get",),
    "RedirectView": ("get", "head", "post", "delete", "put", "patch"),
    "FormView": _FORM_HANDLERS, "BaseFormView": _FORM_HANDLERS, "ProcessFormView": _FORM_HANDLERS,
    "CreateView": _FORM_HANDLERS, "BaseCreateView": _FORM_HANDLERS,
    "UpdateView": _FORM_HANDLERS, "BaseUpdateView": _FORM_HANDLERS,
    "DeleteView": ("get", "post", "delete"), "BaseDeleteView": ("get", "post", "delete"),
    **{name: ("get",) for name in ("ArchiveIndexView", "YearArchiveView", "MonthArchiveView",
                                    "WeekArchiveView", "DayArchiveView", "TodayArchiveView", "DateDetailView")},
}


def parse_version(text: str) -> Version:
    """``"5.2"`` -> ``(5, 2)``; raise ValueError for anything else."""
    parts = text.strip().split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"not a Django version: {text!r} (expected X.Y)")
    return int(parts[0]), int(parts[1])


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"
