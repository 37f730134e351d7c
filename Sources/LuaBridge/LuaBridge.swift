// Module LuaBridge: see ../shared/DESIGN.md. Filled by its issue.
