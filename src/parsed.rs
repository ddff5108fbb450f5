//! Parsed GraphQL documents by query text. Frontends and dashboards send the
//! same few queries over and over; parsing one (a PEG parser) cost about a
//! tenth of the gateway's CPU for a `contact(id)` request. A document is
//! immutable and depends only on the text, so a remembered one is exactly
//! what parsing again would give; limits still run on every request.
//!
//! Validation (async-graphql's rules, ~5 % of a page's CPU) is a function of
//! the document, the operation name and the variables' values: a document
//! remembers the last operation and variables it passed validation with
//! ([`Parsed::validation`]). A request that repeats them exactly runs on the
//! schema that checks only what execution needs (`AppState::prevalidated`),
//! once; the result of those checks (complexity, depth, cache control) is
//! kept, and later repeats are given it by the [`RememberedValidation`]
//! extension instead of walking the document again (that walk, with its
//! registry lookups per field, was still ~6 % of a plain page's
//! instructions). A request with other variables is validated in full, and
//! becomes the one remembered when it passes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{ServerError, ValidationResult, Variables};

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
    validated: Mutex<Option<Passed>>,
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

    /// How a request with this operation name and these variables is to be
    /// validated: in full unless the document passed validation before with
    /// exactly these; then with the engine's checks of what execution needs
    /// only, once, and its result kept; then not at all, that result given.
    pub fn validation(&self, operation_name: Option<&str>, variables: &Variables) -> Validation {
        match &*self.last() {
            Some(p) if p.is(operation_name, variables) => match p.result {
                Some(result) => Validation::Skip(result),
                None => Validation::Keep(Default::default()),
            },
            _ => Validation::Full,
        }
    }

    /// Remembers that the document passed validation with these, and the
    /// result of a validation kept (`Validation::Keep`), if any.
    pub fn passed(
        &self,
        operation_name: Option<&str>,
        variables: &Variables,
        result: Option<ValidationResult>,
    ) {
        let mut last = self.last();
        match &mut *last {
            Some(p) if p.is(operation_name, variables) => p.result = p.result.or(result),
            _ => {
                *last = Some(Passed {
                    operation_name: operation_name.map(str::to_owned),
                    variables: variables.clone(),
                    result: None,
                })
            }
        }
    }

    fn last(&self) -> std::sync::MutexGuard<'_, Option<Passed>> {
        self.validated.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The request a document last passed validation with, and the result of
/// validating it (once known).
struct Passed {
    operation_name: Option<String>,
    variables: Variables,
    result: Option<ValidationResult>,
}

impl Passed {
    fn is(&self, operation_name: Option<&str>, variables: &Variables) -> bool {
        self.operation_name.as_deref() == operation_name && self.variables == *variables
    }
}

/// How a request is validated (in its data, for the [`RememberedValidation`]
/// extension of `AppState::prevalidated`).
#[derive(Debug, Default, Clone)]
pub enum Validation {
    /// In full (the schema with every rule).
    #[default]
    Full,
    /// With the engine's checks of what execution needs only, the result
    /// kept here to be remembered if the request succeeds.
    Keep(Arc<std::sync::OnceLock<ValidationResult>>),
    /// Not at all: the result of validating the same request before.
    Skip(ValidationResult),
}

/// The extension that gives a request's remembered validation result
/// instead of validating it again (`Validation::Skip`), and keeps the result
/// of a validation to remember (`Validation::Keep`). Validation is a
/// function of the document, the operation name and the variables' values
/// (and the schema), so the result given is the one validating would give.
pub struct RememberedValidation;

impl ExtensionFactory for RememberedValidation {
    fn create(&self) -> Arc<dyn Extension> {
        static ONE: std::sync::LazyLock<Arc<RememberedValidation>> =
            std::sync::LazyLock::new(|| Arc::new(RememberedValidation));
        ONE.clone()
    }
}

