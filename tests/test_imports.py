"""The package's modules import each other without cycles."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import workshop

PACKAGE = Path(workshop.__file__).parent


def module_imports() -> dict[str, set[str]]:
    """Each workshop module and the workshop modules it imports, anywhere in its body.

    Imports inside functions count too: moving an import into a function only hides a
    cycle until that function runs.
    """
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                # "from workshop.auth import services" imports a module, not a name.
                found.update(f"{node.module}.{alias.name}"
                             if f"{node.module}.{alias.name}" in modules else node.module
                             for alias in node.names)
        graph[name] = {other for other in found if other in modules and other != name}
    return graph


def test_the_walk_sees_known_imports():
    graph = module_imports()
    assert "workshop.db" in graph["workshop.extensions"]
    assert "workshop.auth.bearer" in graph["workshop.stock.api"]


def test_no_module_imports_itself_through_others():
    try:
        TopologicalSorter(module_imports()).prepare()
    except CycleError as exc:
        raise AssertionError(f"import cycle: {' -> '.join(exc.args[1])}") from None
