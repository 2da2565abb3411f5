"""Office documents shared by the apps: Word set-up for Chinese text."""
