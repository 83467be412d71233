"""The package's modules import each other without cycles, and neither do its features.

A feature is a direct sub-package of workshop (auth, photos, flickr, api ...). One may
use another (flickr reads photos' models), never both ways: what one feature must tell
another it sends as a signal (workshop/signals.py).
"""

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


def feature_of(module: str) -> str | None:
    """The feature a module belongs to: workshop.photos.consent -> photos; None for the
    shared modules beside them (workshop.db, workshop.signals ...)."""
    parts = module.split(".")
    if len(parts) < 2 or not (PACKAGE / parts[1] / "__init__.py").is_file():
        return None
    return parts[1]


def feature_imports(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each feature and the other features its modules import."""
    features: dict[str, set[str]] = {}
    for module, imported in graph.items():
        if (feature := feature_of(module)) is not None:
            features.setdefault(feature, set()).update(
                other for other in map(feature_of, imported)
                if other is not None and other != feature)
    return features


def feature_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        TopologicalSorter(feature_imports(graph)).prepare()
    except CycleError as exc:
        return exc.args[1]
    return None


def routes_imported_across(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    """(importer, routes module) where a feature imports another feature's pages."""
    return sorted((module, other) for module, imported in graph.items()
                  for other in imported
                  if other.endswith(".routes") and feature_of(module) is not None
                  and feature_of(other) not in (None, feature_of(module)))


def test_the_feature_walk_sees_known_dependencies():
    features = feature_imports(module_imports())
    # Flickr copies photos and reads their models; photos only send a signal.
    assert "photos" in features["flickr"]
    assert "flickr" not in features["photos"]
    # A session reserves cameras; a camera knows nothing of sessions.
    assert "stock" in features["programme"]
    assert "programme" not in features["stock"]
    # Imports inside functions count too.
    assert feature_imports({"workshop.photos.services": {"workshop.flickr.models"}}) == {
        "photos": {"flickr"}}


def test_the_checks_would_catch_what_they_forbid():
    both_ways = {"workshop.photos.services": {"workshop.flickr.services"},
                 "workshop.flickr.services": {"workshop.photos.models"}}
    assert set(feature_cycle(both_ways)) == {"photos", "flickr"}
    around = {"workshop.auth.services": {"workshop.stock.models"},
              "workshop.stock.services": {"workshop.photos.models"},
              "workshop.photos.services": {"workshop.auth.models"}}
    assert set(feature_cycle(around)) == {"auth", "stock", "photos"}
    assert routes_imported_across({"workshop.stock.api": {"workshop.auth.routes",
                                                          "workshop.stock.routes"}}) == [
        ("workshop.stock.api", "workshop.auth.routes")]


def test_no_two_features_depend_on_each_other():
    cycle = feature_cycle(module_imports())
    assert cycle is None, f"features import each other: {' -> '.join(cycle)}"


def test_no_feature_imports_another_features_routes():
    assert routes_imported_across(module_imports()) == []


def test_tests_import_helpers_from_fixtures_not_from_conftests_or_other_tests():
    # Shared fixtures and helpers live in tests/fixtures/ (loaded by pytest_plugins);
    # importing a fixture from a conftest or a test module registers it a second time.
    tests = Path(__file__).parent
    wrong = []
    for path in tests.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            last_parts = [name.rsplit(".", 1)[-1] for name in names]
            if any(last == "conftest" or last.startswith("test_") for last in last_parts):
                wrong.append(f"{path.relative_to(tests)}:{node.lineno}")
    assert wrong == [], f"imports from a conftest or a test module: {', '.join(wrong)}"
