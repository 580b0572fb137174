"""Models, managers, querysets and forms of the project, read from its source with ``ast``.

Knowing these from the project's own ``models.py`` / ``forms.py`` (not from name guessing)
is what lets the analysis tell ``Book.objects.get(...)`` (ORM) from ``data.get(...)`` (dict).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cached_property

from .django_api import QUERYSET_CHAIN
from .django_models import BY_NAME as CONTRIB_BY_NAME
from .django_models import CONTRIB_MODELS, DjangoModel
from .project import Module, Project

MODEL_BASES = {
    "django.db.models.Model", "django.db.models.base.Model",
    "django.contrib.auth.models.AbstractUser", "django.contrib.auth.models.AbstractBaseUser",
    "django.contrib.auth.base_user.AbstractBaseUser", "django.contrib.auth.models.User",
    "django.contrib.auth.models.PermissionsMixin",
}
MANAGER_BASES = {"django.db.models.Manager", "django.db.models.manager.Manager",
                 "django.db.models.manager.BaseManager", "django.contrib.auth.models.UserManager",
                 "django.contrib.auth.base_user.BaseUserManager"}
QUERYSET_BASES = {"django.db.models.QuerySet", "django.db.models.query.QuerySet"}
FORM_BASES = {"django.forms.Form", "django.forms.forms.Form"}
MODELFORM_BASES = {"django.forms.ModelForm", "django.forms.models.ModelForm",
                   "django.contrib.auth.forms.UserCreationForm", "django.contrib.auth.forms.UserChangeForm"}
DB_FORM_FIELDS = {"ModelChoiceField", "ModelMultipleChoiceField"}
AUTH_DB_FORMS = {"django.contrib.auth.forms.AuthenticationForm",
                 "django.contrib.auth.forms.PasswordChangeForm",
                 "django.contrib.auth.forms.SetPasswordForm",
                 "django.contrib.auth.forms.PasswordResetForm"}
RELATION_FIELDS = {"ForeignKey": "fk", "OneToOneField": "o2o", "ManyToManyField": "m2m",
                   "ParentalKey": "fk", "GenericRelation": "m2m"}
USER_MODEL = "User"


@dataclass(frozen=True)
class Relation:
    kind: str      # fk, o2o, m2m, reverse_fk, reverse_o2o, reverse_m2m, gfk (GenericForeignKey)
    target: str    # short model name

    @property
    def is_manager(self) -> bool:
        """Accessing it gives a related manager (no query until used)."""
        return self.kind in ("m2m", "reverse_fk", "reverse_m2m")


@dataclass
class ModelInfo:
    name: str
    relations: dict[str, Relation] = field(default_factory=dict)
    managers: set[str] = field(default_factory=lambda: {"objects"})
    fields: set[str] = field(default_factory=set)
    related_names: dict[str, str | None] = field(default_factory=dict)  # forward field -> related_name
    file_fields: set[str] = field(default_factory=set)   # FileField/ImageField: storage I/O behind them


@dataclass
class FormInfo:
    name: str
    model_form: bool
    touches_db: bool
    model: str | None = None     # ModelForm's Meta.model (short name)


@dataclass
class ModelIndex:
    models: dict[str, ModelInfo] = field(default_factory=dict)          # short name -> info
    model_qualnames: dict[str, str] = field(default_factory=dict)       # qualified -> short
    manager_methods: dict[str, bool] = field(default_factory=dict)      # custom method -> returns a queryset
    forms: dict[str, FormInfo] = field(default_factory=dict)            # qualified -> info

    def model_for(self, qualified: str | None) -> ModelInfo | None:
        if qualified is None:
            return None
        short = self.model_qualnames.get(qualified)
        if short is None and qualified in ("django.contrib.auth.models.User",
                                            "django.contrib.auth.get_user_model"):
            short = USER_MODEL
        return self.models.get(short) if short else None

    def contrib(self, short: str | None) -> DjangoModel | None:
        """The Django model ``short`` names, when it is one of Django's own (not a project model)."""
        model = CONTRIB_BY_NAME.get(short or "")
        return model if model is not None and model.qualified in self.model_qualnames else None

    @cached_property
    def qualnames(self) -> dict[str, list[str]]:
        """Short name -> the qualified names of the project's models of that name."""
        found: dict[str, list[str]] = {}
        for qualified, short in self.model_qualnames.items():
            found.setdefault(short, []).append(qualified)
        return found

    @cached_property
    def relation_names(self) -> frozenset[str]:
        return frozenset(name for m in self.models.values() for name in m.relations)


