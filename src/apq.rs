//! Automatic persisted queries (the Apollo APQ protocol): a client may send
//! only `extensions.persistedQuery.sha256Hash`; when the gateway does not
//! know the hash it answers `PersistedQueryNotFound` and the client sends the
//! query text with its hash once, which is checked and remembered.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use sha2::{Digest, Sha256};

/// Queries remembered (the oldest is forgotten first).
pub const CAPACITY: usize = 2_000;
/// Longest query remembered.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// The error message Apollo clients react to.
pub const NOT_FOUND: &str = "PersistedQueryNotFound";

/// What the APQ step decided for a request.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// No persisted-query extension: run the request as it is.
    NotPersisted,
    /// The query to run (from the request, checked, or from the cache).
    Query(String),
    /// The hash is unknown: the client must send the text.
    NotFound,
    /// The extension is malformed or the hash does not match the text.
    Invalid(&'static str),
}

/// The remembered queries.
#[derive(Default)]
pub struct PersistedQueries {
    inner: Mutex<(HashMap<String, String>, VecDeque<String>)>,
}

impl PersistedQueries {
    /// Applies the protocol to a request's `query` and `persistedQuery` extension.
    pub fn resolve(&self, query: &str, extension: Option<&serde_json::Value>) -> Outcome {
        let Some(ext) = extension else { return Outcome::NotPersisted };
        if ext.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
            return Outcome::Invalid("persistedQuery.version must be 1");
        }
        let Some(hash) = ext.get("sha256Hash").and_then(serde_json::Value::as_str) else {
            return Outcome::Invalid("persistedQuery.sha256Hash is missing");
        };
        let hash = hash.to_ascii_lowercase();
        if query.is_empty() {
            let inner = match self.inner.lock() {
                Ok(i) => i,
                Err(_) => return Outcome::NotFound,
            };
            return match inner.0.get(&hash) {
                Some(q) => Outcome::Query(q.clone()),
                None => Outcome::NotFound,
            };
        }
        if hex::encode(Sha256::digest(query.as_bytes())) != hash {
            return Outcome::Invalid("provided sha256Hash does not match the query");
        }
        if query.len() <= MAX_QUERY_BYTES
            && let Ok(mut inner) = self.inner.lock()
            && !inner.0.contains_key(&hash)
        {
            inner.0.insert(hash.clone(), query.to_owned());
            inner.1.push_back(hash);
            while inner.1.len() > CAPACITY {
                if let Some(old) = inner.1.pop_front() {
                    inner.0.remove(&old);
                }
            }
        }
        Outcome::Query(query.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_hash_is_unknown_until_its_text_was_sent_once() {
        let apq = PersistedQueries::default();
        let q = "{ viewer { role } }";
        let hash = hex::encode(Sha256::digest(q.as_bytes()));
        let ext = json!({"version": 1, "sha256Hash": hash});
        assert_eq!(apq.resolve("", Some(&ext)), Outcome::NotFound);
        assert_eq!(apq.resolve(q, Some(&ext)), Outcome::Query(q.to_owned()));
        assert_eq!(apq.resolve("", Some(&ext)), Outcome::Query(q.to_owned()));
        assert!(matches!(apq.resolve("{ other }", Some(&ext)), Outcome::Invalid(_)));
        assert!(matches!(apq.resolve("", Some(&json!({"version": 2}))), Outcome::Invalid(_)));
        assert_eq!(apq.resolve(q, None), Outcome::NotPersisted);
    }
}
