"""Repositories: every query of the master store lives here, and nowhere else."""
