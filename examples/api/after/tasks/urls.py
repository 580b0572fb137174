from django.urls import path

from . import views

app_name = "tasks"

urlpatterns = [
    # HTML pages
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("tasks/", views.TaskListPage.as_view(), name="task_list_page"),
    path("tasks/new/", views.TaskCreatePage.as_view(), name="task_create_page"),
    path("tasks/<int:pk>/", views.TaskDetailPage.as_view(), name="task_page"),
    # JSON API
    path("api/health/", views.HealthView.as_view(), name="health"),
    path("api/projects/", views.ProjectListView.as_view(), name="project_list"),
    path("api/projects/<slug:slug>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path(
        "api/projects/<slug:slug>/archive/",
        views.ProjectArchiveView.as_view(),
        name="project_archive",
    ),
    path("api/projects/<slug:slug>/stats/", views.ProjectStatsView.as_view(), name="project_stats"),
    path("api/tasks/", views.TaskListView.as_view(), name="task_list"),
    path("api/tasks/bulk-status/", views.BulkStatusView.as_view(), name="bulk_status"),
    path("api/tasks/mine/", views.MyTasksView.as_view(), name="my_tasks"),
    path("api/tasks/<int:pk>/", views.TaskDetailView.as_view(), name="task_detail"),
    path("api/tasks/<int:pk>/tags/", views.TaskTagsView.as_view(), name="task_tags"),
    path("api/tags/", views.TagListView.as_view(), name="tag_list"),
]
