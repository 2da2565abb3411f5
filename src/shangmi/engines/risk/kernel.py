"""The per-event pass of the feature build, compiled (numba): one loop over a day's events that looks up
each event's user, object and destination by key and adds its flags to that user's row of sums.

Vectorised, the same flags cost ~100 whole-column operations per event (each a pass over memory); here
each event is read once and costs a few hash-table probes and ~30 integer operations. The loop releases
the GIL, so days run on several threads.

Inputs are plain arrays. Look-ups are open-addressing tables (`table()`): slot = key & mask, linear
probing; keys are already hashes, so their low bits are uniform."""

from __future__ import annotations

import numpy as np
from numba import njit

from shangmi.engines.risk.schema import ACTIONS

# Summed per (user, day), in this column order. Counts are events unless the name says bytes, pages or
# records.
SUMS = (
    "events",
    "offhours_events",  # before work_start_hour, from work_end_hour, or on a weekend
    "offhours_sensitive",  # off-hours events on registered carriers, leaving files, or USB attaches
    "registered_events",  # any file-like action on a registered carrier
    "usb_copies",
    "usb_registered",  # usb_copy of a registered carrier
    "cloud_personal_uploads",
    "cloud_personal_bytes",
    "cloud_own_uploads",
    "webmail_personal_with_attachments",  # e-mail with attachments to personal mail, or webmail uploads
    "competitor_mails",  # e-mails (or uploads) to a competitor's domain
    "external_attachments",  # other e-mails with attachments / uploads leaving the organisation
    "prints",
    "print_pages",
    "archives_created",  # archives written (.zip/.7z/.rar …), or files renamed to an archive's name
    "registered_renamed",  # registered carriers renamed or moved (the old path is registered)
    "customer_records",
    "job_site_visits",
    "exfil_items",  # files or attachments that left: USB + external uploads + external attachments
    "exfil_bytes",
    "registered_exfil",  # registered carriers among them
)
(
    EVENTS,
    OFF,
    OFF_SENSITIVE,
    REG_EVENTS,
    USB_COPIES,
    USB_REG,
    CLOUD_UP,
    CLOUD_BYTES,
    CLOUD_OWN,
    WEBMAIL,
    COMPETITOR_MAILS,
    EXTERNAL,
    PRINTS,
    PRINT_PAGES,
    ARCHIVES,
    REG_RENAMED,
    CUSTOMER_RECORDS,
    JOB_SITES,
    EXFIL_ITEMS,
    EXFIL_BYTES,
    REG_EXFIL,
) = range(len(SUMS))

# Object bits: a registered carrier; an archive's name (written: the obfuscation step); an archive
# among a list of names (explain's "archive" reason)
OBJ_REGISTERED, OBJ_ARCHIVE, OBJ_ARCHIVE_LISTED = 1, 2, 4
HOUR_US = np.uint64(3_600_000_000)
# Destination bits
DEST_OWN, DEST_COMPETITOR, DEST_CLOUD, DEST_WEBMAIL, DEST_JOB, DEST_EXTERNAL, DEST_CRM, DEST_ARCHIVE = (
    1 << i for i in range(8)
)
# Flags of a listed event (the `hit_flags` output)
FLAG_USB, FLAG_EXFIL, FLAG_RENAME, FLAG_REGISTERED = 1, 2, 4, 8
# Why an event may explain an alert (explain.REASONS), by priority; 0 = none. An event is listed when it
# has a reason or touches a registered carrier.
REASONS = (
    "",
    "usb_copy",
    "competitor",
    "personal_cloud",
    "personal_webmail",
    "customer_records",
    "archive",
    "rename",
    "external",
    "print",
    "job_site",
)
(
    _,
    R_USB,
    R_COMPETITOR,
    R_CLOUD,
    R_WEBMAIL,
    R_CUSTOMER_RECORDS,
    R_ARCHIVE,
    R_RENAME,
    R_EXTERNAL,
    R_PRINT,
    R_JOB_SITE,
) = range(len(REASONS))