#[async_trait::async_trait]
impl Extension for RememberedValidation {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        match ctx.data_opt::<Validation>() {
            Some(Validation::Skip(result)) => Ok(*result),
            Some(Validation::Keep(slot)) => {
                let result = next.run(ctx).await?;
                let _ = slot.set(result);
                Ok(result)
            }
            Some(Validation::Full) | None => next.run(ctx).await,
        }
    }
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

    fn result(complexity: usize) -> ValidationResult {
        ValidationResult { cache_control: Default::default(), complexity, depth: 1 }
    }

    #[test]
    fn a_document_remembers_the_last_operation_and_variables_it_passed_with() {
        let cache = ParsedQueries::default();
        let p = cache.get("query Q($a: Int) { __typename }").unwrap();
        let vars = |v: serde_json::Value| Variables::from_json(v);
        let validation = |op, v| p.validation(op, &vars(v));
        let a1 = serde_json::json!({"a": 1});
        let a2 = serde_json::json!({"a": 2});
        assert!(matches!(validation(Some("Q"), a1.clone()), Validation::Full));
        // Passed in full: next time the engine's few checks, their result kept.
        p.passed(Some("Q"), &vars(a1.clone()), None);
        assert!(matches!(validation(Some("Q"), a1.clone()), Validation::Keep(_)));
        assert!(matches!(validation(Some("Q"), a2.clone()), Validation::Full));
        assert!(matches!(validation(None, a1.clone()), Validation::Full));
        // Passed with the result kept: from then on that result, unvalidated.
        p.passed(Some("Q"), &vars(a1.clone()), Some(result(7)));
        assert!(matches!(validation(Some("Q"), a1.clone()), Validation::Skip(r) if r.complexity == 7));
        p.passed(Some("Q"), &vars(a1.clone()), Some(result(8)));
        assert!(matches!(validation(Some("Q"), a1.clone()), Validation::Skip(r) if r.complexity == 7));
        assert!(matches!(validation(Some("Q"), a2.clone()), Validation::Full));
        // Other variables passing replace it, result and all.
        p.passed(Some("Q"), &vars(a2.clone()), Some(result(9)));
        assert!(matches!(validation(Some("Q"), a2.clone()), Validation::Keep(_)));
        assert!(matches!(validation(Some("Q"), a1.clone()), Validation::Full), "only the last is kept");
        // The same text is the same entry, with what it remembers.
        let again = cache.get("query Q($a: Int) { __typename }").unwrap();
        assert!(matches!(again.validation(Some("Q"), &vars(a2)), Validation::Keep(_)));
    }

    struct Query;

    #[async_graphql::Object]
    impl Query {
        async fn a(&self) -> i32 {
            1
        }
    }

    #[tokio::test]
    async fn a_remembered_validation_is_given_instead_of_validating_again() {
        use async_graphql::{EmptyMutation, EmptySubscription, Request, Schema, ValidationMode};
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .limit_complexity(2)
            .validation_mode(ValidationMode::Fast)
            .extension(RememberedValidation)
            .finish();
        let too_complex = "{ a b: a c: a }";
        let run = |query: &str, validation: Validation| schema.execute(Request::new(query).data(validation));
        for validation in [Validation::Full, Validation::Keep(Default::default())] {
            let r = run(too_complex, validation.clone()).await;
            assert_eq!(r.errors[0].message, "Query is too complex.", "{validation:?}");
            if let Validation::Keep(kept) = validation {
                assert!(kept.get().is_none(), "a validation that failed is not kept");
            }
        }
        let kept = Arc::new(std::sync::OnceLock::new());
        let r = run("{ a b: a }", Validation::Keep(kept.clone())).await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(kept.get().map(|r| r.complexity), Some(2));
        // Given a result, the rules do not run (here they would refuse it).
        let r = run(too_complex, Validation::Skip(*kept.get().unwrap())).await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.data.into_json().unwrap(), serde_json::json!({"a": 1, "b": 1, "c": 1}));
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
