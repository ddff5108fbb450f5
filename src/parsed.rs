//! Parsed GraphQL documents by query text. Frontends and dashboards send the
//! same few queries over and over; parsing one (a PEG parser) cost about a
//! tenth of the gateway's CPU for a `contact(id)` request. A document is
//! immutable and depends only on the text, so a remembered one is exactly
//! what parsing again would give; limits and validation still run on every
//! request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

/// Documents remembered; past it the cache starts afresh.
pub const CAPACITY: usize = 1_000;
/// Longest query text remembered (longer ones are parsed every time).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The remembered documents (at most `CAPACITY × MAX_QUERY_BYTES` of text).
#[derive(Default)]
pub struct ParsedQueries {
    inner: Mutex<HashMap<String, Arc<ExecutableDocument>>>,
}

impl ParsedQueries {
    /// The parsed document of `query`, from memory or parsed now; `None`
    /// when it does not parse (the schema reports the error).
    pub fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        if query.len() > MAX_QUERY_BYTES {
            return async_graphql::parser::parse_query(query).ok().map(Arc::new);
        }
        if let Some(doc) = self.inner.lock().ok()?.get(query) {
            return Some(doc.clone());
        }
        let doc = Arc::new(async_graphql::parser::parse_query(query).ok()?);
        if let Ok(mut inner) = self.inner.lock() {
            if inner.len() >= CAPACITY {
                inner.clear();
            }
            inner.insert(query.to_owned(), doc.clone());
        }
        Some(doc)
    }

    /// Documents remembered now.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.len()).unwrap_or(0)
    }

    /// Whether none is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_parsed_once_and_broken_or_huge_ones_are_not_kept() {
        let cache = ParsedQueries::default();
        let a = cache.get("{ viewer { workspaceId } }").unwrap();
        let b = cache.get("{ viewer { workspaceId } }").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(cache.get("{ viewer ").is_none());
        let huge = format!("{{ {} }}", "__typename ".repeat(MAX_QUERY_BYTES / 10));
        assert!(cache.get(&huge).is_some());
        assert_eq!(cache.len(), 1);
        for i in 0..CAPACITY + 5 {
            cache.get(&format!("{{ a{i}: __typename }}")).unwrap();
        }
        assert!(cache.len() <= CAPACITY);
    }
}
