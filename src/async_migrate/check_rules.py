"""The `check` rules (AM1xx), a finding, ``# noqa`` handling and the output formats."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from . import __version__

DOCS = "https://docs.djangoproject.com/en/stable/topics/async/"


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    help: str
    url: str


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("AM101", "sync-orm-call", "Sync ORM call with a native async form",
         "Use the a-prefixed async method with await (e.g. await Book.objects.aget()); where the target "
         "Django version has no async form, call it through await sync_to_async(...).",
         "https://docs.djangoproject.com/en/stable/topics/db/queries/#asynchronous-queries"),
    Rule("AM102", "lazy-evaluation", "Lazy relation access or queryset evaluation in async code",
         "Iterate with async for / [x async for x in qs], count with await qs.acount(), test with "
         "await qs.aexists(), and load relations up front with select_related().",
         "https://docs.djangoproject.com/en/stable/topics/async/#queries-the-orm"),
    Rule("AM103", "blocking-io", "Blocking I/O on the event loop",
         "Use await asyncio.sleep(), an async HTTP client, or await sync_to_async(call)(...).",
         "https://docs.djangoproject.com/en/stable/topics/async/#async-adapter-functions"),
    Rule("AM104", "atomic-in-async", "transaction.atomic in async code",
         "Move the whole transaction into one sync function and await sync_to_async(fn)(...).",
         "https://docs.djangoproject.com/en/stable/topics/async/#queries-the-orm"),
    Rule("AM105", "sync-auth", "Sync auth API (request.user, login, logout, authenticate) in async code",
         "Use user = await request.auser(), await alogin(), await alogout(), await aauthenticate() (Django 5.0+).",
         "https://docs.djangoproject.com/en/stable/releases/5.0/#django-contrib-auth"),
    Rule("AM106", "sync-helper", "Call to a project helper that does sync database or blocking work",
         "Call the helper through await sync_to_async(helper)(...), or make it async.",
         "https://docs.djangoproject.com/en/stable/topics/async/#sync-to-async"),
    Rule("AM107", "thread-sensitivity", "sync_to_async(thread_sensitive=False) around ORM work, or async_to_sync in async code",
         "Keep thread_sensitive=True (the default) for database work; await the coroutine instead of async_to_sync.",
         "https://docs.djangoproject.com/en/stable/topics/async/#sync-to-async"),
)}


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    message: str
    fixable: bool = False

    def text(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.code} {self.message}"

    def github(self) -> str:
        message = _gh_escape(self.message)
        return (f"::error file={_gh_prop(self.path)},line={self.line},col={self.col},"
                f"title={self.code}::{message}")


_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*))?", re.IGNORECASE)


def suppressed(line_text: str, code: str) -> bool:
    """``# noqa`` suppresses every code on the line; ``# noqa: AM101,AM102`` only those."""
    for match in _NOQA.finditer(line_text):
        codes = match.group("codes")
        if codes is None:
            return True
        if code.upper() in {c.strip().upper() for c in codes.split(",")}:
            return True
    return False


def _gh_escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_escape(text).replace(":", "%3A").replace(",", "%2C")


def to_json(findings: list[Finding], errors: list[tuple[str, str]], target: str) -> dict:
    return {
        "tool": {"name": "async-migrate", "version": __version__},
        "target_version": target,
        "findings": [asdict(f) for f in findings],
        "errors": [{"path": p, "message": m} for p, m in errors],
        "summary": {"findings": len(findings), "errors": len(errors),
                    "by_code": {c: sum(1 for f in findings if f.code == c) for c in RULES
                                if any(f.code == c for f in findings)}},
    }


def to_sarif(findings: list[Finding], errors: list[tuple[str, str]]) -> dict:
    """SARIF 2.1.0: one run, one rule per code, one result per finding."""
    codes = list(RULES)
    rules = [{
        "id": r.code, "name": r.name,
        "shortDescription": {"text": r.summary},
        "fullDescription": {"text": f"{r.summary}. {r.help}"},
        "help": {"text": r.help},
        "helpUri": r.url,
        "defaultConfiguration": {"level": "error"},
    } for r in RULES.values()]
    results = [{
        "ruleId": f.code, "ruleIndex": codes.index(f.code), "level": "error",
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": f.path.replace("\\", "/")},
            "region": {"startLine": f.line, "startColumn": f.col},
        }}],
    } for f in findings]
    notifications = [{"level": "error", "message": {"text": f"{p}: {m}"}} for p, m in errors]
    run: dict = {
        "tool": {"driver": {"name": "async-migrate", "version": __version__,
                            "informationUri": "https://github.com/async-migrate/async-migrate",
                            "rules": rules}},
        "results": results,
    }
    if notifications:
        run["invocations"] = [{"executionSuccessful": False, "toolExecutionNotifications": notifications}]
    return {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0", "runs": [run]}


def render(findings: list[Finding], errors: list[tuple[str, str]], fmt: str, target: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(findings, errors, target), indent=2) + "\n"
    if fmt == "sarif":
        return json.dumps(to_sarif(findings, errors), indent=2) + "\n"
    if fmt == "github":
        lines = [f.github() for f in findings]
        lines += [f"::error file={_gh_prop(p)},title=async-migrate::{_gh_escape(m)}" for p, m in errors]
        return "".join(line + "\n" for line in lines)
    return "".join(f.text() + "\n" for f in findings)
