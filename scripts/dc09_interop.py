"""DC-09 interoperability checks, run by scripts/dc09-interop (read it first).

Frames are built by my-dc09-spt (the transmitter), sent over TCP and UDP with its own transport
classes, and each answer is checked by my-dc09-spt's own `dc09answer`. The same frames are
parsed by pysiaalarm (a receiver) and its reading must agree with what the service stored.
Exits 1 with a message at the first disagreement.
"""

import argparse
import json
import sys
import urllib.request

from my_dc09_spt.comm.transpathtcp import TransPathTCP
from my_dc09_spt.comm.transpathudp import TransPathUDP
from my_dc09_spt.msg.dc03_msg import dc03_msg
from my_dc09_spt.msg.dc05_msg import dc05_msg
from my_dc09_spt.msg.dc09_msg import dc09_msg
from pysiaalarm import SIAAccount
from pysiaalarm.event import SIAEvent

failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def exchange(transport, host, port, frame):
    path = TransPathTCP(host, port) if transport == "tcp" else TransPathUDP(host, port)
    path.connect()
    answer = path.sendAndReceive(frame.encode("ascii"))
    path.disconnect()
    return answer.decode("ascii") if answer else None


def pysia_reads(frame, account, key_text):
    """pysiaalarm's reading of a frame (it takes the key as text and uses its bytes)."""
    accounts = {account: SIAAccount(account, key_text, allowed_timeband=None)}
    return SIAEvent.from_line(frame.strip("\n\r"), accounts)


