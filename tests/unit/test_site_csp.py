"""The site's content security policy: strict, the same under `make dev` as in AWS, and the web
client keeps to it (no inline script or style, no eval), so the browser tests run under it."""

from __future__ import annotations

import re
from pathlib import Path

from flint_template.csp import site_csp

WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part}


def test_only_the_sites_own_scripts_run_and_it_talks_only_to_the_api_and_cognito() -> None:
    policy = directives(
        site_csp(api="https://api.test", cognito="https://idp.test", uploads=["https://up.test"])
    )
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'", "https://api.test", "https://idp.test", "https://up.test"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_the_web_client_has_no_inline_script_style_or_eval() -> None:
    html = (WEB_DIR / "index.html").read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), "inline style or event handler"
    for script in WEB_DIR.rglob("*.js"):
        text = script.read_text()
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), script.name
        assert "<script" not in text, script.name


def test_tokens_are_kept_per_tab_not_in_local_storage() -> None:
    api = (WEB_DIR / "js" / "api.js").read_text()
    assert "localStorage" not in api and "sessionStorage.setItem(SESSION_KEY" in api
