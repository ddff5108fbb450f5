//! JSON writing of the engine's values, byte for byte what `serde_json`
//! writes for them. A page's response is mostly short strings (its keys and
//! text cells): `serde_json` scans each one byte by byte for characters to
//! escape, which cost ~10 % of a page request's instructions (callgrind,
//! `bench/RESULTS.md`, session 14). Here a string is scanned eight bytes at a
//! time, and object keys, which the engine only makes from GraphQL names
//! (`[_A-Za-z][_0-9A-Za-z]*`), are still escaped the same way, so that any
//! key is written correctly.

use async_graphql::Value;

/// A JSON text written into one buffer, but for its long pieces already
/// written elsewhere (a page's list, the engine's `Value::Binary`): those
/// are kept where they go, not copied in, and the text goes out in parts.
#[derive(Debug, Default)]
pub struct Spliced {
    /// The text around the pieces.
    pub text: Vec<u8>,
    /// Each piece, with the length of `text` before it, in order.
    pieces: Vec<(usize, bytes::Bytes)>,
}

impl Spliced {
    /// The shortest piece kept apart; a shorter one is copied into `text`.
    pub const SHORTEST_PIECE: usize = 4096;

    /// Appends `value`'s JSON: a long written piece is kept apart, anything
    /// else written into `text` as [`write_value`] writes it.
    pub fn write_value(&mut self, value: &Value) {
        match value {
            Value::Binary(json) if json.len() >= Self::SHORTEST_PIECE => {
                self.pieces.push((self.text.len(), json.clone()))
            }
            v => write_value(&mut self.text, v),
        }
    }

    /// Drops whatever was written after the first `len` bytes of `text`.
    pub fn truncate(&mut self, len: usize) {
        self.text.truncate(len);
        // A piece at `len` came after the text kept (nothing is written at
        // the place where a truncation will go back to before a piece).
        self.pieces.retain(|(at, _)| *at < len);
    }

    /// The whole text's length in bytes.
    pub fn len(&self) -> usize {
        self.text.len() + self.pieces.iter().map(|(_, p)| p.len()).sum::<usize>()
    }

    /// Whether nothing is written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text's parts in order (empty ones left out).
    pub fn into_parts(self) -> Vec<bytes::Bytes> {
        let mut parts = Vec::with_capacity(2 * self.pieces.len() + 1);
        let text = bytes::Bytes::from(self.text);
        let mut from = 0;
        for (at, piece) in self.pieces {
            if at > from {
                parts.push(text.slice(from..at));
            }
            parts.push(piece);
            from = at;
        }
        if text.len() > from {
            parts.push(text.slice(from..));
        }
        parts
    }

    /// The text in one buffer.
    pub fn into_vec(self) -> Vec<u8> {
        if self.pieces.is_empty() {
            return self.text;
        }
        let mut out = Vec::with_capacity(self.len());
        for part in self.into_parts() {
            out.extend_from_slice(&part);
        }
        out
    }
}

impl From<Vec<u8>> for Spliced {
    fn from(text: Vec<u8>) -> Self {
        Self { text, pieces: Vec::new() }
    }
}

/// Appends `value` as JSON.
pub fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => write_serde(out, n),
        Value::String(s) => write_str(out, s),
        Value::Enum(name) => write_str(out, name),
        // The schema has no binary scalar: a binary value is an object the
        // resolver wrote as JSON already (`RequestContext::prewrite`).
        Value::Binary(json) => out.extend_from_slice(json),
        Value::List(items) => write_array(out, items, write_value),
        Value::Object(map) => write_object(out, map.iter().map(|(k, v)| (k.as_str(), v)), write_value),
    }
}

/// Appends a `serde_json` value as [`write_value`] writes it made into the
/// engine's value (`async_graphql::to_value`), without making it: a custom
/// field's value, once per contact of a page.
pub fn write_json(out: &mut Vec<u8>, value: &serde_json::Value) {
    use serde_json::Value as Json;
    match value {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(true) => out.extend_from_slice(b"true"),
        Json::Bool(false) => out.extend_from_slice(b"false"),
        Json::Number(n) => write_serde(out, n),
        Json::String(s) => write_str(out, s),
        Json::Array(items) => write_array(out, items, write_json),
        Json::Object(map) => write_object(out, map.iter().map(|(k, v)| (k.as_str(), v)), write_json),
    }
}

