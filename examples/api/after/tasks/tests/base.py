"""Shared fixtures for the task API tests.

Each view is exercised through ``self.client`` and, in ``async def`` tests,
through ``self.async_client``.  Nothing here depends on whether a view is
sync or async, so the same suite runs against the converted project.
"""

import json
from datetime import date

from asgiref.sync import sync_to_async
from django.contrib.auth.models import User
from django.test import TestCase

from tasks.models import Project, Tag, Task


class TaskApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ann = User.objects.create_user("ann", "ann@example.com")
        cls.ben = User.objects.create_user("ben", "ben@example.com")

        cls.website = Project.objects.create(name="Website relaunch", slug="website", owner=cls.ann)
        cls.infra = Project.objects.create(name="Infrastructure", slug="infra", owner=cls.ben)
        cls.old = Project.objects.create(name="Old intranet", slug="old", owner=cls.ann,
                                         archived=True)

        cls.bug = Tag.objects.create(name="bug")
        cls.frontend = Tag.objects.create(name="frontend")
        cls.ops = Tag.objects.create(name="ops")

        cls.login_bug = Task.objects.create(
            project=cls.website, title="Fix login bug", status=Task.Status.DOING, priority=1,
            due=date(2000, 1, 1), assignee=cls.ben,
        )
        cls.login_bug.tags.add(cls.bug, cls.frontend)
        cls.copy = Task.objects.create(
            project=cls.website, title="Write copy", priority=2, due=date(2999, 1, 1),
            assignee=cls.ann,
        )
        cls.ship = Task.objects.create(
            project=cls.website, title="Ship v1", status=Task.Status.DONE, priority=3
        )
        cls.rotate = Task.objects.create(
            project=cls.infra, title="Rotate keys", priority=1, assignee=cls.ben
        )
        cls.rotate.tags.add(cls.ops)
        cls.legacy = Task.objects.create(
            project=cls.old, title="Legacy cleanup", status=Task.Status.DONE
        )

    async def alogin(self, user):
        """Log ``self.async_client`` in (Django 4.2 has no aforce_login)."""
        await sync_to_async(self.async_client.force_login)(user)

    # JSON helpers: the same call shape for both clients.
    def send(self, method, url, payload):
        return getattr(self.client, method)(url, json.dumps(payload),
                                            content_type="application/json")

    async def asend(self, method, url, payload):
        return await getattr(self.async_client, method)(url, json.dumps(payload),
                                                        content_type="application/json")
