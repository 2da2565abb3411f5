"""存证: deposits, the evidence-log service around engines.tlog, timestamps, receipts, public tiles, verify."""
