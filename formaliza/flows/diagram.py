"""A flow drawn as SVG on the server: no JavaScript, readable on any browser.

Layout (layered, top to bottom):
1. Depth-first from the start card (then from each card not yet seen, in document order) to find
   the back edges, the ones that close a loop; without them the graph has no cycle.
2. Longest-path layering: a card sits one layer below the deepest card that leads to it. Cards
   the start does not reach are laid out the same way below all the others.
3. Inside a layer, cards follow the mean position of the cards leading to them (one barycenter
   pass), then document order.
Edges are curves labelled with their output's name; back edges go round the right side.
Unconnected outputs get a short dashed stub. Cards with warnings are outlined in orange,
unreachable ones dashed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from html import escape

from formaliza.flows.cards.registry import CARD_TYPES
from formaliza.flows.diagnostics import Diagnostic, edges, reachable
from formaliza.flows.document import FlowDocument

BOX_W, BOX_H = 200, 58
H_GAP, V_GAP = 48, 92
MARGIN = 24
BACK_BEND = 70


@dataclass
class Box:
    id: str
    layer: int
    x: float = 0
    y: float = 0
    classes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    edges: list[tuple[str, str, str]]
    back: set[tuple[str, str, str]]
    width: float
    height: float


def _back_edges(doc: FlowDocument, all_edges: list[tuple[str, str, str]]) -> set:
    out: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for edge in all_edges:
        out[edge[0]].append(edge)
    state: dict[str, int] = {}  # 1: on the path being explored, 2: done
    back = set()
    for root in [doc.start, *doc.cards]:
        if root in state:
            continue
        state[root] = 1
        work = [(root, iter(out[root]))]
        while work:
            node, it = work[-1]
            edge = next(it, None)
            if edge is None:
                state[node] = 2
                work.pop()
                continue
            target = edge[2]
            if state.get(target) == 1:
                back.add(edge)
            elif target not in state:
                state[target] = 1
                work.append((target, iter(out[target])))
    return back


def _layers(doc: FlowDocument, forward: list[tuple[str, str, str]]) -> dict[str, int]:
    seen = reachable(doc)
    preds: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(doc.cards, 0)
    succs: dict[str, list[str]] = defaultdict(list)
    for source, _output, target in forward:
        # An unreachable card pointing into the reachable part does not push it down.
        if (source in seen) != (target in seen):
            continue
        preds[target].append(source)
        succs[source].append(target)
        indegree[target] += 1
    layer = dict.fromkeys(doc.cards, 0)
    ready = [c for c in doc.cards if indegree[c] == 0]
    while ready:
        node = ready.pop(0)
        for target in succs[node]:
            layer[target] = max(layer[target], layer[node] + 1)
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    deepest = max((layer[c] for c in seen), default=0)
    for card_id in doc.cards:
        if card_id not in seen:
            layer[card_id] += deepest + 1
    return layer


def layout(doc: FlowDocument) -> Layout:
    all_edges = list(edges(doc))
    back = _back_edges(doc, all_edges)
    forward = [e for e in all_edges if e not in back]
    layer_of = _layers(doc, forward)
    order = {card_id: i for i, card_id in enumerate(doc.cards)}
    rows: dict[int, list[str]] = defaultdict(list)
    for card_id in doc.cards:
        rows[layer_of[card_id]].append(card_id)
    preds: dict[str, list[str]] = defaultdict(list)
    for source, _output, target in forward:
        preds[target].append(source)
    position: dict[str, float] = {}
    for number in sorted(rows):
        row = rows[number]

        def key(card_id: str, _row=row) -> tuple[float, int]:
            placed = [position[p] for p in preds[card_id] if p in position]
            return (sum(placed) / len(placed) if placed else order[card_id], order[card_id])

        row.sort(key=key)
        for index, card_id in enumerate(row):
            position[card_id] = index
    widest = max(len(row) for row in rows.values())
    width = MARGIN * 2 + widest * BOX_W + (widest - 1) * H_GAP + BACK_BEND
    boxes = {}
    for number, row in rows.items():
        row_width = len(row) * BOX_W + (len(row) - 1) * H_GAP
        left = MARGIN + (widest * BOX_W + (widest - 1) * H_GAP - row_width) / 2
        for index, card_id in enumerate(row):
            boxes[card_id] = Box(
                id=card_id,
                layer=number,
                x=left + index * (BOX_W + H_GAP),
                y=MARGIN + number * (BOX_H + V_GAP),
            )
    height = MARGIN * 2 + (max(rows) + 1) * BOX_H + max(rows) * V_GAP + 30
    return Layout(boxes, all_edges, back, width, height)


def _text(value: str, limit: int) -> str:
    return escape(value if len(value) <= limit else value[: limit - 1] + "…")


def _edge_svg(lay: Layout, edge: tuple[str, str, str], slot: float) -> str:
    source, output, target = edge
    a, b = lay.boxes[source], lay.boxes[target]
    if edge in lay.back or b.layer <= a.layer:
        x1, y1 = a.x + BOX_W, a.y + BOX_H / 2
        x2, y2 = b.x + BOX_W, b.y + BOX_H / 2 + 8
        c1, c2 = (x1 + BACK_BEND, y1), (x2 + BACK_BEND, y2)
        css = "edge back"
    else:
        x1, y1 = a.x + BOX_W * slot, a.y + BOX_H
        x2, y2 = b.x + BOX_W / 2, b.y
        bend = (y2 - y1) / 2
        c1, c2 = (x1, y1 + bend), (x2, y2 - bend)
        css = "edge"
    # The label sits at the curve's midpoint (t = 0.5 of the cubic Bézier).
    mx = (x1 + 3 * c1[0] + 3 * c2[0] + x2) / 8
    my = (y1 + 3 * c1[1] + 3 * c2[1] + y2) / 8
    return (
        f'<g class="{css}" data-edge="{escape(source)}:{escape(output)}">'
        f'<path d="M{x1:.0f},{y1:.0f} C{c1[0]:.0f},{c1[1]:.0f} {c2[0]:.0f},{c2[1]:.0f} '
        f'{x2:.0f},{y2:.0f}" marker-end="url(#arrow)"/>'
        f'<text x="{mx:.0f}" y="{my:.0f}" class="out">{_text(output, 22)}</text></g>'
    )


def _stub_svg(box: Box, output: str, slot: float) -> str:
    x, y = box.x + BOX_W * slot, box.y + BOX_H
    return (
        f'<g class="edge dangling" data-edge="{escape(box.id)}:{escape(output)}">'
        f'<path d="M{x:.0f},{y:.0f} L{x:.0f},{y + 26:.0f}"/>'
        f'<text x="{x:.0f}" y="{y + 38:.0f}" class="out">{_text(output, 22)} ✕</text></g>'
    )


_STYLE = (
    ".box rect{fill:#fff;stroke:#0b6e4f;stroke-width:1.5}"
    ".box.start rect{stroke-width:3}"
    ".box.warn rect{stroke:#b54708;stroke-width:2.5;fill:#fffaeb}"
    ".box.unreachable rect{stroke-dasharray:6 4}"
    ".box .kind{font-size:11px;fill:#5d6b7a}.box .name{font-size:13px;font-weight:600}"
    ".edge path{fill:none;stroke:#5d6b7a;stroke-width:1.4}"
    ".edge.back path{stroke:#1d4ed8;stroke-dasharray:4 3}"
    ".edge.dangling path{stroke:#b42318;stroke-dasharray:3 3}"
    ".edge.dangling .out{fill:#b42318}"
    ".out{font-size:11px;text-anchor:middle;fill:#1d2733;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px}"
    "text{font-family:system-ui,sans-serif}"
)


def render_svg(doc: FlowDocument, warnings: list[Diagnostic] = ()) -> str:
    """The SVG markup of the flow (every text escaped)."""
    lay = layout(doc)
    notes: dict[str, list[str]] = defaultdict(list)
    for w in warnings:
        for card_id in w.cards or (w.card,):
            if card_id in lay.boxes:
                notes[card_id].append(w.message)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow-diagram" role="img" '
        f'aria-label="Diagrama do fluxo {escape(doc.name)}" width="{lay.width:.0f}" '
        f'height="{lay.height:.0f}" viewBox="0 0 {lay.width:.0f} {lay.height:.0f}">',
        f"<style>{_STYLE}</style>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#5d6b7a"/></marker></defs>',
    ]
    dangling = {
        (w.card, w.field.removeprefix("next.")) for w in warnings if w.code == "dangling_output"
    }
    unreachable = {w.card for w in warnings if w.code == "unreachable"}
    for card in doc.cards.values():
        outputs = CARD_TYPES[card.type].outputs(card.settings)
        for index, output in enumerate(outputs):
            slot = (index + 1) / (len(outputs) + 1)
            target = card.next.get(output)
            if target is not None:
                parts.append(_edge_svg(lay, (card.id, output, target), slot))
            elif (card.id, output) in dangling:
                parts.append(_stub_svg(lay.boxes[card.id], output, slot))
    for card in doc.cards.values():
        box = lay.boxes[card.id]
        classes = ["box"]
        if card.id == doc.start:
            classes.append("start")
        if notes.get(card.id):
            classes.append("warn")
        if card.id in unreachable:
            classes.append("unreachable")
        title = "\n".join([f"{card.id} ({card.type})", *notes.get(card.id, [])])
        kind = CARD_TYPES[card.type].label
        parts.append(
            f'<g id="card-{escape(card.id)}" class="{" ".join(classes)}" '
            f'transform="translate({box.x:.0f},{box.y:.0f})"><title>{escape(title)}</title>'
            f'<rect width="{BOX_W}" height="{BOX_H}" rx="8"/>'
            f'<text x="10" y="22" class="name">{_text(card.label or card.id, 26)}</text>'
            f'<text x="10" y="42" class="kind">{_text(kind, 20)} · {_text(card.id, 14)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
