from django.contrib import admin

from .models import Project, Tag, Task


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "priority", "due", "assignee"]
    list_filter = ["status", "project"]
    filter_horizontal = ["tags"]


admin.site.register(Project)
admin.site.register(Tag)
