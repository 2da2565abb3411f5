"""Platform operations: worker heartbeats, the health page, backup and restore."""
