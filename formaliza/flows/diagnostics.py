"""Warnings about a valid flow's graph: things that import and run, but are probably mistakes.

- `unreachable`: no path from the start card leads to the card.
- `dangling_output`: a named output that is not connected and that the card type does not mark
  optional (reaching it ends the flow, or returns to the calling flow).
- `loop_without_wait`: a cycle of cards none of which can wait for the client or a timer
  (`CardType.can_wait`): a run entering it would go round without input until the engine's hop
  limit stops it.
- `undeclared_variable`: a `{{name}}` in a card's texts that is neither a built-in, a declared
  variable, nor a variable some card stores to (a setting named `variable` or `*_variable`).
- `unknown_flow`: a `go_to_flow` card names a flow the tenant does not have (only when the caller
  passes the tenant's flow keys). Publishing refuses it; import only warns.

Pure: the document in, warnings out. The diagram and the back office show them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from formaliza.flows.cards.registry import CARD_TYPES
from formaliza.flows.document import FlowDocument
from formaliza.flows.engine import PLACEHOLDER

# The engine's built-in placeholders (engine.Context.builtins).
BUILTIN_VARIABLES = ("protocolo", "nome_whatsapp", "cliente", "telefone", "empresa", "atendente")


@dataclass(frozen=True)
class Diagnostic:
    code: str  # unreachable | dangling_output | loop_without_wait | undeclared_variable | unknown_flow
    card: str
    field: str
    message: str  # pt-BR
    cards: tuple[str, ...] = ()  # every card involved (a loop's cards)

    def __str__(self) -> str:
        where = f"card '{self.card}'" if self.card else "fluxo"
        return (
            f"{where}, campo '{self.field}': {self.message}"
            if self.field
            else f"{where}: {self.message}"
        )


def edges(doc: FlowDocument) -> Iterator[tuple[str, str, str]]:
    """(source, output, target) for every connected output, in document order."""
    for card in doc.cards.values():
        for output in CARD_TYPES[card.type].outputs(card.settings):
            target = card.next.get(output)
            if target is not None:
                yield card.id, output, target


def reachable(doc: FlowDocument) -> set[str]:
    successors = _successors(doc)
    seen = {doc.start}
    stack = [doc.start]
    while stack:
        for target in successors[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def diagnose(doc: FlowDocument, *, flow_keys: Iterable[str] | None = None) -> list[Diagnostic]:
    found = _unreachable(doc) + _dangling(doc) + _loops(doc) + _undeclared(doc)
    if flow_keys is not None:
        found += unknown_flows(doc, set(flow_keys) | {doc.key})
    return found


def unknown_flows(doc: FlowDocument, flow_keys: set[str]) -> list[Diagnostic]:
    return [
        Diagnostic(
            "unknown_flow",
            card.id,
            "settings.flow",
            f'o fluxo "{card.settings.flow}" não existe nesta empresa',
        )
        for card in doc.cards.values()
        if card.type == "go_to_flow" and card.settings.flow not in flow_keys
    ]


def _successors(doc: FlowDocument) -> dict[str, list[str]]:
    successors: dict[str, list[str]] = {card_id: [] for card_id in doc.cards}
    for source, _output, target in edges(doc):
        if target not in successors[source]:
            successors[source].append(target)
    return successors


def _unreachable(doc: FlowDocument) -> list[Diagnostic]:
    seen = reachable(doc)
    return [
        Diagnostic("unreachable", card_id, "", "card inalcançável: nenhum caminho leva a ele")
        for card_id in doc.cards
        if card_id not in seen
    ]


def _dangling(doc: FlowDocument) -> list[Diagnostic]:
    found = []
    for card in doc.cards.values():
        kind = CARD_TYPES[card.type]
        for output in kind.outputs(card.settings):
            if card.next.get(output) is None and output not in kind.optional_outputs:
                found.append(
                    Diagnostic(
                        "dangling_output",
                        card.id,
                        f"next.{output}",
                        f'a saída "{output}" não está conectada: chegar a ela encerra o fluxo',
                    )
                )
    return found


def _loops(doc: FlowDocument) -> list[Diagnostic]:
    successors = _successors(doc)
    found = []
    for component in _cycles(successors):
        if any(CARD_TYPES[doc.cards[c].type].can_wait for c in component):
            continue
        ordered = tuple(c for c in doc.cards if c in component)
        found.append(
            Diagnostic(
                "loop_without_wait",
                ordered[0],
                "next",
                "laço sem espera: os cards "
                + ", ".join(ordered)
                + " formam um ciclo em que nenhum aguarda o cliente ou um tempo",
                cards=ordered,
            )
        )
    return found


def _cycles(successors: dict[str, list[str]]) -> list[set[str]]:
    """Strongly connected components that contain a cycle (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[set[str]] = []
    counter = 0
    for root in successors:
        if root in index:
            continue
        work = [(root, iter(successors[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(successors[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in successors[node]:
                    result.append(component)
    return result


def stored_variables(doc: FlowDocument) -> set[str]:
    """Variables some card stores to: settings named `variable` or ending in `_variable`."""
    names = set()
    for card in doc.cards.values():
        for name, value in card.settings.model_dump().items():
            if (name == "variable" or name.endswith("_variable")) and isinstance(value, str):
                names.add(value)
    return names


def _texts(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)


def _undeclared(doc: FlowDocument) -> list[Diagnostic]:
    known = set(BUILTIN_VARIABLES) | {v.name for v in doc.variables} | stored_variables(doc)
    found = []
    for card in doc.cards.values():
        settings = card.settings.model_dump(mode="json", by_alias=True)
        missing = []
        for name, value in settings.items():
            for text in _texts(value):
                for match in PLACEHOLDER.finditer(text):
                    variable = match.group(1)
                    if variable not in known and (name, variable) not in missing:
                        missing.append((name, variable))
        found.extend(
            Diagnostic(
                "undeclared_variable",
                card.id,
                f"settings.{name}",
                f'variável "{{{{{variable}}}}}" não declarada no fluxo nem embutida: ficará vazia',
            )
            for name, variable in missing
        )
    return found
