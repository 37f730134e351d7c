// Module EdgeLabLua: see ../shared/DESIGN.md. Filled by its issue.
