"""The compiled helpers of the feature pass, on hand-made arrays."""

import numpy as np

from shangmi.engines.risk import kernel


def test_registered_pairs_count_only_registered_events_per_user_and_object():
    registered = kernel.FLAG_REGISTERED
    user = np.array([0, 1, 0, 0, 2, 1, 0], dtype=np.int32)
    obj = np.array([5, 5, 5, 7, -1, 5, 5], dtype=np.int32)
    flags = np.array(
        [
            registered,
            registered | kernel.FLAG_USB | kernel.FLAG_EXFIL,
            registered | kernel.FLAG_RENAME,
            registered,
            0,  # a job-site visit or a print: listed, but no registered carrier
            registered | kernel.FLAG_USB,
            kernel.FLAG_USB,  # a USB copy of an unregistered file
        ],
        dtype=np.uint8,
    )
    users, objects, sums = kernel.registered_pairs(user, obj, flags)
    rows = {
        (int(u), int(o)): tuple(int(x) for x in row) for u, o, row in zip(users, objects, sums, strict=True)
    }
    # events, USB copies, exfiltrations, renames; in order of first appearance
    assert list(rows) == [(0, 5), (1, 5), (0, 7)]
    assert rows == {(0, 5): (2, 0, 0, 1), (1, 5): (2, 2, 1, 0), (0, 7): (1, 0, 0, 0)}


def test_registered_pairs_of_nothing():
    empty = np.zeros(0, dtype=np.int32)
    users, objects, sums = kernel.registered_pairs(empty, empty, np.zeros(0, dtype=np.uint8))
    assert len(users) == len(objects) == 0 and sums.shape == (0, 4)


def test_registered_pairs_survive_collisions():
    """Many distinct pairs in a table sized for them: every pair is found again, none merged."""
    rng = np.random.default_rng(3)
    user = rng.integers(0, 50, 5000).astype(np.int32)
    obj = rng.integers(0, 400, 5000).astype(np.int32)
    flags = np.full(5000, kernel.FLAG_REGISTERED, dtype=np.uint8)
    users, objects, sums = kernel.registered_pairs(user, obj, flags)
    expected = {}
    for u, o in zip(user.tolist(), obj.tolist(), strict=True):
        expected[(u, o)] = expected.get((u, o), 0) + 1
    assert (
        dict(zip(zip(users.tolist(), objects.tolist(), strict=True), sums[:, 0].tolist(), strict=True))
        == expected
    )
