import json
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import aget_object_or_404, get_object_or_404
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import CreateView, DetailView, ListView, TemplateView
from asgiref.sync import sync_to_async

from .models import Project, Tag, Task
from .validation import validate_task

# ---------------------------------------------------------------------------
# Base class and mixins shared by the JSON API
# ---------------------------------------------------------------------------


class JsonView(View):
    """Base class for the JSON API: parsing, errors, paging and serialisation."""

    def get_json_body(self):
        """The request body as a dict, or None when it is not a JSON object."""
        try:
            data = json.loads(self.request.body or b"{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None

    def error(self, message, status=400, **extra):
        return JsonResponse({"error": message, **extra}, status=status)

    def paginate(self, queryset):
        try:
            offset = max(int(self.request.GET.get("offset", 0)), 0)
            limit = min(int(self.request.GET.get("limit", 20)), settings.API_MAX_PAGE_SIZE)
        except ValueError:
            offset, limit = 0, 20
        return queryset[offset : offset + limit]

    def task_to_dict(self, task):
        return {
            "id": task.pk,
            "title": task.title,
            "description": task.description,
            "status": task.status,
            "priority": task.priority,
            "due": task.due.isoformat() if task.due else None,
            "project": task.project.slug,
            "assignee": task.assignee.username if task.assignee_id else None,
            "tags": [tag.name for tag in task.tags.all()],
        }

    def project_to_dict(self, project):
        return {
            "id": project.pk,
            "name": project.name,
            "slug": project.slug,
            "owner": project.owner.username,
            "archived": project.archived,
        }


class ApiLoginRequiredMixin:
    """Answer 401 JSON instead of redirecting anonymous API clients."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "authentication required"}, status=401)
        return super().dispatch(request, *args, **kwargs)


class OwnedProjectMixin:
    """Looks up the project named in the URL, restricted to the current user."""

    def get_project(self):
        return get_object_or_404(Project, slug=self.kwargs["slug"], owner=self.request.user)


# ---------------------------------------------------------------------------
# Projects
# ---------------------------------------------------------------------------


# expect: convert (annotate + for loop; project_to_dict reads .owner, loaded by select_related / create(owner=); request.user, exists, create in post)
class ProjectListView(JsonView):
    async def get(self, request):
        projects = Project.objects.select_related("owner").annotate(
            open_tasks=Count("tasks", filter=~Q(tasks__status=Task.Status.DONE))
        ).order_by("name")
        if request.GET.get("archived") != "1":
            projects = projects.filter(archived=False)
        results = []
        async for project in projects:
            data = self.project_to_dict(project)
            data["open_tasks"] = project.open_tasks
            results.append(data)
        return JsonResponse({"results": results})

    async def post(self, request):
        user = await request.auser()
        if not user.is_authenticated:
            return self.error("authentication required", status=401)
        data = self.get_json_body()
        if not data or not data.get("name") or not data.get("slug"):
            return self.error("name and slug are required")
        if await Project.objects.filter(slug=data["slug"]).aexists():
            return self.error("slug already taken", status=409)
        project = await Project.objects.acreate(name=data["name"], slug=data["slug"], owner=user)
        return JsonResponse(self.project_to_dict(project), status=201)


# expect: sync (ApiLoginRequiredMixin overrides dispatch, which Django calls on the event loop)
class ProjectDetailView(ApiLoginRequiredMixin, OwnedProjectMixin, JsonView):
    def get(self, request, slug):
        project = self.get_project()
        data = self.project_to_dict(project)
        tasks = project.tasks.select_related("project", "assignee").prefetch_related("tags")
        data["tasks"] = [self.task_to_dict(task) for task in tasks]
        return JsonResponse(data)

    def put(self, request, slug):
        project = self.get_project()
        data = self.get_json_body()
        if not data or not isinstance(data.get("name", ""), str):
            return self.error("expected a JSON object")
        project.name = data.get("name", project.name)
        project.archived = bool(data.get("archived", project.archived))
        project.save()
        return JsonResponse(self.project_to_dict(project))

    def delete(self, request, slug):
        self.get_project().delete()
        return HttpResponse(status=204)


# expect: sync (ApiLoginRequiredMixin overrides dispatch; @transaction.atomic on the handler)
class ProjectArchiveView(ApiLoginRequiredMixin, OwnedProjectMixin, JsonView):
    @transaction.atomic
    def post(self, request, slug):
        project = self.get_project()
        if project.archived:
            return self.error("project is already archived", status=409)
        closed = project.tasks.exclude(status=Task.Status.DONE).update(status=Task.Status.DONE)
        project.archived = True
        project.save(update_fields=["archived"])
        return JsonResponse({"slug": project.slug, "archived": True, "closed_tasks": closed})


# expect: convert (values/annotate loop, exists, first, count)
class ProjectStatsView(JsonView):
    async def get(self, request, slug):
        project = await aget_object_or_404(Project, slug=slug)
        tasks = project.tasks.all()
        by_status = {status: 0 for status in Task.Status.values}
        async for row in tasks.values("status").annotate(n=Count("id")):
            by_status[row["status"]] = row["n"]
        open_tasks = tasks.exclude(status=Task.Status.DONE)
        next_due = await open_tasks.filter(due__isnull=False).order_by("due", "pk").afirst()
        return JsonResponse(
            {
                "project": project.slug,
                "total": await tasks.acount(),
                "by_status": by_status,
                "overdue": await open_tasks.filter(due__lt=date.today()).aexists(),
                "next_due": next_due.title if next_due else None,
            }
        )


# ---------------------------------------------------------------------------
# Tasks
# ---------------------------------------------------------------------------


# expect: wrap (task_to_dict reads task.tags per row: one hop per row; GET filters, slicing, get_or_create, m2m set)
class TaskListView(JsonView):
    async def get(self, request):
        tasks = Task.objects.all()
        if "project" in request.GET:
            tasks = tasks.filter(project__slug=request.GET["project"])
        if "status" in request.GET:
            tasks = tasks.filter(status=request.GET["status"])
        if "tag" in request.GET:
            tasks = tasks.filter(tags__name=request.GET["tag"])
        page = self.paginate(tasks)
        return JsonResponse(
            {"count": await tasks.acount(), "results": [await sync_to_async(self.task_to_dict)(task) async for task in page]}
        )

    async def post(self, request):
        data = self.get_json_body()
        if data is None:
            return self.error("expected a JSON object")
        cleaned, errors = validate_task(data)
        if errors:
            return self.error("invalid task", errors=errors)
        try:
            project = await Project.objects.aget(slug=data.get("project"), archived=False)
        except Project.DoesNotExist:
            return self.error("unknown project", errors={"project": "not found"})
        tags = [(await Tag.objects.aget_or_create(name=name))[0] for name in data.get("tags", [])]
        task = await Task.objects.acreate(project=project, **cleaned)
        await task.tags.aset(tags)
        return JsonResponse(await sync_to_async(self.task_to_dict)(task), status=201)


# expect: wrap (task_to_dict reads lazy FK/M2M; shared sync helper update() wrapped whole; delete)
class TaskDetailView(JsonView):
    async def get(self, request, pk):
        return JsonResponse(await sync_to_async(self.task_to_dict)(await aget_object_or_404(Task, pk=pk)))

    async def put(self, request, pk):
        return await sync_to_async(self.update)(pk, partial=False)

    async def patch(self, request, pk):
        return await sync_to_async(self.update)(pk, partial=True)

    async def delete(self, request, pk):
        task = await aget_object_or_404(Task, pk=pk)
        await task.adelete()
        return HttpResponse(status=204)

    def update(self, pk, partial):
        task = get_object_or_404(Task, pk=pk)
        data = self.get_json_body()
        if data is None:
            return self.error("expected a JSON object")
        cleaned, errors = validate_task(data, partial=partial)
        if errors:
            return self.error("invalid task", errors=errors)
        for field, value in cleaned.items():
            setattr(task, field, value)
        task.save()
        return JsonResponse(self.task_to_dict(task))


# expect: convert (m2m add/remove, get_or_create in a loop)
class TaskTagsView(JsonView):
    async def post(self, request, pk):
        task = await aget_object_or_404(Task, pk=pk)
        names = (self.get_json_body() or {}).get("tags") or []
        for name in names:
            tag, _ = await Tag.objects.aget_or_create(name=name)
            await task.tags.aadd(tag)
        return JsonResponse({"id": task.pk, "tags": [obj async for obj in task.tags.values_list("name", flat=True)]})

    async def delete(self, request, pk):
        task = await aget_object_or_404(Task, pk=pk)
        names = (self.get_json_body() or {}).get("tags") or []
        await task.tags.aremove(*[obj async for obj in Tag.objects.filter(name__in=names)])
        return JsonResponse({"id": task.pk, "tags": [obj async for obj in task.tags.values_list("name", flat=True)]})


# expect: wrap (transaction)
class BulkStatusView(JsonView):
    async def post(self, request):
        data = self.get_json_body() or {}
        ids, status = data.get("ids") or [], data.get("status")
        if status not in Task.Status.values:
            return self.error("invalid status")
        try:
            def _in_transaction():
                with transaction.atomic():
                    for pk in ids:
                        task = Task.objects.select_for_update().get(pk=pk)
                        task.status = status
                        task.save(update_fields=["status", "updated"])
            await sync_to_async(_in_transaction)()
        except Task.DoesNotExist:
            return self.error("unknown task id; nothing was changed", status=404)
        return JsonResponse({"updated": len(ids), "status": status})


# expect: convert (annotate + values_list iteration; exists)
class TagListView(JsonView):
    async def get(self, request):
        rows = Tag.objects.annotate(n=Count("tasks")).order_by("name").values_list("name", "n")
        return JsonResponse({"results": [{"name": name, "tasks": n} async for name, n in rows]})

    async def post(self, request):
        name = ((self.get_json_body() or {}).get("name") or "").strip().lower()
        if not name:
            return self.error("name is required")
        if await Tag.objects.filter(name=name).aexists():
            return self.error("tag exists", status=409)
        tag = await Tag.objects.acreate(name=name)
        return JsonResponse({"id": tag.pk, "name": tag.name}, status=201)


@method_decorator(login_required, name="dispatch")
# expect: sync (method_decorator(login_required) wraps the sync dispatch; request.user)
class MyTasksView(JsonView):
    def get(self, request):
        tasks = (
            Task.objects.filter(assignee=request.user)
            .exclude(status=Task.Status.DONE)
            .select_related("project", "assignee")
            .prefetch_related("tags")
        )
        return JsonResponse({"user": request.user.username,
                             "results": [self.task_to_dict(task) for task in tasks]})


# expect: skip (already async)
class HealthView(View):
    async def get(self, request):
        return JsonResponse({"status": "ok", "tasks": await Task.objects.acount()})


# ---------------------------------------------------------------------------
# HTML pages (generic class-based views)
# ---------------------------------------------------------------------------


# expect: sync (generic view)
class DashboardView(TemplateView):
    template_name = "tasks/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["project_count"] = Project.objects.filter(archived=False).count()
        context["open_count"] = Task.objects.exclude(status=Task.Status.DONE).count()
        context["recent"] = Task.objects.order_by("-created", "-pk")[:5]
        return context


# expect: sync (generic view)
class TaskListPage(ListView):
    model = Task
    paginate_by = 20
    template_name = "tasks/task_list.html"

    def get_queryset(self):
        tasks = super().get_queryset().select_related("project")
        status = self.request.GET.get("status")
        if status:
            tasks = tasks.filter(status=status)
        return tasks


# expect: sync (generic view)
class TaskDetailPage(DetailView):
    model = Task
    template_name = "tasks/task_detail.html"


# expect: sync (generic view)
class TaskCreatePage(LoginRequiredMixin, CreateView):
    model = Task
    fields = ["project", "title", "description", "status", "priority", "due", "tags"]
    template_name = "tasks/task_form.html"
