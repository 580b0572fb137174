from datetime import date

from django.urls import reverse

from tasks.models import Project, Tag, Task

from .base import TaskApiTestCase

PROJECTS = reverse("tasks:project_list")
TASKS = reverse("tasks:task_list")
TAGS = reverse("tasks:tag_list")
BULK = reverse("tasks:bulk_status")
MINE = reverse("tasks:my_tasks")


def project_url(slug, name="project_detail"):
    return reverse(f"tasks:{name}", args=[slug])


def task_url(task_or_pk, name="task_detail"):
    return reverse(f"tasks:{name}", args=[getattr(task_or_pk, "pk", task_or_pk)])


class HealthViewTests(TaskApiTestCase):
    def test_health(self):
        response = self.client.get(reverse("tasks:health"))
        self.assertEqual(response.json(), {"status": "ok", "tasks": 5})
        self.assertEqual(self.client.post(reverse("tasks:health")).status_code, 405)

    async def test_health_async(self):
        response = await self.async_client.get(reverse("tasks:health"))
        self.assertEqual(response.json(), {"status": "ok", "tasks": 5})
        response = await self.async_client.delete(reverse("tasks:health"))
        self.assertEqual(response.status_code, 405)


class ProjectListViewTests(TaskApiTestCase):
    def test_list_active_projects(self):
        response = self.client.get(PROJECTS)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json()["results"],
            [
                {"id": self.infra.pk, "name": "Infrastructure", "slug": "infra", "owner": "ben",
                 "archived": False, "open_tasks": 1},
                {"id": self.website.pk, "name": "Website relaunch", "slug": "website",
                 "owner": "ann", "archived": False, "open_tasks": 2},
            ],
        )

    def test_create_project(self):
        self.assertEqual(self.send("post", PROJECTS, {"name": "X", "slug": "x"}).status_code, 401)
        self.client.force_login(self.ben)
        response = self.send("post", PROJECTS, {"name": "Mobile app", "slug": "mobile"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["owner"], "ben")
        self.assertEqual(Project.objects.get(slug="mobile").owner, self.ben)
        self.assertEqual(self.send("post", PROJECTS, {"name": "Dup", "slug": "infra"}).status_code,
                         409)
        self.assertEqual(self.send("post", PROJECTS, {"name": "No slug"}).status_code, 400)
        self.assertEqual(Project.objects.count(), 4)

    async def test_list_with_archived_async(self):
        response = await self.async_client.get(PROJECTS, {"archived": "1"})
        self.assertEqual(response.status_code, 200)
        slugs = [p["slug"] for p in response.json()["results"]]
        self.assertEqual(slugs, ["infra", "old", "website"])

    async def test_create_project_async(self):
        response = await self.asend("post", PROJECTS, {"name": "X", "slug": "x"})
        self.assertEqual(response.status_code, 401)
        await self.alogin(self.ann)
        response = await self.asend("post", PROJECTS, {"name": "Docs", "slug": "docs"})
        self.assertEqual(response.status_code, 201)
        project = await Project.objects.select_related("owner").aget(slug="docs")
        self.assertEqual(project.owner.username, "ann")
        response = await self.asend("post", PROJECTS, {"name": "Again", "slug": "docs"})
        self.assertEqual(response.status_code, 409)
        response = await self.async_client.post(PROJECTS, "[1, 2]", content_type="application/json")
        self.assertEqual(response.status_code, 400)


class ProjectDetailViewTests(TaskApiTestCase):
    def test_requires_login_and_ownership(self):
        self.assertEqual(self.client.get(project_url("website")).status_code, 401)
        self.client.force_login(self.ben)
        self.assertEqual(self.client.get(project_url("website")).status_code, 404)
        self.assertEqual(self.client.delete(project_url("website")).status_code, 404)
        self.assertTrue(Project.objects.filter(slug="website").exists())

    def test_get_put_delete(self):
        self.client.force_login(self.ann)
        data = self.client.get(project_url("website")).json()
        self.assertEqual(data["name"], "Website relaunch")
        self.assertEqual([t["title"] for t in data["tasks"]],
                         ["Fix login bug", "Write copy", "Ship v1"])
        self.assertEqual(data["tasks"][0]["tags"], ["bug", "frontend"])
        self.assertEqual(data["tasks"][0]["assignee"], "ben")

        response = self.send("put", project_url("website"), {"name": "Website v2"})
        self.assertEqual(response.json()["name"], "Website v2")
        self.assertEqual(Project.objects.get(slug="website").name, "Website v2")
        self.assertEqual(self.send("put", project_url("website"), {"name": 3}).status_code, 400)

        self.assertEqual(self.client.delete(project_url("website")).status_code, 204)
        self.assertFalse(Project.objects.filter(slug="website").exists())
        self.assertEqual(Task.objects.count(), 2)

    async def test_requires_login_and_ownership_async(self):
        response = await self.async_client.get(project_url("infra"))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json(), {"error": "authentication required"})
        await self.alogin(self.ann)
        response = await self.async_client.get(project_url("infra"))
        self.assertEqual(response.status_code, 404)
        response = await self.asend("put", project_url("infra"), {"name": "Mine now"})
        self.assertEqual(response.status_code, 404)

    async def test_get_put_delete_async(self):
        await self.alogin(self.ben)
        response = await self.async_client.get(project_url("infra"))
        self.assertEqual(response.json()["tasks"][0]["tags"], ["ops"])
        response = await self.asend("put", project_url("infra"), {"archived": True})
        self.assertEqual(response.json()["archived"], True)
        self.assertTrue((await Project.objects.aget(slug="infra")).archived)
        response = await self.async_client.delete(project_url("infra"))
        self.assertEqual(response.status_code, 204)
        self.assertFalse(await Project.objects.filter(slug="infra").aexists())


