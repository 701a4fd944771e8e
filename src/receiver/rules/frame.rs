//! The SIA DC-09 frame ("SIA IP" transport), pure: parse a received frame, decrypt its body,
//! and build the receiver's answers. No I/O.
//!
//! # The frame, as this module reads ANSI/SIA DC-09-2013 (kept in DC-09-2021)
//! A message travels as `LF crc 0LLL "id" seq [Rrcvr] Lpref #acct [ data ] [x…] _timestamp CR`:
//! - `LF` (0x0A) opens and `CR` (0x0D) closes the frame.
//! - `crc` is 4 hexadecimal digits: the CRC-16 of the standard (the "ARC" variant: reflected
//!   polynomial 0xA001, initial value 0) over every character from the opening quote of the ID
//!   token to the end of the timestamp, i.e. everything between the length and the `CR`.
//! - `0LLL` is the length of that same part in 4 hexadecimal digits (the standard writes a `0`
//!   and three digits; transmitters that print all four agree below 4096 characters).
//! - The ID token in double quotes names the payload: `SIA-DCS` (SIA DC-03 events), `ADM-CID`
//!   (Contact ID, SIA DC-05), `NULL` (link supervision, no event). A `*` right after the opening
//!   quote marks the body as encrypted. Receivers answer `ACK`, `NAK`, `DUH` (and `RSP`).
//! - `seq` is 4 decimal digits, 0001–9999, advanced per new message; a retransmission repeats
//!   it. The receiver's answer repeats it (a `NAK` carries 0000).
//! - `R` + 1–6 hex digits is the optional receiver number, `L` + 1–6 hex digits the line
//!   prefix; answers echo them.
//! - `#` + 3–16 hex digits is the account of the transmitter.
//! - `[data]` is the event: for Contact ID `#acct|QEEE GG ZZZ`, for SIA `#acct|Nri1/BA01`; for
//!   `NULL` it is empty. Optional extended blocks `[X…]`, `[Y…]`, `[H…]`… may follow.
//! - `_HH:MM:SS,MM-DD-YYYY` is the time of sending, in UTC. Required on encrypted messages,
//!   optional on plain ones. A receiver refuses a message whose time is outside its window
//!   with a `NAK` that carries the receiver's own time, so the transmitter can correct its clock.
//! - Encrypted: everything after the opening `[` of the data (data, extended blocks and the
//!   timestamp) is encrypted with AES (128, 192 or 256-bit key) in CBC mode with an all-zero IV
//!   and sent as uppercase hexadecimal. Before encryption the plaintext is prefixed with pad
//!   characters (any but `[`, `]`, `|`) and a `|` so that its length is a multiple of 16. An
//!   answer to an encrypted message is encrypted the same way, with the receiver's timestamp.
//! - `NAK` has the fixed form `"NAK"0000R0L0A0[]_timestamp`; `DUH` ("unable to handle")
//!   repeats the message's sequence, prefixes and account with an empty data block.

use aes::cipher::{block_padding::NoPadding, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use chrono::{DateTime, NaiveDateTime, Utc};

/// The largest frame this receiver reads (the length field holds at most 0xFFFF; real frames
/// are a few hundred bytes).
pub(crate) const MAX_FRAME: usize = 4096;

/// Why a frame is refused; each is a `NAK` (counted by reason) or a `DUH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Not an `LF … CR` frame, or its header is not hexadecimal.
    Garbage,
    /// The length field does not match what came.
    Length,
    Crc,
    /// The frame is well delimited but its fields are not as the standard writes them.
    Format,
    /// Encrypted with a key other than the account's (the plaintext makes no sense).
    Decrypt,
    /// The timestamp is outside the window.
    Timestamp,
    /// A timestamp is required (encrypted message) but missing.
    MissingTimestamp,
}

