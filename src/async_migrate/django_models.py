"""Django's own concrete models (``django.contrib``): the project's source cannot tell the index
about them, so their fields, relations and the calls of theirs that query are listed here.

Each entry was read from Django 5.2's source (``contrib/<app>/models.py``): a manager method
listed in ``manager_io`` is not a queryset chain and queries (``ContentType.objects.
get_for_model()`` fills its cache from the database), an instance method in ``querying``
reads a relation or runs a query (``Permission.natural_key()`` reads ``content_type``), and
``str_reads`` names what ``__str__`` reads when that is a relation (``Permission.__str__`` is
``"%s | %s" % (self.content_type, self.name)``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DjangoModel:
    qualified: str
    fields: frozenset[str]
    relations: dict[str, tuple[str, str]] = field(default_factory=dict)   # name -> (kind, target), both ways
    manager_io: frozenset[str] = frozenset()
    querying: frozenset[str] = frozenset()
    str_reads: str = ""

    @property
    def name(self) -> str:
        return self.qualified.rsplit(".", 1)[-1]


CONTRIB_MODELS = (
    DjangoModel("django.contrib.auth.models.Group", frozenset({"id", "name"}),
                {"permissions": ("m2m", "Permission"), "user_set": ("reverse_m2m", "User")},
                manager_io=frozenset({"get_by_natural_key"})),
    DjangoModel("django.contrib.auth.models.Permission", frozenset({"id", "name", "codename", "content_type"}),
                {"content_type": ("fk", "ContentType"), "group_set": ("reverse_m2m", "Group"),
                 "user_set": ("reverse_m2m", "User")},
                manager_io=frozenset({"get_by_natural_key"}), querying=frozenset({"natural_key"}),
                str_reads="content_type"),
    DjangoModel("django.contrib.contenttypes.models.ContentType", frozenset({"id", "app_label", "model"}),
                {"permission_set": ("reverse_fk", "Permission"), "logentry_set": ("reverse_fk", "LogEntry")},
                manager_io=frozenset({"get_for_model", "get_for_models", "get_for_id", "get_by_natural_key"}),
                querying=frozenset({"get_object_for_this_type", "get_all_objects_for_this_type"})),
    DjangoModel("django.contrib.sites.models.Site", frozenset({"id", "domain", "name"}),
                {"flatpage_set": ("reverse_m2m", "FlatPage"), "redirect_set": ("reverse_fk", "Redirect")},
                manager_io=frozenset({"get_current", "get_by_natural_key"})),
    DjangoModel("django.contrib.sessions.models.Session", frozenset({"session_key", "session_data", "expire_date"}),
                manager_io=frozenset({"save"})),
    DjangoModel("django.contrib.admin.models.LogEntry",
                frozenset({"id", "action_time", "user", "content_type", "object_id", "object_repr",
                           "action_flag", "change_message"}),
                {"user": ("fk", "User"), "content_type": ("fk", "ContentType")},
                manager_io=frozenset({"log_action", "log_actions"}),
                querying=frozenset({"get_edited_object", "get_admin_url"})),
    DjangoModel("django.contrib.flatpages.models.FlatPage",
                frozenset({"id", "url", "title", "content", "enable_comments", "template_name",
                           "registration_required", "sites"}),
                {"sites": ("m2m", "Site")}),
    DjangoModel("django.contrib.redirects.models.Redirect", frozenset({"id", "site", "old_path", "new_path"}),
                {"site": ("fk", "Site")}),
)
BY_NAME = {model.name: model for model in CONTRIB_MODELS}