def build_model_index(project: Project, auth_user_model: str | None = None) -> ModelIndex:
    index = ModelIndex()
    user = ModelInfo(USER_MODEL, fields={"username", "email", "password"})
    user.relations.update({"groups": Relation("m2m", "Group"), "user_permissions": Relation("m2m", "Permission")})
    index.models[USER_MODEL] = user

    classes = {f"{m.name}.{name}": (m, name, info) for m in project.defining_modules()
               for name, info in m.class_info.items()}
    kinds: dict[str, str] = {}

    def kind_of(qualified: str, seen: frozenset[str] = frozenset()) -> str | None:
        if qualified in kinds:
            return kinds[qualified]
        for bases, kind in ((MODEL_BASES, "model"), (MANAGER_BASES, "manager"),
                            (QUERYSET_BASES, "queryset"), (MODELFORM_BASES, "modelform"),
                            (FORM_BASES, "form"), (AUTH_DB_FORMS, "dbform")):
            if qualified in bases:
                return kind
        found = project.lookup(qualified) if qualified not in classes else None
        if found and f"{found[0].name}.{found[1]}" in classes:
            qualified = f"{found[0].name}.{found[1]}"
        if qualified not in classes or qualified in seen:
            return None
        _, _, info = classes[qualified]
        for base_name in info.bases:
            kind = kind_of(base_name, seen | {qualified}) if base_name else None
            if kind:
                kinds[qualified] = kind
                return kind
        return None

    nodes: dict[Module, dict[str, ast.ClassDef]] = {}
    for qualified, (module, name, _) in classes.items():
        kind = kind_of(qualified)
        if kind is None:
            continue
        if module not in nodes:   # parsed once, and only modules that define these
            nodes[module] = module.classes
        node = nodes[module][name]
        if kind == "model":
            index.model_qualnames[qualified] = node.name
            info = index.models.setdefault(node.name, ModelInfo(node.name))
            _read_model(module, node, info, auth_user_model)
        elif kind in ("manager", "queryset"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                    index.manager_methods[item.name] = _returns_queryset(item)
        elif kind in ("form", "modelform", "dbform"):
            touches = kind != "form" or _has_db_fields(node)
            index.forms[qualified] = FormInfo(node.name, kind == "modelform", touches, _meta_model(node))
    for qualified in AUTH_DB_FORMS:
        index.forms.setdefault(qualified, FormInfo(qualified.rsplit(".", 1)[1], False, True))

    _add_reexports(project, index)
    _add_import_names(project, index)
    _add_contrib_models(index)
    custom_user = auth_user_model.rsplit(".", 1)[-1] if auth_user_model else None
    if custom_user and custom_user in index.models:
        index.models[USER_MODEL] = index.models[custom_user]
    _add_reverse_relations(index)
    return index


def _add_import_names(project: Project, index: ModelIndex) -> None:
    """``pretalx.person.models.user.User`` for ``src.pretalx.person.models.user.User``: a module
    below folders that are no packages (a ``src/`` layout) is imported without them."""
    for names in (index.model_qualnames, index.forms):
        for qualified, value in list(names.items()):
            parts = qualified.split(".")
            folder, strip = project.root, 0
            while strip < len(parts) - 2 and not (folder / parts[strip] / "__init__.py").is_file():
                folder, strip = folder / parts[strip], strip + 1
            if 0 < strip < len(parts) - 2:
                names.setdefault(".".join(parts[strip:]), value)


def _add_reexports(project: Project, index: ModelIndex) -> None:
    """``pretalx.person.models.User`` for the model ``pretalx.person.models.user.User``: a package
    ``__init__`` importing a model or form (models split into a package) names it too."""
    packages = [m for m in project.modules.values() if m.path.name == "__init__.py" and "import" in m.text]
    for _ in range(3):   # a package re-exporting a subpackage's re-export
        added = False
        for package in packages:
            for local, target in package.imports.items():
                alias = f"{package.name}.{local}"
                for names in (index.model_qualnames, index.forms):
                    if target in names and alias not in names:
                        names[alias] = names[target]
                        added = True
        if not added:
            return


def _add_contrib_models(index: ModelIndex) -> None:
    """Django's own models (``Group``, ``ContentType``, ``Site``, ...), each unless a project model
    has its short name (models are known by it): then its name stays unknown, and a view
    using it stays sync, as before."""
    for model in CONTRIB_MODELS:
        if model.name in index.models:
            continue
        index.models[model.name] = ModelInfo(model.name, {k: Relation(*r) for k, r in model.relations.items()},
                                             fields=set(model.fields))
        index.model_qualnames[model.qualified] = model.name
        for method in model.manager_io:
            index.manager_methods.setdefault(method, False)


def _read_model(module: Module, node: ast.ClassDef, info: ModelInfo, auth_user_model: str | None) -> None:
    for item in node.body:
        if not isinstance(item, ast.Assign) or len(item.targets) != 1 or not isinstance(item.targets[0], ast.Name):
            continue
        name, value = item.targets[0].id, item.value
        if not isinstance(value, ast.Call):
            continue
        func = module.qualify(value.func) or ""
        short = func.rsplit(".", 1)[-1]
        if short == "GenericForeignKey":   # its object is loaded by a query; no select_related
            info.relations[name] = Relation("gfk", "")
            info.fields.add(name)
        elif short in RELATION_FIELDS:
            target = _target_name(value, node.name, auth_user_model)
            related = next((kw.value for kw in value.keywords if kw.arg == "related_name"), None)
            related_name = related.value if isinstance(related, ast.Constant) else None
            info.relations[name] = Relation(RELATION_FIELDS[short], target)
            info.fields.add(name)
            info.related_names[name] = related_name
        elif short.endswith("Field"):
            info.fields.add(name)
            if short in ("FileField", "ImageField"):
                info.file_fields.add(name)
        elif short.endswith("Manager") or short == "as_manager" or func.endswith("from_queryset"):
            info.managers.add(name)
        elif isinstance(value.func, ast.Call):  # Manager.from_queryset(QS)()
            info.managers.add(name)


def _target_name(call: ast.Call, own: str, auth_user_model: str | None) -> str:
    target = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "to"), None)
    if isinstance(target, ast.Constant) and isinstance(target.value, str):
        text = target.value
        return own if text == "self" else text.rsplit(".", 1)[-1]
    if isinstance(target, ast.Attribute):
        if target.attr == "AUTH_USER_MODEL":
            return USER_MODEL
        return target.attr
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Call):  # get_user_model()
        return USER_MODEL
    return "?"


