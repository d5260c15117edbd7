"""Keeps the architecture honest: the layers, who may import mediapipe, cv2, typer
and rich, and who may print or exit. See ARCHITECTURE.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "posecheck"
MODULES = sorted(PACKAGE.rglob("*.py"))

# Lowest first. A module may import from its own layer and the ones below it.
LAYERS = [
    "errors",
    "resources",
    "atomic",
    "body",
    "catalog",
    "form",
    "coaching",
    "io",
    "draw",
    "report",
    "history",
    "run",
    "cli",
]
# Third-party libraries and the only places that may import them.
ALLOWED_IMPORTERS = {
    "mediapipe": {"io/estimator.py"},
    "cv2": {"io/", "draw/"},
    "PIL": {"draw/"},
    "typer": {"cli/"},
    "rich": {"cli/"},
    "av": {"io/"},
    "sounddevice": {"io/sound.py"},
    "pyttsx3": {"io/speech.py"},
}
# Calls that write to the terminal or end the process.
OUTPUT_CALLS = {
    "print",
    "exit",
    "quit",
    "sys.exit",
    "os._exit",
    "sys.stdout.write",
    "sys.stderr.write",
    "typer.echo",
    "typer.secho",
}


def _name(module: Path) -> str:
    return module.relative_to(PACKAGE).as_posix()


def _layer(dotted: str) -> str | None:
    """The layer of ``posecheck.x.y`` (``x``), or None for the package itself."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "posecheck" else None


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            if node.module == "posecheck":  # from posecheck import x: x is the layer
                found.update(
                    f"posecheck.{alias.name}"
                    for alias in node.names
                    if not alias.name.startswith("__")  # __version__ is the package's own
                )
    return found


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _own_layer(module: Path) -> str:
    name = _name(module)
    return name.split("/")[0].removesuffix(".py")


def test_every_module_sits_in_a_known_layer():
    for module in MODULES:
        layer = _own_layer(module)
        assert layer in LAYERS or layer in ("__init__", "__main__"), f"{_name(module)}: no layer"


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_no_import_runs_up_a_layer(module):
    own = _own_layer(module)
    if own not in LAYERS:
        return  # the package's __init__ and __main__ stand above everything
    for imported in _imports(ast.parse(module.read_text())):
        layer = _layer(imported)
        if layer is None:
            continue
        assert layer in LAYERS, f"{_name(module)} imports {imported}, which has no layer"
        assert LAYERS.index(layer) <= LAYERS.index(own), (
            f"{_name(module)} ({own}) imports {imported} ({layer}), a layer above it"
        )


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_libraries_stay_inside_their_layer(module):
    roots = {name.split(".")[0] for name in _imports(ast.parse(module.read_text()))}
    name = _name(module)
    for library, allowed in ALLOWED_IMPORTERS.items():
        if library in roots:
            assert any(name.startswith(a) for a in allowed), (
                f"{name} imports {library}; only {sorted(allowed)} may"
            )


@pytest.mark.parametrize("module", MODULES, ids=_name)
def test_only_the_cli_prints_or_exits(module):
    if _name(module).startswith("cli/"):
        return
    tree = ast.parse(module.read_text())
    calls = {_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not calls & OUTPUT_CALLS, f"{_name(module)} calls {calls & OUTPUT_CALLS}"


def test_no_module_is_much_longer_than_a_reader_can_hold():
    long = {_name(m): n for m in MODULES if (n := len(m.read_text().splitlines())) > 550}
    assert not long, f"split these modules (about 500 lines at most): {long}"


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return set(result.stdout.split())


def test_the_report_package_loads_neither_opencv_nor_mediapipe():
    loaded = _loaded_after_import("posecheck.report.html")
    assert "posecheck.report.summary" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("cv2", "mediapipe")}


def test_the_history_and_its_html_plot_load_neither_opencv_nor_mediapipe():
    # Only a PNG plot needs OpenCV, and loads it when asked for one.
    loaded = _loaded_after_import("posecheck.history.plot, posecheck.history.log")
    assert "posecheck.draw.charts" in loaded
    assert not {m for m in loaded if m.split(".")[0] in ("cv2", "mediapipe")}


def test_the_boundary_checks_would_catch_a_stray_import_and_print():
    tree = ast.parse(
        "import cv2\nfrom mediapipe import tasks\nfrom posecheck import cli\n"
        "from posecheck.run.live import run_session\nprint('x')\nsys.exit(1)\n"
    )
    imported = _imports(tree)
    assert {"cv2", "mediapipe"} <= {name.split(".")[0] for name in imported}
    assert {"cli", "run"} <= {_layer(name) for name in imported}
    calls = {_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert {"print", "sys.exit"} <= calls


def test_no_test_file_imports_another():
    # Shared helpers live in tests/helpers.py; a test file is never a library.
    for test in sorted(PACKAGE.parent.joinpath("tests").glob("*.py")):
        imported = _imports(ast.parse(test.read_text()))
        others = {name for name in imported if name.startswith("tests.test_")}
        assert not others, f"{test.name} imports {others}; move what it needs to tests/helpers.py"