_A = {name: i for i, name in enumerate(ACTIONS)}
FILE_OPEN, FILE_COPY, FILE_WRITE, USB_COPY, USB_CONNECT = (
    _A["file_open"],
    _A["file_copy"],
    _A["file_write"],
    _A["usb_copy"],
    _A["usb_connect"],
)
UPLOAD, DOWNLOAD, WEB_VISIT, EMAIL_SEND, PRINT, APP_EXPORT, FILE_RENAME = (
    _A["upload"],
    _A["download"],
    _A["web_visit"],
    _A["email_send"],
    _A["print"],
    _A["app_export"],
    _A["file_rename"],
)


def action_mask(names) -> int:
    """A bit mask over action codes (the Enum's physical values)."""
    mask = 0
    for name in names:
        mask |= 1 << _A[name]
    return mask


def table(keys: np.ndarray) -> np.ndarray:
    """An open-addressing table mapping keys[i] → i (the first i for a repeated key): rows of (key,
    i + 1), 0 in the second column for an empty slot, so a probe reads one 16-byte entry. Capacity: the
    power of two ≥ 2 × len(keys)."""
    size = 1 << max(4, int(2 * max(len(keys), 1) - 1).bit_length())
    entries = np.zeros((size, 2), dtype=np.uint64)
    _fill(np.ascontiguousarray(keys, dtype=np.uint64), entries)
    return entries