impl Refusal {
    /// The label of the `NAK`/`DUH` counter.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refusal::Garbage => "garbage",
            Refusal::Length => "length",
            Refusal::Crc => "crc",
            Refusal::Format => "format",
            Refusal::Decrypt => "decrypt",
            Refusal::Timestamp => "timestamp",
            Refusal::MissingTimestamp => "missing_timestamp",
        }
    }
}

/// A frame whose envelope is valid (length and CRC checked); the body may still be encrypted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Frame {
    /// The ID token without quotes and without the `*` (`SIA-DCS`, `ADM-CID`, `NULL`, …).
    pub id: String,
    pub encrypted: bool,
    /// The 4 digits as sent.
    pub seq: String,
    /// The receiver number as sent (hex digits, without `R`).
    pub receiver: Option<String>,
    /// The line prefix as sent (hex digits, without `L`).
    pub line: Option<String>,
    /// The account (hex digits, without `#`).
    pub account: String,
    /// What follows the opening `[` of the data: plaintext, or the ciphertext in hex.
    pub body: String,
}

/// The readable body of a message: its data block, extended blocks and timestamp.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Body {
    /// Between `[` and the first `]` (the `pad|` of an encrypted body removed).
    pub data: String,
    /// The extended blocks' contents (`X21.22`, `H…`), in order.
    pub extended: Vec<String>,
    pub timestamp: Option<DateTime<Utc>>,
}

/// The CRC-16 of DC-09 (ARC: reflected polynomial 0xA001, initial value 0, no final xor).
pub(crate) fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0;
    for &b in data {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xA001
            } else {
                crc >> 1
            };
        }
    }
    crc
}

fn hex_field(s: &[u8]) -> Option<u16> {
    if s.len() != 4 || !s.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok()
}

/// Reads one frame (`LF` through `CR` inclusive).
pub(crate) fn parse(frame: &[u8]) -> Result<Frame, Refusal> {
    if frame.len() < 10 || frame[0] != b'\n' || frame[frame.len() - 1] != b'\r' {
        return Err(Refusal::Garbage);
    }
    let crc = hex_field(&frame[1..5]).ok_or(Refusal::Garbage)?;
    let len = hex_field(&frame[5..9]).ok_or(Refusal::Garbage)?;
    let content = &frame[9..frame.len() - 1];
    if usize::from(len) != content.len() {
        return Err(Refusal::Length);
    }
    if crc16(content) != crc {
        return Err(Refusal::Crc);
    }
    let text = std::str::from_utf8(content).map_err(|_| Refusal::Format)?;
    if !text.is_ascii() {
        return Err(Refusal::Format);
    }
    fields(text).ok_or(Refusal::Format)
}

/// Splits off a prefix letter and 1–`max` hex digits.
fn prefixed(s: &str, letter: char, min: usize, max: usize) -> Option<(Option<&str>, &str)> {
    let Some(rest) = s.strip_prefix(letter) else {
        return Some((None, s));
    };
    let n = rest
        .bytes()
        .take_while(u8::is_ascii_hexdigit)
        .count()
        .min(max);
    if n < min {
        return None;
    }
    Some((Some(&rest[..n]), &rest[n..]))
}

fn fields(text: &str) -> Option<Frame> {
    let rest = text.strip_prefix('"')?;
    let close = rest.find('"')?;
    let (token, rest) = (&rest[..close], &rest[close + 1..]);
    let (encrypted, id) = match token.strip_prefix('*') {
        Some(id) => (true, id),
        None => (false, token),
    };
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    if rest.len() < 4 || !rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (seq, rest) = rest.split_at(4);
    let (receiver, rest) = prefixed(rest, 'R', 1, 6)?;
    let (line, rest) = prefixed(rest, 'L', 1, 6)?;
    let (account, rest) = prefixed(rest, '#', 3, 16)?;
    let body = rest.strip_prefix('[')?;
    Some(Frame {
        id: id.to_owned(),
        encrypted,
        seq: seq.to_owned(),
        receiver: receiver.map(str::to_owned),
        line: line.map(str::to_owned),
        account: account?.to_owned(),
        body: body.to_owned(),
    })
}