/// Appends a JSON object of `entries`, each value written by `write`.
fn write_object<'v, V: 'v>(
    out: &mut Vec<u8>,
    entries: impl Iterator<Item = (&'v str, &'v V)>,
    write: impl Fn(&mut Vec<u8>, &V),
) {
    out.push(b'{');
    for (i, (name, v)) in entries.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_key(out, name);
        write(out, v);
    }
    out.push(b'}');
}

/// Appends `"key":`.
pub fn write_key(out: &mut Vec<u8>, key: &str) {
    write_str(out, key);
    out.push(b':');
}

/// Appends anything serde can serialize, as `serde_json` writes it (numbers,
/// errors, extensions: the rare parts of a response).
pub fn write_serde<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing into a `Vec` cannot fail, and neither can serializing the
    // engine's values (their map keys are strings).
    if let Err(e) = serde_json::to_writer(&mut *out, value) {
        tracing::error!(error = %e, "a value could not be serialized");
        out.extend_from_slice(b"null");
    }
}

/// Appends `s` as a JSON string, escaped as `serde_json` escapes it.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    write_utf8(out, s.as_bytes());
}

/// Appends the text whose UTF-8 bytes are `text` as a JSON string, as
/// [`write_str`] writes it. The bytes are not checked: they are a `&str`'s,
/// or a text cell Postgres sent (`store::contacts::RowText`).
#[inline(always)]
pub fn write_utf8(out: &mut Vec<u8>, text: &[u8]) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    write_escaped_utf8(out, text);
    out.push(b'"');
}

/// Appends `s` escaped as inside a JSON string, without the quotes: a
/// string written in parts (a rendered template) is its parts escaped.
pub fn write_escaped(out: &mut Vec<u8>, s: &str) {
    write_escaped_utf8(out, s.as_bytes());
}

/// [`write_escaped`] of a text's UTF-8 bytes (not checked; see [`write_utf8`]).
/// Inlined where it is called: most texts need no escape and are one scan
/// and one copy, which a call's saving and restoring of registers made
/// ~10 % dearer.
#[inline(always)]
pub fn write_escaped_utf8(out: &mut Vec<u8>, bytes: &[u8]) {
    match next_escape(bytes, 0) {
        None => out.extend_from_slice(bytes),
        Some(at) => write_escaped_from(out, bytes, at),
    }
}

