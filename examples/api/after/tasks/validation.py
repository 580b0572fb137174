"""Pure validation for task payloads (no database access)."""

from datetime import date

from .models import Task

FIELDS = {"title", "description", "status", "priority", "due"}


def validate_task(data, partial=False):
    """Return (cleaned, errors) for a task payload."""
    cleaned, errors = {}, {}
    if not partial and not data.get("title"):
        errors["title"] = "required"
    for field in FIELDS & data.keys():
        value = data[field]
        if field == "title" and (not isinstance(value, str) or not value.strip()):
            errors["title"] = "must be a non-empty string"
        elif field == "status" and value not in Task.Status.values:
            errors["status"] = f"must be one of {', '.join(Task.Status.values)}"
        elif field == "priority" and (not isinstance(value, int) or not 1 <= value <= 3):
            errors["priority"] = "must be 1, 2 or 3"
        elif field == "due" and value is not None:
            try:
                value = date.fromisoformat(value)
            except (TypeError, ValueError):
                errors["due"] = "must be an ISO date"
        cleaned[field] = value.strip() if isinstance(value, str) and field == "title" else value
    return cleaned, errors
