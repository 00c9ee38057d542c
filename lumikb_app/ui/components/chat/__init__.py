"""Chat building blocks: composer, messages, sources, feedback and the conversation list.

Layout only; data from state.chat."""