/// The AES key of an account: 16, 24 or 32 bytes (AES-128, -192, -256).
#[derive(Clone)]
pub(crate) struct Key(Vec<u8>);

impl Key {
    /// From hexadecimal (32, 48 or 64 digits).
    pub(crate) fn from_hex(hex: &str) -> Result<Self, String> {
        let bytes = hex::decode(hex.trim()).map_err(|_| "not hexadecimal".to_owned())?;
        match bytes.len() {
            16 | 24 | 32 => Ok(Key(bytes)),
            n => Err(format!("{} hex digits; an AES key has 32, 48 or 64", n * 2)),
        }
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key(AES-{}, redacted)", self.0.len() * 8)
    }
}

const ZERO_IV: [u8; 16] = [0; 16];

fn decrypt_bytes(key: &Key, data: &mut [u8]) -> Option<()> {
    macro_rules! run {
        ($aes:ty) => {
            cbc::Decryptor::<$aes>::new_from_slices(&key.0, &ZERO_IV)
                .ok()?
                .decrypt_padded_mut::<NoPadding>(data)
                .ok()
                .map(|_| ())
        };
    }
    match key.0.len() {
        16 => run!(aes::Aes128),
        24 => run!(aes::Aes192),
        _ => run!(aes::Aes256),
    }
}

fn encrypt_bytes(key: &Key, data: &mut [u8]) {
    let len = data.len();
    macro_rules! run {
        ($aes:ty) => {
            cbc::Encryptor::<$aes>::new_from_slices(&key.0, &ZERO_IV)
                .expect("key length checked when the key was made")
                .encrypt_padded_mut::<NoPadding>(data, len)
                .expect("the plaintext is padded to whole blocks")
        };
    }
    match key.0.len() {
        16 => run!(aes::Aes128),
        24 => run!(aes::Aes192),
        _ => run!(aes::Aes256),
    };
}

/// The plaintext of an encrypted body (hex ciphertext), without its `pad|`.
pub(crate) fn decrypt(key: &Key, hex_body: &str) -> Result<String, Refusal> {
    let mut bytes = hex::decode(hex_body).map_err(|_| Refusal::Format)?;
    if bytes.is_empty() || bytes.len() % 16 != 0 {
        return Err(Refusal::Format);
    }
    decrypt_bytes(key, &mut bytes).ok_or(Refusal::Decrypt)?;
    // The pad may hold any byte but `[`, `]`, `|` (transmitters use control characters too);
    // after the `|` the text is printable ASCII. A wrong key gives bytes that almost never
    // pass both (and the body must still parse, timestamp included).
    let bar = bytes
        .iter()
        .position(|&b| b == b'|')
        .ok_or(Refusal::Decrypt)?;
    if bytes[..bar]
        .iter()
        .any(|&b| b == b'[' || b == b']' || b >= 0x80)
        || !bytes[bar + 1..].iter().all(|b| (0x20..0x7f).contains(b))
    {
        return Err(Refusal::Decrypt);
    }
    String::from_utf8(bytes[bar + 1..].to_vec()).map_err(|_| Refusal::Decrypt)
}

/// Reads a plain body: `data]`, then `[ext]`s, then an optional `_timestamp`.
pub(crate) fn body(plain: &str) -> Result<Body, Refusal> {
    let close = plain.find(']').ok_or(Refusal::Format)?;
    let data = plain[..close].to_owned();
    if data.contains('[') {
        return Err(Refusal::Format);
    }
    let mut rest = &plain[close + 1..];
    let mut extended = Vec::new();
    while let Some(r) = rest.strip_prefix('[') {
        let end = r.find(']').ok_or(Refusal::Format)?;
        extended.push(r[..end].to_owned());
        rest = &r[end + 1..];
    }
    let timestamp = if rest.is_empty() {
        None
    } else {
        let ts = rest.strip_prefix('_').ok_or(Refusal::Format)?;
        Some(parse_timestamp(ts).ok_or(Refusal::Format)?)
    };
    Ok(Body {
        data,
        extended,
        timestamp,
    })
}