def items(http, token):
    req = urllib.request.Request(http + "/api/v1/queue", headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as r:
        body = json.load(r)
    return [e.get("item", e) for e in body["items"]]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.add_argument("--http")
    p.add_argument("--token")
    p.add_argument("--key128")
    p.add_argument("--key256")
    a = p.parse_args()
    # The service holds the keys in hex; my-dc09-spt takes the bytes, pysiaalarm the text whose
    # UTF-8 bytes are the key. The script's keys are hex of ASCII text, so all three agree.
    keys = {"1002": bytes.fromhex(a.key128), "1003": bytes.fromhex(a.key256)}

    seq = {"1001": 0, "1002": 0, "1003": 0}

    def build(account, kind, payload, key=None, receiver=0x12, line=3):
        seq[account] += 1
        m = dc09_msg(account, key=key, receiver=receiver, line=line)
        return seq[account], m, m.dc09block(seq[account], kind, payload)

    plan = [
        # account, transport, message type, event params, expected pysiaalarm code
        ("1001", "tcp", "ADM-CID", {"code": "101", "q": "1", "zone": "003", "area": "01"}),
        ("1001", "udp", "SIA-DCS", {"code": "FA", "zone": "07", "area": "1"}),
        ("1002", "tcp", "ADM-CID", {"code": "151", "q": "1", "zone": "002", "area": "01"}),
        ("1002", "udp", "ADM-CID", {"code": "154", "q": "1", "zone": "004", "area": "01"}),
        ("1003", "tcp", "SIA-DCS", {"code": "MA", "zone": "05", "area": "1"}),
        ("1003", "udp", "ADM-CID", {"code": "111", "q": "1", "zone": "001", "area": "01"}),
    ]
    for account, transport, kind, params in plan:
        key = keys.get(account)
        if kind == "ADM-CID":
            payload = dc05_msg.dc05event(account, params)
        else:
            payload = dc03_msg.dc03event(account, params)
        n, m, frame = build(account, kind, payload, key)
        what = f"{account} {'AES-%d' % (len(key) * 8) if key else 'plain'} {kind} over {transport}"
        answer = exchange(transport, a.host, a.port, frame)
        check(answer is not None, f"{what}: answered")
        if answer is None:
            continue
        kind_answered, _ = m.dc09answer(n, answer)
        check(kind_answered == "ACK", f"{what}: my-dc09-spt reads the answer as {kind_answered}")
        ev = pysia_reads(frame, account, key.decode() if key else None)
        check(ev.account == account and ev.sequence == "%04d" % n, f"{what}: pysiaalarm reads account and sequence")
        check(ev.receiver == "R12" and ev.line == "L3", f"{what}: pysiaalarm reads receiver and line")
        if kind == "ADM-CID":
            check(ev.event_type == params["code"] and ev.event_qualifier == params["q"], f"{what}: pysiaalarm reads the Contact ID event")
        else:
            check(ev.code == params["code"], f"{what}: pysiaalarm reads the SIA code")
        # The same frame again (a retransmission): ACK, and no second item.
        again = exchange(transport, a.host, a.port, frame)
        check(again is not None and m.dc09answer(n, again)[0] == "ACK", f"{what}: a retransmission is ACKed")

    # NULL (link supervision) plain and encrypted, TCP and UDP.
    for account, transport in [("1001", "tcp"), ("1002", "udp"), ("1003", "tcp")]:
        n, m, frame = build(account, "NULL", "]", keys.get(account))
        answer = exchange(transport, a.host, a.port, frame)
        check(answer is not None and m.dc09answer(n, answer)[0] == "ACK", f"{account} NULL over {transport}: ACK")

    # A restore (qualifier 3) of the fire alarm of 1003's Contact ID 111: noted, no new item.
    n, m, frame = build("1003", "ADM-CID", dc05_msg.dc05event("1003", {"code": "111", "q": "3", "zone": "001", "area": "01"}), keys["1003"])
    answer = exchange("tcp", a.host, a.port, frame)
    check(answer is not None and m.dc09answer(n, answer)[0] == "ACK", "1003 restore: ACK")

    # A clock 10 minutes wrong: NAK with the receiver's time, which my-dc09-spt reads as offset.
    m = dc09_msg("1002", key=keys["1002"], receiver=0x12, line=3, offset=600)
    seq["1002"] += 1
    frame = m.dc09block(seq["1002"], "ADM-CID", dc05_msg.dc05event("1002", {"code": "101", "zone": "009"}))
    answer = exchange("tcp", a.host, a.port, frame)
    kind_answered, offset = m.dc09answer(seq["1002"], answer)
    check(kind_answered == "NAK" and offset is not None and abs(offset) < 5, f"stale timestamp: {kind_answered}, receiver time offset {offset}")
    # After correcting the clock (offset 0 again) the retransmission is accepted.
    m.set_offset(0)
    frame = m.dc09block(seq["1002"], "ADM-CID", dc05_msg.dc05event("1002", {"code": "101", "zone": "009"}))
    answer = exchange("tcp", a.host, a.port, frame)
    check(m.dc09answer(seq["1002"], answer)[0] == "ACK", "stale timestamp corrected: ACK")

    # A wrong key: NAK.
    m = dc09_msg("1003", key=bytes(32), receiver=0x12, line=3)
    frame = m.dc09block(77, "ADM-CID", dc05_msg.dc05event("1003", {"code": "101"}))
    answer = exchange("udp", a.host, a.port, frame)
    check(answer is not None and m.dc09answer(77, answer)[0] == "NAK", "wrong key: NAK")

    # An unknown account, plain: ACK, and an item for the supervisor.
    m = dc09_msg("ABCDEF")
    frame = m.dc09block(5, "ADM-CID", dc05_msg.dc05event("ABCDEF", {"code": "100", "zone": "001"}))
    answer = exchange("tcp", a.host, a.port, frame)
    check(answer is not None and m.dc09answer(5, answer)[0] == "ACK", "unknown account (plain): ACK after an item")

    # A bad CRC: NAK.
    m = dc09_msg("1001", receiver=0x12, line=3)
    frame = m.dc09block(99, "NULL", "]")
    bad = frame[0] + ("0000" if frame[1:5] != "0000" else "1111") + frame[5:]
    answer = exchange("tcp", a.host, a.port, bad)
    check(answer is not None and m.dc09answer(99, answer)[0] == "NAK", "bad CRC: NAK")

    # What was stored: one item per alarm, no item for NULL, restore or repeats.
    # Nothing to wait for: every ACK above went out after the commit.
    queue = items(a.http, a.token)
    dc09 = [i for i in queue if i.get("details", {}).get("receiver") == "dc09"]
    by_device = {}
    for i in dc09:
        by_device.setdefault(i["details"]["device_id"], []).append(i)
    expected = {
        "TA-DEMO-001": ["button", "smoke"],
        "TA-DEMO-002": ["button", "flood", "gas"],
        "TA-DEMO-003": ["button", "smoke"],
        "dc09-ABCDEF": ["button"],
    }
    for device, types in expected.items():
        got = sorted(i["details"]["alarm_type"] for i in by_device.get(device, []))
        check(got == sorted(types), f"items of {device}: {got} (expected {sorted(types)})")
    smoke3 = [i for i in by_device.get("TA-DEMO-003", []) if i["details"]["alarm_type"] == "smoke"]
    check(any("Revenire" in n.get("text", "") for i in smoke3 for n in i.get("notes", [])), "the restore is a note on the open smoke alarm of TA-DEMO-003")

    print(f"dc09-interop: {len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
