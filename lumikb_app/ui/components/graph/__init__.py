"""The graph canvas (react-force-graph-2d as a Reflex component), the legend and the entity panel.

Layout only; data from state.graph."""
