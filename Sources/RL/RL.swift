// Module RL: see ../shared/DESIGN.md. Filled by its issue.