/// `HH:MM:SS,MM-DD-YYYY` (UTC).
pub(crate) fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    if s.len() != 19 {
        return None;
    }
    NaiveDateTime::parse_from_str(s, "%H:%M:%S,%m-%d-%Y")
        .ok()
        .map(|t| t.and_utc())
}

pub(crate) fn format_timestamp(t: DateTime<Utc>) -> String {
    t.format("_%H:%M:%S,%m-%d-%Y").to_string()
}

/// Whether `t` is within `window_s` seconds of `now`, either way.
pub(crate) fn in_window(t: DateTime<Utc>, now: DateTime<Utc>, window_s: i64) -> bool {
    (t - now).num_seconds().abs() <= window_s
}

/// Wraps `content` (from the quote of the ID token to the end) as a frame.
pub(crate) fn wrap(content: &str) -> Vec<u8> {
    format!(
        "\n{:04X}{:04X}{content}\r",
        crc16(content.as_bytes()),
        content.len()
    )
    .into_bytes()
}

fn prefixes(f: &Frame) -> String {
    let mut s = String::new();
    if let Some(r) = &f.receiver {
        s.push('R');
        s.push_str(r);
    }
    s.push('L');
    s.push_str(f.line.as_deref().unwrap_or("0"));
    s
}

/// Pads `text` in front to whole AES blocks (`pad|text`), encrypts it, and gives the hex.
/// The pad is ASCII, never a bracket or a bar; `pad_byte(i)` chooses each character.
pub(crate) fn encrypt(key: &Key, text: &str, pad_byte: impl Fn(usize) -> u8) -> String {
    // One `|` and at least one pad character, to whole blocks.
    let need = 16 - (text.len() + 1) % 16;
    let mut plain: Vec<u8> = (0..need)
        .map(|i| match pad_byte(i) {
            b'[' | b']' | b'|' => b'0',
            b if b < 0x80 => b,
            _ => b'0',
        })
        .collect();
    plain.push(b'|');
    plain.extend_from_slice(text.as_bytes());
    encrypt_bytes(key, &mut plain);
    hex::encode_upper(plain)
}

/// The answer kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    Ack,
    Duh,
}

/// `ACK` or `DUH` to `f`, encrypted with `key` when the message was (an `ACK` to an encrypted
/// message carries the receiver's time inside the encryption).
pub(crate) fn answer(
    kind: Answer,
    f: &Frame,
    key: Option<&Key>,
    now: DateTime<Utc>,
    pad_byte: impl Fn(usize) -> u8,
) -> Vec<u8> {
    let word = match kind {
        Answer::Ack => "ACK",
        Answer::Duh => "DUH",
    };
    let head = format!("{}{}#{}[", f.seq, prefixes(f), f.account);
    match (f.encrypted, key, kind) {
        (true, Some(key), Answer::Ack) => {
            let hex = encrypt(key, &format!("]{}", format_timestamp(now)), pad_byte);
            wrap(&format!("\"*{word}\"{head}{hex}"))
        }
        _ => wrap(&format!("\"{word}\"{head}]")),
    }
}

