"""What the commands run, as library functions: photos (`pose`, `check`), a live
session (`live`, `demo`) and scoring a recording (`score`). They wire io,
coaching, drawing and reports together; none of them prints."""
