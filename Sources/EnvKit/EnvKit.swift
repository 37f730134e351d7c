// Module EnvKit: see ../shared/DESIGN.md. Filled by its issue.
