// Module LLM: see ../shared/DESIGN.md. Filled by its issue.