class ProjectArchiveViewTests(TaskApiTestCase):
    def test_archive_closes_open_tasks(self):
        url = project_url("website", "project_archive")
        self.assertEqual(self.client.post(url).status_code, 401)
        self.client.force_login(self.ann)
        response = self.client.post(url)
        self.assertEqual(response.json(), {"slug": "website", "archived": True, "closed_tasks": 2})
        self.assertFalse(Task.objects.filter(project=self.website).exclude(status="done").exists())
        self.assertEqual(self.client.post(url).status_code, 409)
        self.assertEqual(self.client.get(url).status_code, 405)

    async def test_archive_closes_open_tasks_async(self):
        url = project_url("infra", "project_archive")
        await self.alogin(self.ann)
        response = await self.async_client.post(url)
        self.assertEqual(response.status_code, 404)
        await self.alogin(self.ben)
        response = await self.async_client.post(url)
        self.assertEqual(response.json()["closed_tasks"], 1)
        self.assertEqual((await Task.objects.aget(pk=self.rotate.pk)).status, "done")
        response = await self.async_client.post(project_url("old", "project_archive"))
        self.assertEqual(response.status_code, 404)


class ProjectStatsViewTests(TaskApiTestCase):
    def test_stats(self):
        response = self.client.get(project_url("website", "project_stats"))
        self.assertEqual(
            response.json(),
            {
                "project": "website",
                "total": 3,
                "by_status": {"todo": 1, "doing": 1, "done": 1},
                "overdue": True,
                "next_due": "Fix login bug",
            },
        )
        self.assertEqual(self.client.get(project_url("nope", "project_stats")).status_code, 404)

    async def test_stats_async(self):
        response = await self.async_client.get(project_url("infra", "project_stats"))
        self.assertEqual(
            response.json(),
            {
                "project": "infra",
                "total": 1,
                "by_status": {"todo": 1, "doing": 0, "done": 0},
                "overdue": False,
                "next_due": None,
            },
        )
        response = await self.async_client.get(project_url("nope", "project_stats"))
        self.assertEqual(response.status_code, 404)


