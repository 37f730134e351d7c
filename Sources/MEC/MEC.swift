// Module MEC: see ../shared/DESIGN.md. Filled by its issue.
