"""The web client's first load: index.html preloads exactly the modules main.js imports statically
(so they are fetched with main.js, not after it), and every view imported on demand exists."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
STATIC_IMPORT = re.compile(r'^\s*(?:import|export)\b[^;(]*?\bfrom\s+"(\.[^"]+)"', re.MULTILINE | re.DOTALL)
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*"(\.[^"]+)"\s*\)')


def _resolve(module: str, specifier: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(module), specifier))


def static_closure(entry: str) -> set[str]:
    """Every module `entry` (a path under web/) loads before it runs, itself excluded."""
    seen: set[str] = set()
    pending = [entry]
    while pending:
        module = pending.pop()
        for specifier in STATIC_IMPORT.findall((WEB_DIR / module).read_text()):
            found = _resolve(module, specifier)
            if found not in seen:
                seen.add(found)
                pending.append(found)
    seen.discard(entry)
    return seen


def test_index_html_preloads_exactly_what_main_js_imports_before_it_runs() -> None:
    html = (WEB_DIR / "index.html").read_text()
    preloaded = set(re.findall(r'<link rel="modulepreload" href="([^"]+)">', html))
    assert preloaded == static_closure("js/main.js")
    # and the feed's first paint does not wait for the other views or the SRP maths
    assert not any(m.startswith("js/views/") and m != "js/views/feed.js" for m in preloaded)
    assert "js/srp.js" not in preloaded


def test_every_module_imported_on_demand_exists() -> None:
    for script in (WEB_DIR / "js").rglob("*.js"):
        module = script.relative_to(WEB_DIR).as_posix()
        for specifier in DYNAMIC_IMPORT.findall(script.read_text()):
            assert (WEB_DIR / _resolve(module, specifier)).is_file(), (module, specifier)
