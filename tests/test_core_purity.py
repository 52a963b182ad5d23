"""core/ must stay pure NumPy: importing it may not pull in the UI stack."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED_THIRD_PARTY = {"numpy"}


def test_importing_core_pulls_in_no_ui_library():
    code = (
        "import sys; sys.path.insert(0, '.'); import core, pkgutil, importlib\n"
        "for m in pkgutil.walk_packages(core.__path__, 'core.'): importlib.import_module(m.name)\n"
        "print(' '.join(m for m in ('streamlit', 'altair', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_sources_import_only_numpy_and_the_standard_library():
    paths = list((ROOT / "core").rglob("*.py"))
    assert ROOT / "core" / "fast" / "workspace.py" in paths
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top == "core" or top in ALLOWED_THIRD_PARTY or top in sys.stdlib_module_names, (path, name)
