"""The shape of the tree, read from its imports with `ast`: the shell and the domains plug
together one way only.

- No cycle between packages: the shell (`ewarung`) sits below every domain, and the domains
  build on each other in one direction. The one module of the shell that names the domains
  is its composition root, `ewarung/domains.py`: its arrows point up by design and are left
  out of the graph, and no other module of the shell may import a domain.
- No domain imports a private name (`_x`) of the shell: what domains use is public.
- No module loads one of ours by name (`importlib.import_module`, `__import__`): every
  dependency is an import that tools can see.
- The list of domains is written once, in `ewarung/domains.py`.

Each rule is checked on the tree, and on a small made-up tree that breaks it, so a checker
that went blind would fail here too.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ewarung.domains import DOMAINS, PACKAGES

ROOT = Path(__file__).resolve().parents[2]
SHELL = "ewarung"
COMPOSITION_ROOT = "ewarung/domains.py"
#: modules of the standard library's importlib that load nothing of ours
HARMLESS_IMPORTLIB = ("importlib.resources", "importlib.metadata")


@dataclass(frozen=True)
class Arrow:
    """One import: the file that imports, the module it names, and the names it takes."""

    path: str
    module: str
    names: tuple[str, ...]


def python_files(root: Path, packages: tuple[str, ...]) -> Iterator[Path]:
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations/versions" not in path.as_posix():
                yield path


def module_of(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def arrows(root: Path, packages: tuple[str, ...]) -> list[Arrow]:
    """Every import statement of the packages, at any depth (inside functions too)."""
    found: list[Arrow] = []
    for path in python_files(root, packages):
        rel = path.relative_to(root).as_posix()
        here = module_of(root, path)
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Import):
                found.extend(Arrow(rel, alias.name, ()) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:
                    base = here.split(".")
                    base = base[:len(base) - node.level + (1 if is_package else 0)]
                    module = ".".join([*base, module] if module else base)
                found.append(Arrow(rel, module, tuple(a.name for a in node.names)))
    return found


def top(module: str) -> str:
    return module.split(".")[0]


def package_cycles(found: list[Arrow], packages: tuple[str, ...]) -> list[list[str]]:
    """Cycles between packages (the composition root's arrows left out)."""
    graph: dict[str, set[str]] = {p: set() for p in packages}
    for arrow in found:
        src, dst = top(arrow.path.replace("/", ".")), top(arrow.module)
        if arrow.path != COMPOSITION_ROOT and dst in graph and src != dst:
            graph[src].add(dst)
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for package in packages:
        if package not in state:
            visit(package, [package])
    return cycles


def shell_naming_domains(found: list[Arrow], packages: tuple[str, ...]) -> list[str]:
    """Modules of the shell, other than the composition root, that import a domain."""
    domains = set(packages) - {SHELL}
    return sorted({f"{a.path} imports {a.module}" for a in found
                   if top(a.path.replace("/", ".")) == SHELL and a.path != COMPOSITION_ROOT
                   and top(a.module) in domains})


def private_shell_names(found: list[Arrow]) -> list[str]:
    """Private names of the shell that a domain imports."""
    out = []
    for a in found:
        if top(a.path.replace("/", ".")) == SHELL or top(a.module) != SHELL:
            continue
        private = [n for n in a.names if n.startswith("_") and n != "__future__"]
        if any(part.startswith("_") for part in a.module.split(".")) or private:
            out.append(f"{a.path}: from {a.module} import {', '.join(private or a.names)}")
    return out


def loading_by_name(root: Path, packages: tuple[str, ...]) -> list[str]:
    """Places that load modules by name."""
    out = []
    for path in python_files(root, packages):
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                    [a.name for a in node.names]
                out.extend(f"{rel}:{node.lineno} imports {n}" for n in names
                           if top(n) == "importlib" and not n.startswith(HARMLESS_IMPORTLIB))
            elif isinstance(node, ast.Name) and node.id == "__import__":
                out.append(f"{rel}:{node.lineno} calls __import__")
    return out


def domain_lists(root: Path, names: set[str], files: list[Path]) -> list[str]:
    """Literal tuples, lists and sets naming three or more of the domains."""
    out = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                strings = {e.value for e in node.elts
                           if isinstance(e, ast.Constant) and isinstance(e.value, str)}
                if len(strings & names) >= 3:
                    out.append(f"{rel}:{node.lineno}")
    return out


def toml_lists(data: object, names: set[str], where: str = "") -> list[str]:
    """Lists in pyproject.toml naming three or more of the domains (or their globs)."""
    if isinstance(data, dict):
        return [f for k, v in data.items() for f in toml_lists(v, names, f"{where}.{k}")]
    if isinstance(data, list):
        strings = {str(v).rstrip("*") for v in data if isinstance(v, str)}
        return [where] if len(strings & names) >= 3 else []
    return []


# The tree


def test_no_cycle_between_packages():
    found = arrows(ROOT, PACKAGES)
    assert found, "no imports read: the reader is blind"
    assert package_cycles(found, PACKAGES) == []


def test_the_shell_names_the_domains_only_in_its_composition_root():
    assert shell_naming_domains(arrows(ROOT, PACKAGES), PACKAGES) == []


def test_no_domain_imports_a_private_name_of_the_shell():
    assert private_shell_names(arrows(ROOT, PACKAGES)) == []


def test_no_module_of_ours_is_loaded_by_name():
    assert loading_by_name(ROOT, PACKAGES) == []


def test_the_domain_list_is_written_once():
    names = {d.name for d in DOMAINS}
    files = [*python_files(ROOT, PACKAGES), *sorted((ROOT / "scripts").glob("*.py"))]
    assert domain_lists(ROOT, names, files) == []  # the list in domains.py is of faces
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert toml_lists(pyproject, names) == []


def test_every_package_of_the_tree_is_the_shell_or_a_listed_domain():
    on_disk = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert on_disk == set(PACKAGES)


# The checkers, on made-up trees that break each rule


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def test_the_checkers_find_what_breaks_the_rules(tmp_path):
    root = _tree(tmp_path, {
        "ewarung/__init__.py": "",
        "ewarung/cli.py": "def _db(): ...\n",
        "ewarung/domains.py": "import shop\n",  # the composition root may
        "ewarung/report.py": "def f():\n    from shop.sales import total\n",
        "shop/__init__.py": "from . import sales\n",
        "shop/sales.py": ("from ewarung.cli import _db\nimport importlib\n"
                          "m = importlib.import_module('shop.x')\ny = __import__('shop')\n"),
        "shop/cli.py": "DOMAINS = ('shop', 'stock', 'kube')\n",
    })
    packages = ("ewarung", "shop")
    found = arrows(root, packages)
    assert Arrow("shop/__init__.py", "shop", ("sales",)) in found  # a relative import
    assert package_cycles(found, packages) == [["ewarung", "shop", "ewarung"]]
    assert shell_naming_domains(found, packages) == ["ewarung/report.py imports shop.sales"]
    assert private_shell_names(found) == ["shop/sales.py: from ewarung.cli import _db"]
    assert loading_by_name(root, packages) == ["shop/sales.py:2 imports importlib",
                                               "shop/sales.py:4 calls __import__"]
    assert domain_lists(root, {"shop", "stock", "kube"},
                        list(python_files(root, packages))) == ["shop/cli.py:1"]
    assert toml_lists({"tool": {"mypy": {"packages": ["shop", "stock", "kube"]}}},
                      {"shop", "stock", "kube"}) == [".tool.mypy.packages"]


def test_the_composition_root_alone_may_point_up(tmp_path):
    root = _tree(tmp_path, {
        "ewarung/__init__.py": "",
        "ewarung/web.py": "",
        "ewarung/domains.py": "import shop\n",
        "shop/__init__.py": "from ewarung.web import x\n",
    })
    found = arrows(root, ("ewarung", "shop"))
    assert package_cycles(found, ("ewarung", "shop")) == []
    assert shell_naming_domains(found, ("ewarung", "shop")) == []
