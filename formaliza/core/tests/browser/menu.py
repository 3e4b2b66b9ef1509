"""Reading the back office's menu as the browser has it (for the browser tests of any app)."""

from __future__ import annotations

READ_MENU = """() => Array.from(document.querySelectorAll('#menu details.nav-group')).map(g => [
  g.querySelector('summary').textContent.trim(),
  Array.from(g.querySelectorAll('a')).map(a => a.textContent.trim()),
])"""


def menu_of(page) -> dict[str, list[str]]:
    """{area: [entry labels]} in the page's menu, open or closed."""
    return dict(page.evaluate(READ_MENU))