/// The `NAK`: fixed sequence, prefixes and account, with the receiver's time.
pub(crate) fn nak(now: DateTime<Utc>) -> Vec<u8> {
    wrap(&format!("\"NAK\"0000R0L0A0[]{}", format_timestamp(now)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_crc_is_arc() {
        // The CRC-16/ARC check value.
        assert_eq!(crc16(b"123456789"), 0xBB3D);
    }

    #[test]
    fn a_contact_id_frame_reads_with_all_its_fields() {
        let content = "\"ADM-CID\"0007R1L2#1234[#1234|1101 01 003]_14:12:04,12-05-2026";
        let f = parse(&wrap(content)).unwrap();
        assert_eq!(f.id, "ADM-CID");
        assert!(!f.encrypted);
        assert_eq!(f.seq, "0007");
        assert_eq!(f.receiver.as_deref(), Some("1"));
        assert_eq!(f.line.as_deref(), Some("2"));
        assert_eq!(f.account, "1234");
        let b = body(&f.body).unwrap();
        assert_eq!(b.data, "#1234|1101 01 003");
        assert_eq!(
            b.timestamp,
            Some(Utc.with_ymd_and_hms(2026, 12, 5, 14, 12, 4).unwrap())
        );
    }

    #[test]
    fn a_bad_crc_a_wrong_length_and_garbage_are_told_apart() {
        let mut f = wrap("\"NULL\"0001L0#1234[]");
        let ok = f.clone();
        assert!(parse(&ok).is_ok());
        f[1] = if f[1] == b'0' { b'1' } else { b'0' };
        assert_eq!(parse(&f), Err(Refusal::Crc));
        let mut l = ok.clone();
        l.insert(12, b'X');
        assert_eq!(parse(&l), Err(Refusal::Length));
        assert_eq!(parse(b"hello"), Err(Refusal::Garbage));
        assert_eq!(parse(b"\nZZZZ0000\"NULL\"\r"), Err(Refusal::Garbage));
        assert_eq!(parse(&wrap("\"NULL\"12L0#1234[]")), Err(Refusal::Format));
        assert_eq!(parse(&wrap("\"NULL\"0001L0#12[]")), Err(Refusal::Format));
    }

    #[test]
    fn encryption_round_trips_for_each_key_size_and_a_wrong_key_is_told() {
        for len in [16usize, 24, 32] {
            let key = Key::from_hex(&"a1".repeat(len)).unwrap();
            let text = "#1234|1101 01 003]_14:12:04,12-05-2026";
            let hex = encrypt(&key, text, |i| b'A' + (i % 20) as u8);
            assert_eq!(decrypt(&key, &hex).unwrap(), text);
            // A pad of control characters, as my-dc09-spt writes (chr 20..125).
            let hex = encrypt(&key, text, |_| 0x14);
            assert_eq!(hex.len() % 32, 0);
            assert_eq!(decrypt(&key, &hex).unwrap(), text);
            let wrong = Key::from_hex(&"b2".repeat(len)).unwrap();
            assert_eq!(decrypt(&wrong, &hex), Err(Refusal::Decrypt));
        }
        assert!(Key::from_hex("abcd").is_err());
        assert!(!format!("{:?}", Key::from_hex(&"a1".repeat(16)).unwrap()).contains("a1"));
    }

    #[test]
    fn answers_echo_sequence_prefixes_and_account() {
        let f = parse(&wrap("\"ADM-CID\"0042R5L9#ABC12[#ABC12|1101 01 003]")).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 1, 2, 3).unwrap();
        let ack = answer(Answer::Ack, &f, None, now, |_| b'x');
        let a = parse(&ack).unwrap();
        assert_eq!((a.id.as_str(), a.seq.as_str()), ("ACK", "0042"));
        assert_eq!(a.account, "ABC12");
        let nak = String::from_utf8(nak(now)).unwrap();
        assert!(nak.ends_with("\"NAK\"0000R0L0A0[]_01:02:03,12-05-2026\r"));
        let key = Key::from_hex(&"0f".repeat(16)).unwrap();
        let mut enc = f.clone();
        enc.encrypted = true;
        let a = parse(&answer(Answer::Ack, &enc, Some(&key), now, |_| b'x')).unwrap();
        assert!(a.encrypted);
        let b = body(&decrypt(&key, &a.body).unwrap()).unwrap();
        assert_eq!(b.timestamp, Some(now));
    }
}
