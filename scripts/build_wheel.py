#!/usr/bin/env python3
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl-3.0).
"""Build the wheel odoo-addon-partner_order_api with whool, addon files only.

    python scripts/build_wheel.py [--out DIR]     # default DIR: dist/

whool packages every file that git tracks (there is no exclusion setting,
sbidoul/whool#36). This script copies the tracked files (their working-tree
content, as whool does; every file when the checkout has no git) minus
``[tool.partner_order_api.wheel] exclude`` of pyproject.toml into a folder
named after the addon outside any git repository, runs ``pip wheel`` (whool,
from pyproject's build-system) on it, then checks the wheel: every file the
manifest names (data, demo, assets) and static/openapi.json is in it, nothing
excluded is. Prints the wheel's path on the last line. Needs a Python >= 3.11
with pip and PyPI (or pip's cache) for whool.
"""

import argparse
import ast
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ADDON = "partner_order_api"
DIST_NAME = "odoo_addon_partner_order_api"


def excluded_patterns():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    return pyproject["tool"]["partner_order_api"]["wheel"]["exclude"]


def is_excluded(path, patterns):
    for pattern in patterns:
        if pattern.endswith("/"):
            if path.startswith(pattern):
                return True
        elif fnmatch.fnmatch(path, pattern):
            return True
    return False


def source_files():
    """The files whool would take: git's tracked files, else every file."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"],
            cwd=REPO,
            check=True,
            capture_output=True,
        ).stdout.decode()
        files = [f for f in out.split("\0") if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for root, dirs, names in os.walk(REPO):
            dirs[:] = [d for d in dirs if d not in (".git", "__pycache__")]
            for name in names:
                if not name.endswith((".pyc", ".pyo")):
                    files.append(str(Path(root, name).relative_to(REPO)))
    # a tracked file deleted in the working tree is not packaged
    return sorted(f for f in files if (REPO / f).is_file())


def manifest_files():
    """Paths (relative to the addon) that the manifest names, globs expanded."""
    manifest = ast.literal_eval((REPO / "__manifest__.py").read_text())
    names = list(manifest.get("data", [])) + list(manifest.get("demo", []))
    for bundle in manifest.get("assets", {}).values():
        for entry in bundle:
            entry = entry[-1] if isinstance(entry, tuple | list) else entry
            names.append(entry.removeprefix(f"{ADDON}/"))
    found = []
    for name in names:
        matches = sorted(p.relative_to(REPO).as_posix() for p in REPO.glob(name))
        if not matches:
            raise SystemExit(f"the manifest names {name}, which does not exist")
        found.extend(matches)
    return found


def check_wheel(wheel, patterns):
    """Problems with the wheel's contents (empty: fine)."""
    prefix = f"odoo/addons/{ADDON}/"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    inside = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
    problems = [
        f"not under {prefix}: {n}"
        for n in names
        if not n.startswith(prefix) and ".dist-info/" not in n
    ]
    problems += [
        f"excluded but packaged: {n}"
        for n in sorted(inside)
        if is_excluded(n, patterns)
    ]
    wanted = manifest_files() + [
        "__manifest__.py",
        "__init__.py",
        "static/openapi.json",
    ]
    problems += [f"missing: {n}" for n in wanted if n not in inside]
    return problems + check_requirements(wheel)


def check_requirements(wheel):
    """The wheel requires Odoo 18.0 and exactly requirements.txt's lines
    (its bounds included: pyproject's external_dependencies_override)."""
    with zipfile.ZipFile(wheel) as zf:
        metadata = next(
            zf.read(n).decode()
            for n in zf.namelist()
            if n.endswith(".dist-info/METADATA")
        )
    required = {
        line.split(":", 1)[1].strip()
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist:")
    }
    wanted = {
        line.strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    } | {"odoo==18.0.*"}
    return [
        f"Requires-Dist {sorted(required)} is not requirements.txt's {sorted(wanted)}"
    ] * (required != wanted)


def build(out_dir):
    patterns = excluded_patterns()
    files = [f for f in source_files() if not is_excluded(f, patterns)]
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="poa-wheel-") as tmp:
        stage = Path(tmp, ADDON)
        for rel in files:
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, stage / rel)
        # pyproject.toml is excluded from the packaged files but whool needs it
        # to build (it leaves it out of the wheel itself).
        shutil.copy2(REPO / "pyproject.toml", stage / "pyproject.toml")
        env = dict(os.environ, GIT_CEILING_DIRECTORIES=tmp)
        for old in out_dir.glob(f"{DIST_NAME}-*.whl"):
            old.unlink()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--disable-pip-version-check",
                "--no-deps",
                "--quiet",
                "--wheel-dir",
                str(out_dir),
                str(stage),
            ],
            check=True,
            env=env,
            cwd=tmp,
        )
    wheels = sorted(out_dir.glob(f"{DIST_NAME}-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one {DIST_NAME} wheel in {out_dir}, found {wheels}")
    return wheels[0], patterns


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "dist")
    args = parser.parse_args()
    wheel, patterns = build(args.out.resolve())
    problems = check_wheel(wheel, patterns)
    with zipfile.ZipFile(wheel) as zf:
        count = len(zf.namelist())
    if problems:
        print("\n".join(problems), file=sys.stderr)
        raise SystemExit(f"{wheel.name}: {len(problems)} problem(s) in its contents")
    print(
        f"{count} files, the manifest's data/demo/assets and static/openapi.json in it, "
        "nothing excluded; requires requirements.txt's bounds"
    )
    print(wheel)


if __name__ == "__main__":
    main()
