"""Writer process for test_crash: appends batches forever, printing each range only after it is acknowledged.

    python -m shangmi.engines.tlog.tests.sequencer_crash_writer DIR GENERATION SEED

Prints ``open <size>`` once the log is open (recovered), then ``ack <start> <end>`` after every
``append_batch`` returns. Entry ``i`` written by generation ``g`` is `crash_entry(i, g)`, so an entry that a
killed generation wrote but never acknowledged gets other bytes from the next one.
"""

from __future__ import annotations

import hashlib
import random
import sys

from shangmi.engines.tlog.sequencer import Log
from shangmi.engines.tlog.tests.sequencer_support import ORIGIN, publish


def crash_entry(index: int, generation: int) -> bytes:
    """32..100 bytes determined by index and writer generation."""
    seed = hashlib.sha256(b"%d/%d" % (index, generation)).digest()
    return (b"%d/%d:" % (generation, index) + seed * 4)[: 32 + seed[0] % 69]


def main() -> None:
    root, generation, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    log = Log(root, ORIGIN, publish)
    print(f"open {log.size}", flush=True)
    while True:
        count = rng.choice([1, 2, 5, 37, 255, 256, 257, 600, 1500, 4000])
        start = log.size
        indexes = log.append_batch([crash_entry(i, generation) for i in range(start, start + count)])
        print(f"ack {indexes[0]} {indexes[-1] + 1}", flush=True)


if __name__ == "__main__":
    main()
