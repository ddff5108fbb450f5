//! Parsed GraphQL documents by query text. Frontends and dashboards send the
//! same few queries over and over; parsing one (a PEG parser) cost about a
//! tenth of the gateway's CPU for a `contact(id)` request. A document is
//! immutable and depends only on the text, so a remembered one is exactly
//! what parsing again would give; limits still run on every request.
//!
//! Validation (async-graphql's rules, ~5 % of a page's CPU) is a function of
//! the document, the operation name and the variables' values: a document
//! remembers the last operation and variables it passed validation with
//! ([`Parsed::validated`]), and a request that repeats them exactly runs on
//! the schema that checks only what execution needs
//! (`AppState::prevalidated`). A request with other variables is validated
//! in full, and becomes the one remembered when it passes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::Variables;
use async_graphql::parser::types::{ExecutableDocument, OperationType};

/// Documents remembered; past it the cache starts afresh.
pub const CAPACITY: usize = 1_000;
/// Longest query text remembered (longer ones are parsed every time).
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The remembered documents (at most `CAPACITY × MAX_QUERY_BYTES` of text),
/// by their text hashed with foldhash (seeded per process; the map is
/// bounded): a text is hashed twice per request, and SipHash cost ~1 k
/// instructions each time for a page's.
#[derive(Default)]
pub struct ParsedQueries {
    inner: Mutex<HashMap<String, Arc<Parsed>, foldhash::fast::RandomState>>,
}

/// A parsed document and the last request it passed validation with.
pub struct Parsed {
    /// The document.
    pub doc: ExecutableDocument,
    validated: Mutex<Option<(Option<String>, Variables)>>,
    /// The facts of the operation asked for last, by its name.
    facts: Mutex<Option<(Option<String>, Arc<OperationFacts>)>>,
    /// Bytes of the last response to it: what the next one's buffer starts
    /// with, so that writing a page's ~20 KB does not grow it a dozen times.
    response_size: AtomicUsize,
    /// No selection set selects a response key twice
    /// ([`crate::response_order::selects_each_key_once`]).
    pub selects_each_key_once: bool,
}

/// What the request's checks learn of one operation of a document before it
/// runs (`http::execute_one`): a function of the document and the operation
/// name alone.
#[derive(Debug, Default)]
pub struct OperationFacts {
    /// The operation's name and type; none where the document has no such
    /// operation.
    pub operation: Option<(Option<String>, OperationType)>,
    /// Fields selected, fragments expanded.
    pub expanded: usize,
    /// Aliases in the document (the next two are not counted either where
    /// `expanded` is over its limit).
    pub aliases: usize,
    /// Root fields of the operation.
    pub roots: usize,
    /// How deep the operation nests.
    pub depth: usize,
}

impl Parsed {
    fn new(doc: ExecutableDocument) -> Self {
        let selects_each_key_once = crate::response_order::selects_each_key_once(&doc);
        Self {
            doc,
            validated: Mutex::new(None),
            facts: Mutex::new(None),
            response_size: AtomicUsize::new(0),
            selects_each_key_once,
        }
    }

    /// The facts of the operation `name`, worked out by `work` from the
    /// document where they are not those of the operation asked for last.
    pub fn operation_facts(
        &self,
        name: Option<&str>,
        work: impl FnOnce(&ExecutableDocument) -> OperationFacts,
    ) -> Arc<OperationFacts> {
        let mut last = self.facts.lock().unwrap_or_else(|e| e.into_inner());
        match &*last {
            Some((n, facts)) if n.as_deref() == name => facts.clone(),
            _ => {
                let facts = Arc::new(work(&self.doc));
                *last = Some((name.map(str::to_owned), facts.clone()));
                facts
            }
        }
    }

    /// Bytes of the last response to this document (0 before the first).
    pub fn response_size(&self) -> usize {
        self.response_size.load(Ordering::Relaxed)
    }

    /// Remembers the size of a response to this document (at most 1 MiB:
    /// a huge one is not what the next buffer should start at).
    pub fn remember_response_size(&self, bytes: usize) {
        self.response_size.store(bytes.min(1 << 20), Ordering::Relaxed);
    }

    /// Whether the document passed validation before with exactly this
    /// operation name and these variables.
    pub fn validated(&self, operation_name: Option<&str>, variables: &Variables) -> bool {
        same(&self.last(), operation_name, variables)
    }

    /// Remembers that the document passed validation with these.
    pub fn passed(&self, operation_name: Option<&str>, variables: &Variables) {
        let mut last = self.last();
        if !same(&last, operation_name, variables) {
            *last = Some((operation_name.map(str::to_owned), variables.clone()));
        }
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Option<(Option<String>, Variables)>> {
        self.validated.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn same(
    last: &Option<(Option<String>, Variables)>,
    operation_name: Option<&str>,
    variables: &Variables,
) -> bool {
    last.as_ref().is_some_and(|(op, vars)| op.as_deref() == operation_name && vars == variables)
}

impl ParsedQueries {
    /// The parsed document of `query`, from memory or parsed now; `None`
    /// when it does not parse (the schema reports the error).
    pub fn get(&self, query: &str) -> Option<Arc<Parsed>> {
        if query.len() > MAX_QUERY_BYTES {
            return async_graphql::parser::parse_query(query).ok().map(|d| Arc::new(Parsed::new(d)));
        }
        if let Some(doc) = self.inner.lock().ok()?.get(query) {
            return Some(doc.clone());
        }
        let doc = Arc::new(Parsed::new(async_graphql::parser::parse_query(query).ok()?));
        if let Ok(mut inner) = self.inner.lock() {
            if inner.len() >= CAPACITY {
                inner.clear();
            }
            inner.insert(query.to_owned(), doc.clone());
        }
        Some(doc)
    }

    /// Whether `query` is parsed and kept (a text that is not kept may still
    /// parse).
    pub fn contains(&self, query: &str) -> bool {
        self.inner.lock().is_ok_and(|inner| inner.contains_key(query))
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
    fn a_document_remembers_the_last_operation_and_variables_it_passed_with() {
        let cache = ParsedQueries::default();
        let p = cache.get("query Q($a: Int) { __typename }").unwrap();
        let vars = |v: serde_json::Value| Variables::from_json(v);
        assert!(!p.validated(Some("Q"), &vars(serde_json::json!({"a": 1}))));
        p.passed(Some("Q"), &vars(serde_json::json!({"a": 1})));
        assert!(p.validated(Some("Q"), &vars(serde_json::json!({"a": 1}))));
        assert!(!p.validated(Some("Q"), &vars(serde_json::json!({"a": 2}))));
        assert!(!p.validated(None, &vars(serde_json::json!({"a": 1}))));
        p.passed(Some("Q"), &vars(serde_json::json!({"a": 2})));
        assert!(p.validated(Some("Q"), &vars(serde_json::json!({"a": 2}))));
        assert!(!p.validated(Some("Q"), &vars(serde_json::json!({"a": 1}))), "only the last is kept");
        // The same text is the same entry, with what it remembers.
        assert!(
            cache
                .get("query Q($a: Int) { __typename }")
                .unwrap()
                .validated(Some("Q"), &vars(serde_json::json!({"a": 2})))
        );
    }

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
