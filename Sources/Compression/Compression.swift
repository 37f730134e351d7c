// Module Compression: see ../shared/DESIGN.md. Filled by its issue.
