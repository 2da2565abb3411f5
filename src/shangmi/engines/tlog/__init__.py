"""RFC 6962/9162 Merkle log: hashing, C2SP tlog-tiles storage, checkpoints, proofs, receipts (issue 3)."""
