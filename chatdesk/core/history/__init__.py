"""The history's way in and out: import/export, backups, safe timestamps."""
