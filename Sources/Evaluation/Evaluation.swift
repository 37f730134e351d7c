// Module Evaluation: see ../shared/DESIGN.md. Filled by its issue.
