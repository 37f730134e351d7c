// Module Lab: see ../shared/DESIGN.md. Filled by its issue.