def key_filter(keys: np.ndarray) -> np.ndarray:
    """A one-hash Bloom filter of `keys` (uint64 words, ~16 bits a key, at least 4 KiB): most keys that
    are not in a table are told apart here, in a bit array small enough to stay in cache, without
    touching the table. Bits come from the key's high bits; the table's slots from its low bits."""
    bits = 1 << min(max(15, int(16 * max(len(keys), 1) - 1).bit_length()), 27)
    words = np.zeros(bits // 64, dtype=np.uint64)
    _set_bits(np.ascontiguousarray(keys, dtype=np.uint64), words)
    return words


@njit(cache=True, nogil=True)
def _set_bits(keys, words):  # pragma: no cover - compiled
    for key in keys:
        f = (key >> np.uint64(32)) & np.uint64(len(words) * 64 - 1)  # a power of two
        words[f >> np.uint64(6)] |= np.uint64(1) << (f & np.uint64(63))


@njit(cache=True, nogil=True, inline="always")
def _maybe(words, key):  # pragma: no cover - compiled
    f = (key >> np.uint64(32)) & np.uint64(len(words) * 64 - 1)
    return (words[f >> np.uint64(6)] >> (f & np.uint64(63))) & np.uint64(1) != 0


@njit(cache=True, nogil=True)
def _fill(keys, entries):  # pragma: no cover - compiled
    mask = np.uint64(len(entries) - 1)
    for i in range(len(keys)):
        key = keys[i]
        s = key & mask
        while entries[s, 1] != 0 and entries[s, 0] != key:
            s = (s + np.uint64(1)) & mask
        if entries[s, 1] == 0:
            entries[s, 0] = key
            entries[s, 1] = i + 1


@njit(cache=True, nogil=True, inline="always")
def _find(entries, key):  # pragma: no cover - compiled
    """The position of `key` in the keys the table was built from, or -1."""
    mask = np.uint64(len(entries) - 1)
    s = key & mask
    while True:
        if entries[s, 1] == 0:
            return -1
        if entries[s, 0] == key:
            return np.int64(entries[s, 1]) - 1
        s = (s + np.uint64(1)) & mask


@njit(cache=True, nogil=True)
def day_sums(  # pragma: no cover - compiled
    user_key,
    action,
    time,
    shift,
    hour,
    nbytes,
    count,
    object_key,
    destination_key,
    user_table,
    user_index,
    object_table,
    object_filter,
    object_bits,
    destination_table,
    destination_filter,
    destination_bits,
    job_table,
    weekend,
    start_hour,
    end_hour,
    file_actions,
    destination_actions,
    out,
    hit_index,
    hit_user,
    hit_object,
    hit_flags,
    hit_reason,
):
    """Add one day's events to `out` (users × SUMS, int64). The local hour is `hour[i]` or, when
    `hour` is empty (a zone without daylight saving), from `time` (µs since the epoch, UTC) + `shift`.
    Object classes apply to file_actions, destination classes to destination_actions (and job sites,
    `job_table`, to web visits). Lists the events that touch a registered
    carrier or may explain an alert (hit_*: the event's position, user, object, flags, reason); returns
    how many were listed. An unknown user key is skipped (cannot happen when the dictionary was written
    with the events)."""
    n_hit = 0
    for i in range(len(action)):
        uid = _find(user_table, user_key[i])
        if uid < 0:
            continue
        u = user_index[uid]
        a = np.int64(action[i])
        # unsigned: a division by a constant becomes a multiplication (times are after 1970)
        h = (
            np.int64(hour[i])
            if len(hour)
            else np.int64((np.uint64(time[i] + shift) // HOUR_US) % np.uint64(24))
        )
        off = weekend or h < start_hour or h >= end_hour
        if a == WEB_VISIT:
            # half of all events: only the hour and whether the site is a job site count, and the
            # job-site table is a handful of keys
            out[u, EVENTS] += 1
            if off:
                out[u, OFF] += 1
            if _find(job_table, destination_key[i]) >= 0:
                out[u, JOB_SITES] += 1
                hit_index[n_hit] = i
                hit_user[n_hit] = u
                hit_object[n_hit] = -1
                hit_flags[n_hit] = 0
                hit_reason[n_hit] = R_JOB_SITE
                n_hit += 1
            continue
        b = max(nbytes[i], 0)
        c = max(np.int64(count[i]), 0)
        ob = 0
        oid = -1
        if (file_actions >> a) & 1 and _maybe(object_filter, object_key[i]):
            oid = _find(object_table, object_key[i])
            if oid >= 0:
                ob = object_bits[oid]
        db = 0
        if (destination_actions >> a) & 1 and _maybe(destination_filter, destination_key[i]):
            did = _find(destination_table, destination_key[i])
            if did >= 0:
                db = destination_bits[did]
        reg = (ob & OBJ_REGISTERED) != 0
        upload = a == UPLOAD
        mail = a == EMAIL_SEND
        usb = a == USB_COPY
        rename = a == FILE_RENAME
        attachments = mail and c > 0
        cloud = (db & DEST_CLOUD) != 0
        webmail_dest = (db & DEST_WEBMAIL) != 0
        competitor = (db & DEST_COMPETITOR) != 0
        own = (db & DEST_OWN) != 0
        leaves = cloud or webmail_dest or competitor or (db & DEST_EXTERNAL) != 0
        cloud_up = upload and cloud and not own
        webmail = (attachments and (cloud or webmail_dest)) or (upload and webmail_dest and not cloud)
        to_competitor = (mail or upload) and competitor
        exfil = usb or ((upload or attachments) and leaves)

        out[u, EVENTS] += 1
        if off:
            out[u, OFF] += 1
            if reg or exfil or a == USB_CONNECT:
                out[u, OFF_SENSITIVE] += 1
        if reg:
            out[u, REG_EVENTS] += 1
        if usb:
            out[u, USB_COPIES] += 1
            if reg:
                out[u, USB_REG] += 1
        if cloud_up:
            out[u, CLOUD_UP] += 1
            out[u, CLOUD_BYTES] += b
        if upload and own and not leaves:
            out[u, CLOUD_OWN] += 1
        if webmail:
            out[u, WEBMAIL] += 1
        if to_competitor:
            out[u, COMPETITOR_MAILS] += 1
        if (attachments or upload) and leaves and not cloud_up and not webmail and not to_competitor:
            out[u, EXTERNAL] += 1
        if a == PRINT:
            out[u, PRINTS] += 1
            out[u, PRINT_PAGES] += max(c, 1)
        writes = a in (FILE_WRITE, FILE_COPY) or usb
        if ((ob & OBJ_ARCHIVE) != 0 and writes) or (rename and (db & DEST_ARCHIVE) != 0):
            out[u, ARCHIVES] += 1
        if rename and reg:
            out[u, REG_RENAMED] += 1
        if a in (DOWNLOAD, APP_EXPORT) and (db & DEST_CRM) != 0:
            out[u, CUSTOMER_RECORDS] += max(c, 1)
        if exfil:
            out[u, EXFIL_ITEMS] += c if attachments else 1
            out[u, EXFIL_BYTES] += b
            if reg:
                out[u, REG_EXFIL] += 1
        reason = 0
        if usb:
            reason = R_USB
        elif to_competitor:
            reason = R_COMPETITOR
        elif cloud_up:
            reason = R_CLOUD
        elif (upload or attachments) and webmail_dest:
            reason = R_WEBMAIL
        elif a in (DOWNLOAD, APP_EXPORT) and (db & DEST_CRM) != 0:
            reason = R_CUSTOMER_RECORDS
        elif writes and (ob & OBJ_ARCHIVE_LISTED) != 0:
            reason = R_ARCHIVE
        elif rename:
            reason = R_RENAME
        elif (attachments or upload) and leaves:
            reason = R_EXTERNAL
        elif a == PRINT:
            reason = R_PRINT
        if reason or reg:
            hit_index[n_hit] = i
            hit_user[n_hit] = u
            hit_object[n_hit] = oid
            hit_flags[n_hit] = (
                (FLAG_USB if usb else 0)
                | (FLAG_EXFIL if exfil else 0)
                | (FLAG_RENAME if rename else 0)
                | (FLAG_REGISTERED if reg else 0)
            )
            hit_reason[n_hit] = reason
            n_hit += 1
    return n_hit


@njit(cache=True, nogil=True)
def registered_pairs(user, obj, flags):  # pragma: no cover - compiled
    """Per distinct (user, object) among listed events with FLAG_REGISTERED, in order of first
    appearance: (users, objects, sums) where sums[:, 0] counts the events and sums[:, 1:] those with
    FLAG_USB, FLAG_EXFIL and FLAG_RENAME. One hash-table pass, no sort."""
    n = len(user)
    bits = 4
    while (1 << bits) < 2 * n:
        bits += 1
    slots = np.full(1 << bits, -1, dtype=np.int64)
    mask = np.uint64((1 << bits) - 1)
    pairs = np.empty(n, dtype=np.int64)
    sums = np.zeros((n, 4), dtype=np.int64)
    m = 0
    for i in range(n):
        f = flags[i]
        if (f & FLAG_REGISTERED) == 0:
            continue
        pair = (np.int64(user[i]) << 32) | np.int64(obj[i])
        # pairs are not hashes (unlike the look-up tables' keys): the slot is a multiplicative hash
        s = (np.uint64(pair) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(64 - bits)
        while slots[s] >= 0 and pairs[slots[s]] != pair:
            s = (s + np.uint64(1)) & mask
        row = slots[s]
        if row < 0:
            row = m
            slots[s] = m
            pairs[m] = pair
            m += 1
        sums[row, 0] += 1
        if f & FLAG_USB:
            sums[row, 1] += 1
        if f & FLAG_EXFIL:
            sums[row, 2] += 1
        if f & FLAG_RENAME:
            sums[row, 3] += 1
    users = (pairs[:m] >> 32).astype(np.int32)
    objects = (pairs[:m] & 0xFFFFFFFF).astype(np.int32)
    return users, objects, sums[:m].copy()
