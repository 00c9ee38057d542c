"""The graph canvas: `react-force-graph-2d` (canvas, d3-force) wrapped as a Reflex component.

The library touches `window`, so it is loaded in the browser only (`rx.NoSSRComponent`'s
`ClientSide` import, here under the name LumiForceGraph). A small wrapper, `LumiGraph`, adds
what the page needs around it:

- it fills its box, following the box's width (ResizeObserver), so the page stays responsive,
  and keeps the middle of the view in the middle when the box is resized;
- it copies the graph it is given (force-graph writes positions into node objects and
  replaces link ends by nodes, which must not happen to Reflex's state) and keeps the position
  of every node already drawn, so expanding a neighbourhood adds nodes around a still layout
  instead of starting over;
- it fits a fresh graph (a new `fit_key`: another KB or filter) to the box once laid out;
- it brings the selected entity to the middle of the box (zoomed in) whenever the layout
  settles;
- it writes each node's name beside it when zoomed in, for large nodes, and for the selected
  one (ringed).

A node click sends the node's id (`on_node_click`).
"""

from __future__ import annotations

import json

import reflex as rx
from reflex_base.components.component import field
from reflex_base.event import EventHandler
from reflex_base.vars.base import Var

LIBRARY = "react-force-graph-2d@1.29.1"
LOADED_AS = "LumiForceGraph"

WRAPPER = """
function LumiGraph({ graphData, onNodeClick, selectedId, height, fitKey, ...rest }) {
  const box = useRef(null);
  const graph = useRef(null);
  const [width, setWidth] = useState(0);
  const widthRef = useRef(0);
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const seen = new ResizeObserver((entries) => {
      const now = Math.floor(entries[0].contentRect.width);
      const before = widthRef.current;
      if (now === before) return;
      // Keep what was in the middle in the middle (the panel opening or closing resizes us).
      const middle = graph.current && before > 0
        ? graph.current.screen2GraphCoords(before / 2, el.clientHeight / 2) : null;
      widthRef.current = now;
      kept.current = middle;
      setWidth(now);
    });
    seen.observe(el);
    return () => seen.disconnect();
  }, []);
  const kept = useRef(null);
  useEffect(() => {
    // After the canvas took its new width (a child's effects run before ours).
    if (kept.current && graph.current) graph.current.centerAt(kept.current.x, kept.current.y);
    kept.current = null;
  }, [width]);
  const drawn = useRef(new Map());
  const data = useMemo(() => {
    const before = drawn.current;
    const now = new Map();
    const nodes = (graphData?.nodes ?? []).map((n) => {
      const old = before.get(n.id);
      const copy = old ? { ...n, x: old.x, y: old.y, vx: 0, vy: 0 } : { ...n };
      now.set(n.id, copy);
      return copy;
    });
    drawn.current = now;
    const links = (graphData?.links ?? []).map((l) => ({ ...l }));
    return { nodes, links };
  }, [graphData]);
  const label = useCallback((node, ctx, scale) => {
    const radius = Math.sqrt(Math.max(node.val || 1, 0)) * 4;
    const selected = node.id === selectedId;
    if (selected) {
      ctx.beginPath();
      ctx.arc(node.x, node.y, radius + 2.5 / scale, 0, 2 * Math.PI);
      ctx.lineWidth = 2 / scale;
      ctx.strokeStyle = "#111827";
      ctx.stroke();
    }
    if (!selected && scale < 1.6 && (node.val || 1) < 7) return;
    const size = Math.max(10 / scale, 1.5);
    ctx.font = `${selected ? "600 " : ""}${size}px system-ui, sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    ctx.lineWidth = 3 / scale;
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.strokeText(node.name, node.x, node.y + radius + 1.5 / scale);
    ctx.fillStyle = "#1f2937";
    ctx.fillText(node.name, node.x, node.y + radius + 1.5 / scale);
  }, [selectedId]);
  const click = useCallback((node) => onNodeClick && onNodeClick(node), [onNodeClick]);
  const attach = useCallback((instance) => {
    // Repulsion reaches only nearby nodes, so entities without relations stay close by
    // instead of drifting off and shrinking everything else when the view is fitted.
    if (instance && graph.current !== instance) instance.d3Force("charge")?.distanceMax(160);
    graph.current = instance;
  }, []);
  const fitted = useRef(0);
  useEffect(() => { fitted.current = 0; }, [fitKey]);
  const selectedRef = useRef("");
  const centre = useCallback(() => {
    const node = drawn.current.get(selectedRef.current);
    if (!graph.current || !node || !Number.isFinite(node.x)) return;
    graph.current.centerAt(node.x, node.y, 400);
    if (graph.current.zoom() < 1.8) graph.current.zoom(1.8, 400);
  }, []);
  useEffect(() => {
    selectedRef.current = selectedId || "";
    if (selectedId) centre();
  }, [selectedId, centre]);
  const settled = useCallback(() => {
    // Fit a fresh graph to the box once; keep the selected entity in the middle each time the
    // layout settles (its neighbours arrived and pushed it around).
    if (selectedRef.current) centre();
    else if (fitted.current === 0 && graph.current) graph.current.zoomToFit(400, 30);
    fitted.current += 1;
  }, [centre]);
  return createElement(
    "div",
    { ref: box, style: { width: "100%", height: height, overflow: "hidden" } },
    width > 0
      ? createElement(LumiForceGraph, {
          ref: attach,
          graphData: data,
          width: width,
          height: height,
          nodeId: "id",
          nodeLabel: "name",
          nodeColor: "color",
          nodeVal: "val",
          nodeCanvasObjectMode: () => "after",
          nodeCanvasObject: label,
          linkColor: () => "rgba(100,116,139,0.35)",
          linkWidth: 1,
          cooldownTicks: 80,
          cooldownTime: 2500,
          onNodeClick: click,
          onEngineStop: settled,
          ...rest,
        })
      : null,
  );
}
"""


def _node_id(node: Var[dict]) -> tuple[Var[str]]:
    return (node.to(dict)["id"].to(str),)


class ForceGraph(rx.NoSSRComponent):
    """`react-force-graph-2d` in the LumiGraph wrapper (see the module docstring)."""

    library = LIBRARY
    tag = "LumiGraph"
    is_default = True

    graph_data: Var[dict] = field(
        doc="{nodes: [{id, name, color, val}], links: [{source, target}]}"
    )
    selected_id: Var[str] = field(doc="The id of the node drawn with a ring.")
    height: Var[int] = field(doc="The canvas height in pixels (its width follows its box).")
    fit_key: Var[str] = field(doc="When it changes, the next layout is fitted to the box.")
    on_node_click: EventHandler[_node_id] = field(doc="A node was clicked: its id.")

    def add_imports(self) -> dict[str, list[str]]:
        return {
            "react": ["useRef", "useState", "useEffect", "useMemo", "useCallback", "createElement"]
        }

    def _get_dynamic_imports(self) -> str:
        """Load the library in the browser only, under LOADED_AS (the wrapper draws it)."""
        return (
            f"const {LOADED_AS} = ClientSide(() => import('react-force-graph-2d')"
            f".then((mod) => mod.default.default ?? mod.default), {json.dumps(LOADED_AS)})"
        )

    def add_custom_code(self) -> list[str]:
        return [WRAPPER]


force_graph = ForceGraph.create