class TaskListViewTests(TaskApiTestCase):
    def test_list_and_filters(self):
        data = self.client.get(TASKS).json()
        self.assertEqual(data["count"], 5)
        self.assertEqual(data["results"][0]["title"], "Fix login bug")
        self.assertEqual(data["results"][0]["project"], "website")
        self.assertEqual(data["results"][0]["due"], "2000-01-01")
        data = self.client.get(TASKS, {"project": "website", "status": "todo"}).json()
        self.assertEqual([t["title"] for t in data["results"]], ["Write copy"])
        data = self.client.get(TASKS, {"tag": "ops"}).json()
        self.assertEqual([t["title"] for t in data["results"]], ["Rotate keys"])

    def test_create(self):
        payload = {"project": "website", "title": "  Add search  ", "priority": 3,
                   "due": "2030-05-01", "tags": ["frontend", "search"]}
        response = self.send("post", TASKS, payload)
        self.assertEqual(response.status_code, 201)
        task = Task.objects.get(pk=response.json()["id"])
        self.assertEqual((task.title, task.due, task.project), ("Add search", date(2030, 5, 1),
                                                                self.website))
        self.assertEqual(sorted(task.tags.values_list("name", flat=True)), ["frontend", "search"])
        self.assertTrue(Tag.objects.filter(name="search").exists())

    def test_create_invalid(self):
        response = self.send("post", TASKS, {"project": "website", "priority": 9})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(set(response.json()["errors"]), {"title", "priority"})
        response = self.send("post", TASKS, {"project": "old", "title": "Nope"})
        self.assertEqual(response.json()["errors"], {"project": "not found"})
        self.assertEqual(Task.objects.count(), 5)

    async def test_list_paginated_async(self):
        response = await self.async_client.get(TASKS, {"offset": 1, "limit": 2})
        data = response.json()
        self.assertEqual(data["count"], 5)
        self.assertEqual([t["title"] for t in data["results"]], ["Rotate keys", "Write copy"])
        self.assertEqual(data["results"][0]["assignee"], "ben")
        response = await self.async_client.get(TASKS, {"tag": "bug"})
        self.assertEqual(response.json()["results"][0]["tags"], ["bug", "frontend"])

    async def test_create_async(self):
        response = await self.asend("post", TASKS, {"project": "infra", "title": "Patch"})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["tags"], [])
        self.assertEqual(response.json()["status"], "todo")
        task = await Task.objects.select_related("project").aget(title="Patch")
        self.assertEqual(task.project.slug, "infra")
        response = await self.async_client.post(TASKS, "nope", content_type="application/json")
        self.assertEqual(response.status_code, 400)
        response = await self.asend("post", TASKS, {"project": "infra", "title": "x",
                                                    "status": "blocked"})
        self.assertIn("status", response.json()["errors"])
        self.assertEqual(await Task.objects.acount(), 6)


class TaskDetailViewTests(TaskApiTestCase):
    def test_get_and_404(self):
        data = self.client.get(task_url(self.copy)).json()
        self.assertEqual((data["title"], data["assignee"], data["tags"]),
                         ("Write copy", "ann", []))
        self.assertEqual(self.client.get(task_url(9999)).status_code, 404)

    def test_put_patch_delete(self):
        response = self.send("put", task_url(self.copy), {"title": "Write better copy",
                                                          "status": "doing"})
        self.assertEqual(response.json()["status"], "doing")
        self.assertEqual(self.send("put", task_url(self.copy), {"status": "done"}).status_code, 400)
        response = self.send("patch", task_url(self.copy), {"priority": 1, "due": None})
        self.assertEqual((response.json()["priority"], response.json()["due"]), (1, None))
        self.copy.refresh_from_db()
        self.assertEqual((self.copy.title, self.copy.status, self.copy.priority),
                         ("Write better copy", "doing", 1))
        self.assertEqual(self.client.delete(task_url(self.copy)).status_code, 204)
        self.assertFalse(Task.objects.filter(pk=self.copy.pk).exists())

    async def test_get_and_404_async(self):
        response = await self.async_client.get(task_url(self.login_bug))
        data = response.json()
        self.assertEqual((data["project"], data["tags"]), ("website", ["bug", "frontend"]))
        response = await self.async_client.get(task_url(9999))
        self.assertEqual(response.status_code, 404)

    async def test_put_patch_delete_async(self):
        response = await self.asend("patch", task_url(self.rotate), {"status": "done"})
        self.assertEqual(response.json()["status"], "done")
        response = await self.asend("patch", task_url(self.rotate), {"due": "tomorrow"})
        self.assertEqual(response.status_code, 400)
        response = await self.asend("put", task_url(self.rotate), {"title": "Rotate all keys"})
        self.assertEqual(response.json()["title"], "Rotate all keys")
        task = await Task.objects.aget(pk=self.rotate.pk)
        self.assertEqual((task.title, task.status), ("Rotate all keys", "done"))
        response = await self.async_client.delete(task_url(self.rotate))
        self.assertEqual(response.status_code, 204)
        response = await self.async_client.delete(task_url(self.rotate))
        self.assertEqual(response.status_code, 404)


