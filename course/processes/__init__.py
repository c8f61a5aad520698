"""Programs the course starts (JupyterLab, nbgrader, kernels): their environment and imports."""
