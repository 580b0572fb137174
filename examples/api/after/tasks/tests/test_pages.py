from django.urls import reverse

from tasks.models import Task

from .base import TaskApiTestCase

DASHBOARD = reverse("tasks:dashboard")
LIST_PAGE = reverse("tasks:task_list_page")
CREATE_PAGE = reverse("tasks:task_create_page")


class DashboardViewTests(TaskApiTestCase):
    def test_dashboard(self):
        response = self.client.get(DASHBOARD)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2 active projects, 3 open tasks")
        self.assertContains(response, "Legacy cleanup</a> (Old intranet)")

    async def test_dashboard_async(self):
        await self.alogin(self.ann)
        response = await self.async_client.get(DASHBOARD)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "2 active projects, 3 open tasks")
        self.assertContains(response, "<span>ann</span>")


class TaskListPageTests(TaskApiTestCase):
    def test_list(self):
        response = self.client.get(LIST_PAGE)
        self.assertContains(response, "Rotate keys</a></td><td>Infrastructure</td><td>To do")
        self.assertNotContains(response, "Page 1 of")

    def test_status_filter_and_pagination(self):
        Task.objects.bulk_create(
            Task(project=self.infra, title=f"Chore {i}", status=Task.Status.DONE, priority=3)
            for i in range(25)
        )
        response = self.client.get(LIST_PAGE, {"status": "done"})
        self.assertContains(response, "Page 1 of 2")
        self.assertNotContains(response, "Rotate keys")
        self.assertEqual(self.client.get(LIST_PAGE, {"page": 9}).status_code, 404)

    async def test_list_async(self):
        response = await self.async_client.get(LIST_PAGE, {"status": "doing"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Fix login bug")
        self.assertNotContains(response, "Write copy")
        response = await self.async_client.get(LIST_PAGE, {"page": 2})
        self.assertEqual(response.status_code, 404)


class TaskDetailPageTests(TaskApiTestCase):
    def test_detail(self):
        response = self.client.get(reverse("tasks:task_page", args=[self.login_bug.pk]))
        self.assertContains(response, "<h1>Fix login bug</h1>", html=True)
        self.assertContains(response, "Website relaunch &middot; In progress &middot; priority 1")
        self.assertContains(response, "<li>frontend</li>")
        self.assertEqual(self.client.get(reverse("tasks:task_page", args=[9999])).status_code, 404)

    async def test_detail_async(self):
        response = await self.async_client.get(reverse("tasks:task_page", args=[self.rotate.pk]))
        self.assertContains(response, "&middot; ben")
        self.assertContains(response, "<li>ops</li>")
        response = await self.async_client.get(reverse("tasks:task_page", args=[9999]))
        self.assertEqual(response.status_code, 404)


class TaskCreatePageTests(TaskApiTestCase):
    def form_data(self, **overrides):
        data = {"project": self.website.pk, "title": "Add sitemap", "description": "",
                "status": "todo", "priority": 2, "due": "", "tags": [self.frontend.pk]}
        data.update(overrides)
        return data

    def test_create(self):
        self.assertEqual(self.client.get(CREATE_PAGE).status_code, 302)
        self.client.force_login(self.ann)
        self.assertContains(self.client.get(CREATE_PAGE), "<h1>New task</h1>", html=True)
        response = self.client.post(CREATE_PAGE, self.form_data())
        task = Task.objects.get(title="Add sitemap")
        self.assertRedirects(response, task.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(list(task.tags.all()), [self.frontend])

    def test_invalid(self):
        self.client.force_login(self.ann)
        response = self.client.post(CREATE_PAGE, self.form_data(title="", project=9999))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.")
        self.assertContains(response, "Select a valid choice.")
        self.assertEqual(Task.objects.count(), 5)

    async def test_create_async(self):
        response = await self.async_client.post(CREATE_PAGE, self.form_data())
        self.assertRedirects(response, f"/admin/login/?next={CREATE_PAGE}",
                             fetch_redirect_response=False)
        await self.alogin(self.ben)
        response = await self.async_client.post(
            CREATE_PAGE, self.form_data(project=self.infra.pk, title="Backups", tags=[])
        )
        task = await Task.objects.select_related("project").aget(title="Backups")
        self.assertRedirects(response, task.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(task.project.slug, "infra")
        response = await self.async_client.post(CREATE_PAGE, self.form_data(priority="high"))
        self.assertContains(response, "Enter a whole number.")
        self.assertEqual(await Task.objects.acount(), 6)