class TaskTagsViewTests(TaskApiTestCase):
    def test_add_and_remove(self):
        url = task_url(self.copy, "task_tags")
        response = self.send("post", url, {"tags": ["docs", "frontend"]})
        self.assertEqual(response.json(), {"id": self.copy.pk, "tags": ["docs", "frontend"]})
        response = self.send("delete", url, {"tags": ["frontend", "unknown"]})
        self.assertEqual(response.json()["tags"], ["docs"])
        self.assertEqual(list(self.copy.tags.values_list("name", flat=True)), ["docs"])
        self.assertEqual(self.client.get(url).status_code, 405)

    async def test_add_and_remove_async(self):
        url = task_url(self.login_bug, "task_tags")
        response = await self.asend("delete", url, {"tags": ["bug"]})
        self.assertEqual(response.json()["tags"], ["frontend"])
        response = await self.asend("post", url, {"tags": ["ops"]})
        self.assertEqual(response.json()["tags"], ["frontend", "ops"])
        names = [n async for n in self.login_bug.tags.values_list("name", flat=True)]
        self.assertEqual(names, ["frontend", "ops"])
        self.assertEqual(await Tag.objects.acount(), 3)
        response = await self.asend("post", task_url(9999, "task_tags"), {"tags": ["x"]})
        self.assertEqual(response.status_code, 404)


class BulkStatusViewTests(TaskApiTestCase):
    def test_bulk_update(self):
        ids = [self.copy.pk, self.rotate.pk]
        response = self.send("post", BULK, {"ids": ids, "status": "doing"})
        self.assertEqual(response.json(), {"updated": 2, "status": "doing"})
        self.assertEqual(set(Task.objects.filter(pk__in=ids).values_list("status", flat=True)),
                         {"doing"})
        self.assertEqual(self.send("post", BULK, {"ids": ids, "status": "??"}).status_code, 400)

    def test_unknown_id_rolls_back(self):
        response = self.send("post", BULK, {"ids": [self.copy.pk, 9999], "status": "done"})
        self.assertEqual(response.status_code, 404)
        self.copy.refresh_from_db()
        self.assertEqual(self.copy.status, "todo")

    async def test_bulk_update_async(self):
        response = await self.asend("post", BULK, {"ids": [self.ship.pk], "status": "todo"})
        self.assertEqual(response.json()["updated"], 1)
        self.assertEqual((await Task.objects.aget(pk=self.ship.pk)).status, "todo")

    async def test_unknown_id_rolls_back_async(self):
        ids = [self.rotate.pk, self.copy.pk, 9999]
        response = await self.asend("post", BULK, {"ids": ids, "status": "done"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json(), {"error": "unknown task id; nothing was changed"})
        statuses = [s async for s in Task.objects.filter(pk__in=ids).values_list("status", flat=True)]
        self.assertEqual(sorted(statuses), ["todo", "todo"])


class TagListViewTests(TaskApiTestCase):
    def test_list_and_create(self):
        response = self.client.get(TAGS)
        self.assertEqual(response.json()["results"], [
            {"name": "bug", "tasks": 1}, {"name": "frontend", "tasks": 1}, {"name": "ops", "tasks": 1},
        ])
        response = self.send("post", TAGS, {"name": "  Backend "})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["name"], "backend")
        self.assertEqual(self.send("post", TAGS, {"name": "BUG"}).status_code, 409)
        self.assertEqual(self.send("post", TAGS, {}).status_code, 400)
        self.assertEqual(Tag.objects.count(), 4)

    async def test_list_and_create_async(self):
        response = await self.asend("post", TAGS, {"name": "urgent"})
        self.assertEqual(response.status_code, 201)
        self.assertTrue(await Tag.objects.filter(name="urgent").aexists())
        response = await self.async_client.get(TAGS)
        self.assertIn({"name": "urgent", "tasks": 0}, response.json()["results"])
        response = await self.asend("post", TAGS, {"name": "ops"})
        self.assertEqual(response.status_code, 409)


class MyTasksViewTests(TaskApiTestCase):
    def test_requires_login(self):
        response = self.client.get(MINE)
        self.assertRedirects(response, f"/admin/login/?next={MINE}", fetch_redirect_response=False)

    def test_open_tasks_assigned_to_me(self):
        self.client.force_login(self.ben)
        data = self.client.get(MINE).json()
        self.assertEqual(data["user"], "ben")
        self.assertEqual([t["title"] for t in data["results"]], ["Fix login bug", "Rotate keys"])

    async def test_requires_login_async(self):
        response = await self.async_client.get(MINE)
        self.assertRedirects(response, f"/admin/login/?next={MINE}", fetch_redirect_response=False)

    async def test_open_tasks_assigned_to_me_async(self):
        await self.alogin(self.ann)
        response = await self.async_client.get(MINE)
        data = response.json()
        self.assertEqual(data["user"], "ann")
        self.assertEqual([t["title"] for t in data["results"]], ["Write copy"])
        self.assertEqual(data["results"][0]["project"], "website")
