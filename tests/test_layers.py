"""Imports go down, never up: each app imports only the apps below it in LAYERS, and no two apps import each other.

Every import statement counts, including those inside functions (lazy imports are imports all the same) and
those of migrations (an `upload_to` or a validator they import is loaded with them). String references —
"financeurs.Agreement" in a model field, a migration's `dependencies` — are not imports and are not checked.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom first. An app may import the apps listed before it, never those after it.
LAYERS = ["home", "campus", "formations", "transferts", "inscriptions", "financeurs", "demo"]


def app_dirs():
    """The project's apps: the top-level folders with an apps.py."""
    return sorted(path.parent.name for path in ROOT.glob("*/apps.py"))


def imported_modules(source):
    """(line, module) of every absolute import in `source`, at any depth."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def import_graph(apps):
    """{(importer, imported): ["path:line module", …]} between the given apps."""
    edges = {}
    for app in apps:
        for path in sorted((ROOT / app).rglob("*.py")):
            for line, module in imported_modules(path.read_text(encoding="utf-8")):
                target = module.split(".")[0]
                if target in apps and target != app:
                    edges.setdefault((app, target), []).append(f"{path.relative_to(ROOT)}:{line} {module}")
    return edges


def upward_imports(edges, layers):
    rank = {app: index for index, app in enumerate(layers)}
    return {edge: where for edge, where in edges.items() if rank[edge[1]] >= rank[edge[0]]}


def cycles(edges):
    """The strongly connected components of more than one app (Tarjan's algorithm)."""
    graph = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
        graph.setdefault(target, set())
    index, lowlink, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node):
        index[node] = lowlink[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                lowlink[node] = min(lowlink[node], lowlink[successor])
            elif successor in on_stack:
                lowlink[node] = min(lowlink[node], index[successor])
        if lowlink[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def describe(edges):
    return "\n".join(f"{source} -> {target}: {', '.join(where)}" for (source, target), where in sorted(edges.items()))


def test_every_app_has_its_layer():
    assert app_dirs() == sorted(LAYERS)


def test_no_app_imports_an_app_above_it():
    upward = upward_imports(import_graph(LAYERS), LAYERS)
    assert not upward, "Imports going up:\n" + describe(upward)


def test_no_two_apps_import_each_other():
    assert cycles(import_graph(LAYERS)) == []


# --- The checker itself can fail ---------------------------------------------------------------


def test_the_checker_flags_an_upward_import():
    edges = {("home", "campus"): ["home/models.py:3 campus.models"], ("campus", "home"): ["campus/models.py:1 home"]}
    assert upward_imports(edges, ["home", "campus"]) == {("home", "campus"): ["home/models.py:3 campus.models"]}


def test_the_checker_finds_cycles_even_within_a_layer():
    edges = {("a", "b"): [], ("b", "c"): [], ("c", "a"): [], ("c", "d"): [], ("d", "e"): []}
    assert cycles(edges) == [["a", "b", "c"]]
    assert cycles({("a", "b"): [], ("b", "c"): []}) == []


@pytest.mark.parametrize(
    "source",
    [
        "import financeurs.models\n",
        "from financeurs.models import Agreement\n",
        "def get_context(self):\n    from financeurs.models import Agreement\n    return Agreement\n",
        "class Page:\n    def render(self):\n        import financeurs\n",
    ],
)
def test_the_checker_sees_imports_at_any_depth(source):
    assert [module.split(".")[0] for _line, module in imported_modules(source)] == ["financeurs"]


def test_string_references_and_relative_imports_are_not_imports():
    source = 'agreement = ForeignKey("financeurs.Agreement")\nfrom . import signals\n'
    assert list(imported_modules(source)) == []
