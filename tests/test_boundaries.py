"""Keeps the architecture honest: who may import mediapipe and cv2, and who may print or exit."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "posecheck"
MODULES = sorted(PACKAGE.glob("*.py"))

ALLOWED_IMPORTERS = {
    "mediapipe": {"estimator.py"},
    "cv2": {"video.py", "overlay.py"},
    "typer": {"cli.py"},
    "rich": {"cli.py"},
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


def _imported_roots(tree: ast.AST) -> set[str]:
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def test_the_package_has_the_expected_modules():
    names = {m.name for m in MODULES}
    assert {"estimator.py", "video.py", "overlay.py", "cli.py", "geometry.py"} <= names


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_imports_stay_inside_their_module(module):
    roots = _imported_roots(ast.parse(module.read_text()))
    for library, allowed in ALLOWED_IMPORTERS.items():
        if library in roots:
            assert module.name in allowed, f"{module.name} imports {library}; only {allowed} may"


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_only_the_cli_prints_or_exits(module):
    if module.name == "cli.py":
        return
    tree = ast.parse(module.read_text())
    calls = {_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert not calls & OUTPUT_CALLS, f"{module.name} calls {calls & OUTPUT_CALLS}"


def test_the_boundary_check_would_catch_a_stray_import_and_print():
    tree = ast.parse("import cv2\nfrom mediapipe import tasks\nprint('x')\nsys.exit(1)\n")
    assert {"cv2", "mediapipe"} <= _imported_roots(tree)
    calls = {_dotted(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert {"print", "sys.exit"} <= calls