def _add_reverse_relations(index: ModelIndex) -> None:
    for model in list(index.models.values()):
        meta = model.related_names
        for field_name, relation in list(model.relations.items()):
            if relation.kind.startswith("reverse") or field_name not in meta:
                continue
            target = index.models.get(relation.target)
            related_name = meta[field_name]
            if target is None or related_name == "+" or (related_name or "").endswith("+"):
                continue
            if relation.kind == "o2o":
                accessor, kind = related_name or model.name.lower(), "reverse_o2o"
            elif relation.kind == "fk":
                accessor, kind = related_name or f"{model.name.lower()}_set", "reverse_fk"
            else:
                accessor, kind = related_name or f"{model.name.lower()}_set", "reverse_m2m"
            target.relations.setdefault(accessor, Relation(kind, model.name))


def _returns_queryset(func: ast.FunctionDef) -> bool:
    """A custom manager/queryset method is a chain when every ``return`` is a chain call."""
    returns = [n for n in ast.walk(func) if isinstance(n, ast.Return)]
    if not returns:
        return False
    for ret in returns:
        value = ret.value
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
            return False
        if value.func.attr not in QUERYSET_CHAIN and value.func.attr != "get_queryset":
            return False
    return True


def _meta_model(node: ast.ClassDef) -> str | None:
    for item in node.body:
        if isinstance(item, ast.ClassDef) and item.name == "Meta":
            for statement in item.body:
                if isinstance(statement, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "model" for t in statement.targets):
                    value = statement.value
                    return value.id if isinstance(value, ast.Name) else value.attr if isinstance(
                        value, ast.Attribute) else None
    return None


def _has_db_fields(node: ast.ClassDef) -> bool:
    for item in ast.walk(node):
        if isinstance(item, ast.Attribute) and (item.attr in DB_FORM_FIELDS or item.attr == "objects"):
            return True
        if isinstance(item, ast.Name) and item.id in DB_FORM_FIELDS:
            return True
    return False
