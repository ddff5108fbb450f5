//! Response objects built with their keys hashed once per request.
//!
//! An object of the response is an `IndexMap` whose hasher is a
//! `RandomState`; inserting a key hashes it (SipHash), and a page of 50
//! contacts with 20 fields hashed the same 20 names 50 times: 8 % of a
//! page's instructions. The maps built here share one process-wide
//! `RandomState` instead of a fresh one each, so a selection's key hashes
//! are computed once per request ([`Keys::hashes`], where an object of the
//! selection is first built as a map) and given to every object built for
//! it. Every later lookup (the response's reordering, the engine's merging)
//! hashes with the map's own hasher, the shared one, and finds the same
//! entries. An object written as JSON by its resolver takes each key's
//! `"key":` from the same memo ([`SelectionKeys`]) and needs no hash.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::{Arc, LazyLock, Mutex, OnceLock};

use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::RawEntryApiV1;
use async_graphql::indexmap::map::raw_entry_v1::RawEntryMut;
use async_graphql::parser::types::SelectionSet;
use async_graphql::{Name, Positioned, Value};

/// The hasher every object built here shares (random per process).
static SHARED: LazyLock<RandomState> = LazyLock::new(RandomState::new);

/// An empty response object with the shared hasher.
pub fn object(capacity: usize) -> IndexMap<Name, Value> {
    IndexMap::with_capacity_and_hasher(capacity, SHARED.clone())
}

/// A key's hash under the shared hasher.
pub fn hash(key: &Name) -> u64 {
    SHARED.hash_one(key)
}

/// What is computed once per selection set for the request (keyed by the
/// selection set's address, which is stable while the request's document
/// lives: the request holds it): its response keys' hashes, and each key
/// as written before its value in JSON.
#[derive(Default)]
pub struct SelectionKeys(Mutex<Vec<(usize, Arc<Keys>)>>);

/// The response keys of one selection set, in order.
pub struct Keys {
    /// Each key's hash under the shared hasher, hashed where an object of
    /// the selection is first built as a map ([`Keys::hashes`]); an object
    /// written as JSON needs none.
    hashes: OnceLock<Box<[u64]>>,
    /// `"key":` of every key, one after another.
    json: Vec<u8>,
    /// Where each key's `"key":` ends in `json`.
    ends: Box<[usize]>,
    /// Each key as `,"key":` zero-padded to [`SLOT`] bytes, with its length,
    /// where it fits: appended as a fixed-size block and cut to its length,
    /// it is copied by a few moves instead of a `memcpy` call (a page writes
    /// a key for every field of every contact).
    slots: Box<[Option<Slot>]>,
}

/// The size of a key's slot: `,"key":` of a key of up to 28 bytes.
const SLOT: usize = 32;

/// A key's `,"key":` zero-padded, and its length.
type Slot = ([u8; SLOT], usize);

impl Keys {
    /// The JSON of `keys` (their hashes are made on first use:
    /// [`Keys::hashes`]).
    pub fn of<'a>(keys: impl Iterator<Item = &'a Name>) -> Self {
        let n = keys.size_hint().0;
        let (mut json, mut ends, mut slots) =
            (Vec::with_capacity(16 * n), Vec::with_capacity(n), Vec::with_capacity(n));
        for key in keys {
            let start = json.len();
            crate::response_json::write_key(&mut json, key);
            ends.push(json.len());
            let written = &json[start..];
            slots.push((written.len() < SLOT).then(|| {
                let mut slot = [0; SLOT];
                slot[0] = b',';
                slot[1..=written.len()].copy_from_slice(written);
                (slot, written.len() + 1)
            }));
        }
        Self { hashes: OnceLock::new(), json, ends: ends.into(), slots: slots.into() }
    }

    /// Each key's hash under the shared hasher; `keys` are the same keys
    /// as made these, in order (hashed on the first call only).
    pub fn hashes<'a>(&self, keys: impl Iterator<Item = &'a Name>) -> &[u64] {
        self.hashes.get_or_init(|| keys.map(hash).collect())
    }

    /// `"key":` of the `i`th key.
    pub fn json(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.json[start..self.ends[i]]
    }

    /// Appends `"key":` of the `i`th key to `out`, after a comma if `comma`.
    #[inline(always)]
    pub fn put(&self, i: usize, out: &mut Vec<u8>, comma: bool) {
        let at = out.len();
        match self.slots.get(i) {
            Some(Some((slot, len))) if comma => {
                out.extend_from_slice(slot);
                out.truncate(at + len);
            }
            Some(Some((slot, len))) => {
                out.extend_from_slice(&slot[1..]);
                out.truncate(at + len - 1);
            }
            _ => {
                if comma {
                    out.push(b',');
                }
                out.extend_from_slice(self.json(i));
            }
        }
    }
}

