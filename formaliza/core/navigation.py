"""The back office's menu, filtered by what the signed-in user may open, and the page a user
lands on (the first entry of their menu: an attendant's is the inbox, not the pipeline).

settings.NAVIGATION is a list of groups `(area label, [(label, url name, permission or None)])`
(the format is described there); an entry outside any group is shown in a last group, "Outros"."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch, reverse

UNPLACED_GROUP = "Outros"


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False


@dataclass
class NavGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)


def navigation_groups(entries) -> list[tuple[str, list[tuple]]]:
    """settings.NAVIGATION as (group label, entries), the entries outside a group last."""
    groups = [entry for entry in entries if isinstance(entry[1], list | tuple)]
    unplaced = [entry for entry in entries if not isinstance(entry[1], list | tuple)]
    return groups + ([(UNPLACED_GROUP, unplaced)] if unplaced else [])


def _visible(user, entries) -> list[NavItem]:
    items = []
    for label, url_name, perm in entries:
        if perm and not user.has_perm_code(perm):
            continue
        try:
            items.append(NavItem(label, reverse(url_name)))
        except NoReverseMatch:
            continue
    return items


def menu(user, path: str = "") -> list[NavGroup]:
    """The areas and entries `user` may open; the most specific entry holding `path` is the
    current one."""
    if user is None or not user.is_authenticated or not getattr(user, "tenant_id", None):
        return []
    groups = [
        NavGroup(label, items)
        for label, entries in navigation_groups(settings.NAVIGATION)
        if (items := _visible(user, entries))
    ]
    matching = [i for g in groups for i in g.items if path.startswith(i.url)]
    if matching:
        max(matching, key=lambda item: len(item.url)).active = True
    return groups


def home_url(user) -> str:
    """Where a signed-in user starts: the first page of their menu."""
    groups = menu(user)
    return groups[0].items[0].url if groups else resolve_url(settings.LOGIN_REDIRECT_URL)