/// [`write_escaped_utf8`] of `bytes`, whose first byte to escape is at `at`.
#[inline(never)]
fn write_escaped_from(out: &mut Vec<u8>, bytes: &[u8], at: usize) {
    let (mut start, mut next) = (0, Some(at));
    while let Some(at) = next {
        out.extend_from_slice(&bytes[start..at]);
        write_escape(out, bytes[at]);
        start = at + 1;
        next = next_escape(bytes, start);
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends a JSON array of `items`' strings, as [`write_value`] writes a
/// list of strings.
pub fn write_strs(out: &mut Vec<u8>, items: &[impl AsRef<str>]) {
    write_array(out, items, |out, item| write_str(out, item.as_ref()));
}

/// Appends a JSON array of `items`, each written by `write`.
fn write_array<T>(out: &mut Vec<u8>, items: &[T], write: impl Fn(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// The index of the first byte at or after `from` that JSON must escape
/// (a control character, `"` or `\`).
#[inline(always)]
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let word =
        |at: usize| bytes.get(at..at + 8).map(|c| u64::from_ne_bytes(c.try_into().expect("eight bytes")));
    let first_in = |i: usize| bytes[i..].iter().position(|&b| needs_escape(b)).map(|p| i + p);
    let mut i = from;
    while let Some(w) = word(i) {
        if has_escape(w) {
            return first_in(i);
        }
        i += 8;
    }
    // Fewer than eight bytes left. Where the text has eight, its last eight
    // say whether any of them needs escaping (those before `i` are clean,
    // or the escape just written), without looking at them one by one.
    if i >= bytes.len() || bytes.len().checked_sub(8).and_then(word).is_some_and(|w| !has_escape(w)) {
        return None;
    }
    first_in(i)
}

/// Whether any byte of `w` needs escaping (exact as a yes or no, although
/// borrows may mark bytes after the first).
fn has_escape(w: u64) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    // A byte's high bit is set where it is zero / less than 0x20; the three
    // tests are combined before one comparison (no branch between them).
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w;
    let controls = w.wrapping_sub(ONES * 0x20) & !w;
    (controls | zeros(w ^ (ONES * u64::from(b'"'))) | zeros(w ^ (ONES * u64::from(b'\\')))) & HIGHS != 0
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

fn write_escape(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0c => out.extend_from_slice(b"\\f"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        b => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 0xf)],
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(v: &Value) -> String {
        let mut out = Vec::new();
        write_value(&mut out, v);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn every_character_class_is_written_as_serde_json_writes_it() {
        // Every byte value as a character, at every offset of an 8-byte
        // word, between runs long enough to take the word-at-a-time path.
        let mut cases: Vec<String> = (0u32..=0x80).filter_map(char::from_u32).map(String::from).collect();
        cases.extend(["é", "日本語", "😀", "\u{2028}", "\u{7f}", ""].map(String::from));
        for c in cases.clone() {
            for pad in 0..9 {
                let s = format!("{}{c}{}{c}{}", "a".repeat(pad), "b".repeat(9), "x".repeat(17 - pad));
                cases.push(s);
            }
        }
        cases.push("\"\\\n\t\r\u{8}\u{c}\u{1}\u{1f} \"quoted\" C:\\path\\x".repeat(3));
        for s in &cases {
            assert_eq!(written(&Value::String(s.clone())), serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn escapes_are_found_at_every_place_of_short_and_long_texts() {
        // One or two bytes to escape at every place of texts of 0 to 24
        // bytes: the word-at-a-time path, the text's last eight bytes and
        // the bytes one by one each find them.
        for len in 0..=24usize {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1}', '\u{1f}'] {
                    let mut s: Vec<char> = "abcdefghijklmnopqrstuvwxyz".chars().take(len).collect();
                    s[at] = c;
                    let one: String = s.iter().collect();
                    assert_eq!(
                        written(&Value::String(one.clone())),
                        serde_json::to_string(&one).unwrap(),
                        "{one:?}"
                    );
                    for second in at + 1..len {
                        s[second] = '"';
                        let two: String = s.iter().collect();
                        assert_eq!(
                            written(&Value::String(two.clone())),
                            serde_json::to_string(&two).unwrap()
                        );
                        s[second] = 'z';
                    }
                }
            }
        }
    }

    #[test]
    fn values_are_written_as_the_engines_serializer_writes_them() {
        let v = async_graphql::value!({
            "a": [1, -2, 3.5, 1e300, 0.1, null, true, false],
            "s": "x\"y",
            "o": {"nested": {"deep": []}, "empty": {}},
            "u": 18446744073709551615u64,
        });
        let mut map = match v {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        map.insert(async_graphql::Name::new("e"), Value::Enum(async_graphql::Name::new("HOT")));
        map.insert(async_graphql::Name::new("k\"ey"), Value::Null);
        let v = Value::Object(map);
        assert_eq!(written(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn a_serde_json_value_is_written_as_the_engines_value_made_of_it() {
        let values = serde_json::json!([
            null, true, false, 0, -7, 3.25, 1e300, 18446744073709551615u64, "", "x\"y\\z\n\u{1}é😀",
            [], {}, [1, [2, [3, {"a": null}]]],
            {"z": 1, "a": {"nested": ["deep", {"k\"ey": "v"}]}, "m": [true, false], "é": 0.5},
        ]);
        let serde_json::Value::Array(values) = values else { unreachable!() };
        for v in values.iter().chain([&serde_json::Value::Array(values.clone())]) {
            let mut out = Vec::new();
            write_json(&mut out, v);
            assert_eq!(String::from_utf8(out).unwrap(), written(&async_graphql::to_value(v).unwrap()), "{v}");
        }
    }

    #[test]
    fn a_binary_value_is_json_written_already() {
        let v = async_graphql::value!([1, {"a": 2}]);
        let Value::List(mut items) = v else { unreachable!() };
        items.push(Value::Binary(br#"{"id":"x","n":[1,2]}"#.to_vec().into()));
        assert_eq!(written(&Value::List(items)), r#"[1,{"a":2},{"id":"x","n":[1,2]}]"#);
    }
}
