"""Helpers for the browser tests: screenshots, axe-core, page hygiene."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "screenshots"
# Only the tests use axe-core, so it is read from node_modules and never served by Jusha.
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def live_url(live_server, path: str) -> str:
    return f"{live_server.url}{path}"


def shot(page, name: str) -> Path:
    """Save a full-page screenshot as test-output/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_clean(page) -> None:
    """No JavaScript error, console error or failed request on this page so far."""
    assert not page.problems, "the page had problems:\n  " + "\n  ".join(page.problems)


def axe(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the current page; fail listing every violation of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS.relative_to(ROOT)} is missing: run scripts/setup (npm ci && npm run vendor).",
                    pytrace=False)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    # Colours read in the middle of a fade-in (an htmx swap, a page's entrance) are neither the start's nor
    # the end's: let running animations and transitions finish first, so axe checks what stays on screen.
    # (A spinner that never ends is not waited for.)
    page.evaluate("""async () => await Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null)))""")
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [v for v in results["violations"] if v.get("impact") in impacts]
    if bad:
        lines = [f"axe found {len(bad)} serious/critical violation(s) on {page.url}:"]
        for violation in bad:
            lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
            for node in violation["nodes"][:10]:
                lines.append(f"    at {', '.join(map(str, node['target']))}")
                lines.append(f"       {node['html'][:200]}")
                summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
                if summary:
                    lines.append(f"       {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
    return results["violations"]
