"""The GraphiQL page's browser files, taken from the npm packages pinned here.

    python3 tools/graphiql/assets.py check   # CI: the committed files are the pinned ones
    python3 tools/graphiql/assets.py sync    # after changing package.json + package-lock.json

Both `npm pack` each package at the version package-lock.json resolves, refuse a tarball
whose sha512 is not the lock's `integrity`, and take the files from it. `check` compares them
byte for byte with carebase/static/graphiql/ and its manifest.json; `sync` writes them there.
Standard library only, so CI runs it before the project is installed.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent.parent / "carebase" / "static" / "graphiql"
MANIFEST = STATIC / "manifest.json"
OWN = "page"  # carebase's own files beside the packages' (not from npm)

# (package, file inside it, kind): the page loads styles and scripts in this order
WANTED = [
    ("graphiql", "graphiql.min.css", "style"),
    ("react", "umd/react.production.min.js", "script"),
    ("react-dom", "umd/react-dom.production.min.js", "script"),
    ("graphiql", "graphiql.min.js", "script"),
    ("graphiql", "LICENSE", "license"),
    ("react", "LICENSE", "license"),
    ("react-dom", "LICENSE", "license"),
]


def pinned() -> dict[str, tuple[str, str]]:
    """Each wanted package's (version, integrity) as the lock resolves it; package.json must
    pin the same exact version."""
    declared = json.loads((HERE / "package.json").read_text())["dependencies"]
    lock = json.loads((HERE / "package-lock.json").read_text())["packages"]
    found: dict[str, tuple[str, str]] = {}
    for name in dict.fromkeys(package for package, _, _ in WANTED):
        entry = lock[f"node_modules/{name}"]
        if declared.get(name) != entry["version"]:
            raise SystemExit(
                f"{name}: package.json pins {declared.get(name)!r}, the lock has "
                f"{entry['version']!r}; pin an exact version and run `npm install`"
            )
        found[name] = (entry["version"], entry["integrity"])
    return found


def packed(name: str, version: str, integrity: str, into: Path) -> tarfile.TarFile:
    """The package's tarball from the registry, refused unless it is the locked one."""
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--json", "--pack-destination", str(into)],
        check=True,
        capture_output=True,
        text=True,
        cwd=into,
    )
    filename = json.loads(out.stdout)[0]["filename"]
    data = (into / filename).read_bytes()
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise SystemExit(f"{name}@{version}: the tarball is not the one package-lock.json locks")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def from_npm() -> tuple[dict[str, str], list[tuple[dict[str, str], bytes]]]:
    versions = {name: version for name, (version, _) in pinned().items()}
    files: list[tuple[dict[str, str], bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        tarballs = {
            name: packed(name, version, integrity, Path(tmp))
            for name, (version, integrity) in pinned().items()
        }
        for package, inside, kind in WANTED:
            member = tarballs[package].extractfile(f"package/{inside}")
            assert member is not None, f"{package} has no {inside}"
            body = member.read()
            version = versions[package]
            entry = {
                "path": f"{package}@{version}/{inside}",
                "package": package,
                "version": version,
                "file": inside,
                "kind": kind,
                "sha256": hashlib.sha256(body).hexdigest(),
            }
            files.append((entry, body))
    return versions, files


def manifest_of(versions: dict[str, str], files: list[tuple[dict[str, str], bytes]]) -> str:
    document = {
        "about": "The npm files under this folder: see tools/graphiql/assets.py",
        "packages": versions,
        "files": [entry for entry, _ in files],
    }
    return json.dumps(document, indent=2) + "\n"


def committed_extras(files: list[tuple[dict[str, str], bytes]]) -> list[str]:
    listed = {entry["path"] for entry, _ in files} | {"manifest.json"}
    return sorted(
        relative
        for path in STATIC.rglob("*")
        if path.is_file()
        and not (relative := path.relative_to(STATIC).as_posix()).startswith(f"{OWN}/")
        and relative not in listed
    )


def check() -> int:
    versions, files = from_npm()
    problems = []
    for entry, body in files:
        target = STATIC / entry["path"]
        if not target.is_file() or target.read_bytes() != body:
            problems.append(f"{entry['path']} differs from {entry['package']}@{entry['version']}")
    problems += [f"{extra} is not in the pinned packages" for extra in committed_extras(files)]
    if not MANIFEST.is_file() or MANIFEST.read_text() != manifest_of(versions, files):
        problems.append("manifest.json does not list the pinned files")
    for problem in problems:
        print(f"graphiql assets: {problem}", file=sys.stderr)
    if problems:
        print("run `python3 tools/graphiql/assets.py sync`", file=sys.stderr)
        return 1
    print(f"graphiql assets match {', '.join(f'{n}@{v}' for n, v in versions.items())}")
    return 0


def sync() -> int:
    versions, files = from_npm()
    for extra in committed_extras(files):
        (STATIC / extra).unlink()
    for entry, body in files:
        target = STATIC / entry["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    MANIFEST.write_text(manifest_of(versions, files))
    return 0


if __name__ == "__main__":
    commands = {"check": check, "sync": sync}
    if len(sys.argv) != 2 or sys.argv[1] not in commands:
        raise SystemExit(__doc__)
    raise SystemExit(commands[sys.argv[1]]())