impl SelectionKeys {
    /// The keys of `set`, whose response keys are `keys` in order.
    pub fn get<'a>(&self, set: &Positioned<SelectionSet>, keys: impl Iterator<Item = &'a Name>) -> Arc<Keys> {
        let at = set as *const _ as usize;
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, keys)) = known.iter().find(|(a, _)| *a == at) {
            return keys.clone();
        }
        let keys = Arc::new(Keys::of(keys));
        known.push((at, keys.clone()));
        keys
    }
}

/// Inserts `value` under `name` (whose shared hash is `hash`) into a map
/// made by [`object`]. A key already present merges as the engine merges a
/// field selected twice (`resolver_utils::container`): objects key by key,
/// lists item by item, otherwise the first value stays.
pub fn insert(target: &mut IndexMap<Name, Value>, name: &Name, hash: u64, value: Value) {
    match target.raw_entry_mut_v1().from_hash(hash, |k| k == name) {
        RawEntryMut::Vacant(slot) => {
            slot.insert_hashed_nocheck(hash, name.clone(), value);
        }
        RawEntryMut::Occupied(slot) => merge(slot.into_mut(), value),
    }
}

fn merge(slot: &mut Value, value: Value) {
    match (slot, value) {
        (Value::Object(into), Value::Object(from)) => {
            for (k, v) in from {
                match into.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        into.insert(k, v);
                    }
                }
            }
        }
        (Value::List(into), Value::List(from)) => {
            for (slot, v) in into.iter_mut().zip(from) {
                if let (Value::Object(_), Value::Object(_)) = (&*slot, &v) {
                    merge(slot, v);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_built_with_shared_hashes_are_found_by_any_lookup() {
        let mut map = object(4);
        let a = Name::new("a");
        let b = Name::new("b");
        insert(&mut map, &a, hash(&a), Value::from(1));
        insert(&mut map, &b, hash(&b), Value::from(2));
        // Looked up the ordinary way (the map's own hasher), by str too.
        assert_eq!(map.get("a"), Some(&Value::from(1)));
        assert_eq!(map.get(&b), Some(&Value::from(2)));
        assert_eq!(map.swap_remove("b"), Some(Value::from(2)));
        assert!(!map.contains_key("b"));
    }

    #[test]
    fn keys_are_written_once_each() {
        let names = [Name::new("a"), Name::new("bc"), Name::new("d\"e")];
        let keys = Keys::of(names.iter());
        let written: Vec<&[u8]> = (0..3).map(|i| keys.json(i)).collect();
        assert_eq!(written, [&br#""a":"#[..], br#""bc":"#, br#""d\"e":"#]);
        assert_eq!(keys.hashes(names.iter())[1], hash(&names[1]));
    }

    #[test]
    fn a_key_is_put_as_written_whatever_its_length() {
        // Around the slot's size: `,"key":` of 31, 32 and 33 bytes, and
        // longer; after other output, with and without the comma.
        let names: Vec<Name> =
            [1, 26, 27, 28, 29, 30, 60].iter().map(|&n| Name::new("k".repeat(n))).collect();
        let keys = Keys::of(names.iter());
        for (i, name) in names.iter().enumerate() {
            for comma in [false, true] {
                let mut out = b"{\"x\":1".to_vec();
                keys.put(i, &mut out, comma);
                let expected = format!("{{\"x\":1{}\"{}\":", if comma { "," } else { "" }, name.as_str());
                assert_eq!(String::from_utf8(out).unwrap(), expected);
            }
        }
    }

    #[test]
    fn a_key_inserted_twice_merges_like_the_engine() {
        let n = Name::new("n");
        let h = hash(&n);
        let mut map = object(1);
        insert(&mut map, &n, h, async_graphql::value!({"x": 1, "l": [{"p": 1}]}));
        insert(&mut map, &n, h, async_graphql::value!({"x": 2, "y": 3, "l": [{"q": 2}]}));
        insert(&mut map, &Name::new("s"), hash(&Name::new("s")), Value::from("first"));
        insert(&mut map, &Name::new("s"), hash(&Name::new("s")), Value::from("second"));
        assert_eq!(
            Value::Object(map),
            async_graphql::value!({"n": {"x": 1, "l": [{"p": 1, "q": 2}], "y": 3}, "s": "first"})
        );
    }
}
