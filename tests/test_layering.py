"""Architecture of cnnkit: imports point downward only, no import cycles, no private Keras API.

Reads the source with ``ast`` (nothing is imported), so it also sees imports written inside
functions: a lazy import is still a dependency. ``LAYERS`` is the table drawn in
docs/DEVELOPING.md ("Which module may import which"); a module may import modules of its own
layer or of a layer below, never above, and never the package root ``cnnkit`` (the facade that
``import cnnkit as ck`` loads; ``from cnnkit import formulas`` names a submodule and is fine).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "cnnkit"
DEVELOPING = ROOT / "docs" / "DEVELOPING.md"

#: Bottom first. A unit is a top-level module or subpackage of cnnkit.
LAYERS = (
    (
        "foundation",
        (
            "_version",
            "settings",
            "quick_mode",
            "seeding",
            "tensorflow_logs",
            "environment_report",
            "validation",
            "style",
            "show_code",
            "claims",
            "seed_comparison",
            "progress_store",
            "autodiff",
            "lazy",
        ),
    ),
    ("arithmetic", ("scratch", "formulas")),
    ("data and checking", ("datasets", "layer_table", "exercises", "progress")),
    ("models", ("models",)),
    ("figures", ("plots",)),
    ("training", ("training",)),
    ("front ends", ("widgets", "review")),
    ("authoring", ("authoring",)),
)

#: Upward imports that other branches of issue 17 own and remove; each names its way out. The
#: test fails when one of them disappears, so that this list only shrinks.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}

#: Private attributes of Keras, KerasTuner and ipykernel objects that cnnkit once used.
PRIVATE_NAMES = (
    "_inbound_nodes",
    "_outbound_nodes",
    "_keras_history",
    "_keras_mask",
    "_parent_header",
    "_configure_tensorboard_dir",
    "_get_tensorboard_dir",
    "_build_and_fit_model",
    "_get_node_attribute_at_index",
    "_trainable_weights",
    "_non_trainable_weights",
    "_tracker",
)
#: Module roots whose underscore attributes are private, and private modules.
KERAS_ROOTS = {"keras", "kt", "keras_tuner", "tf", "tensorflow", "ops"}
PRIVATE_MODULES = re.compile(r"^(keras\.src|keras_tuner\.(src|engine)|tensorflow\.python)\b")
KNOWN_PRIVATE: dict[tuple[str, str], str] = {}


def _unit_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "cnnkit"


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str:
    """The module an import names: the longest existing module prefix of ``name``."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str, path: Path) -> set[str]:
    """The cnnkit modules ``module`` imports anywhere in its file (top level or in functions)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {_resolve(a.name) for a in node.names if a.name.split(".")[0] == "cnnkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source.split(".")[0] != "cnnkit":
                continue
            for alias in node.names:  # `from cnnkit import formulas` imports a submodule
                name = f"{source}.{alias.name}"
                found.add(name if name in MODULES else _resolve(source))
    found.discard(module)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}
RANK = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}


def test_every_module_has_a_layer():
    units = {_unit_of(module) for module in MODULES} - {"cnnkit"}
    missing = sorted(units - set(RANK))
    assert not missing, (
        f"{missing} are in no layer: add them to LAYERS in tests/test_layering.py and to the "
        "table in docs/DEVELOPING.md"
    )
    assert not set(RANK) - units, f"LAYERS names units that do not exist: {set(RANK) - units}"


def test_imports_point_downward_only():
    upward, seen_known = [], set()
    for module, imported in GRAPH.items():
        if module == "cnnkit":  # the facade loads submodules lazily on attribute access
            continue
        for target in sorted(imported):
            if target == "cnnkit":
                upward.append(f"{module} imports the package root (import the submodule instead)")
                continue
            source_rank, target_rank = RANK[_unit_of(module)], RANK[_unit_of(target)]
            if target_rank > source_rank:
                if (module, target) in KNOWN_UPWARD:
                    seen_known.add((module, target))
                    continue
                upward.append(
                    f"{module} ({LAYERS[source_rank][0]}) imports {target} "
                    f"({LAYERS[target_rank][0]}, a layer above)"
                )
    assert not upward, "\n".join(upward)
    assert seen_known == set(KNOWN_UPWARD), (
        f"fixed, remove from KNOWN_UPWARD: {set(KNOWN_UPWARD) - seen_known}"
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_plots_import_no_training_and_no_review():
    wrong = [
        f"{module} imports {target}"
        for module, imported in GRAPH.items()
        if _unit_of(module) == "plots"
        for target in imported
        if _unit_of(target) in ("training", "review")
    ]
    assert not wrong, wrong


def layer_table_markdown() -> str:
    """The table docs/DEVELOPING.md shows, top layer first."""
    lines = ["| layer | modules (`cnnkit.`...) | may import |", "| --- | --- | --- |"]
    for rank in reversed(range(len(LAYERS))):
        name, units = LAYERS[rank]
        below = ", ".join(layer for layer, _ in reversed(LAYERS[:rank]))
        may = f"its own layer; {below}" if below else "its own layer only"
        lines.append(f"| {name} | {', '.join(f'`{u}`' for u in units)} | {may} |")
    return "\n".join(lines)


def test_developing_md_draws_this_table():
    text = DEVELOPING.read_text(encoding="utf-8")
    assert layer_table_markdown() in text, (
        "docs/DEVELOPING.md must contain the table of tests/test_layering.py; paste:\n\n"
        + layer_table_markdown()
    )


# --- private APIs -------------------------------------------------------------------------


def _private_uses(source: str, relative: str) -> list[str]:
    """Private Keras/KerasTuner/ipykernel uses in ``source`` (the file ``relative``)."""
    tree = ast.parse(source)
    found = []
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Attribute):
            if node.attr in PRIVATE_NAMES:
                found.append(f"{where}: .{node.attr}")
            elif (
                node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in KERAS_ROOTS
            ):
                found.append(f"{where}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.Constant) and node.value in PRIVATE_NAMES:
            found.append(f"{where}: {node.value!r} (getattr by name)")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            for name in names:
                if name and PRIVATE_MODULES.match(name):
                    if (relative, name) not in KNOWN_PRIVATE:
                        found.append(f"{where}: import of the private module {name}")
    return found


def test_no_private_keras_kerastuner_or_ipykernel_api_in_cnnkit():
    found = [
        use
        for path in sorted(PACKAGE.rglob("*.py"))
        for use in _private_uses(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix()
        )
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "parents = layer._inbound_nodes",
        "history = getattr(tensor, '_keras_history', None)",
        "parent = kernel._parent_header",
        "value = keras._private_helper",
        "from keras.src.trainers import data_adapters",
    ],
)
def test_the_private_api_check_catches(source):
    assert _private_uses(source, "cnnkit/probe.py")


# --- figures ----------------------------------------------------------------------------------


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(ROOT).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_every_figure_gets_pyplot_from_the_one_font_set_up():
    """Only cnnkit/style.py imports matplotlib.pyplot; figures call style.pyplot() (directly or
    through plots.common), so Chinese labels never render as empty boxes."""
    direct = []
    for relative, tree in _sources():
        if relative == "cnnkit/style.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(
                a.name == "matplotlib.pyplot" for a in node.names
            ):
                direct.append(f"{relative}:{node.lineno}")
            elif isinstance(node, ast.ImportFrom) and (
                node.module == "matplotlib.pyplot"
                or (node.module == "matplotlib" and any(a.name == "pyplot" for a in node.names))
            ):
                direct.append(f"{relative}:{node.lineno}")
    assert not direct, f"import pyplot through cnnkit.style.pyplot(): {direct}"


FIGURE_NAMES = {"fig", "figure"}


def test_no_result_is_stuck_on_a_figure():
    """Figures return what they computed (plots.common.Drawn or a tuple); an attribute assigned
    to a Figure (``fig.cnnkit_step = ...``) is invisible to readers and to type checkers."""
    stuck = []
    for relative, tree in _sources():
        for node in ast.walk(tree):
            targets = node.targets if isinstance(node, ast.Assign) else []
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id in FIGURE_NAMES
                ):
                    stuck.append(f"{relative}:{node.lineno}: {target.value.id}.{target.attr} = ...")
    assert not stuck, stuck
