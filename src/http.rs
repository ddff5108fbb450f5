//! HTTP: routes, the GraphQL-over-HTTP handler, limits, health.
//!
//! The handler follows the GraphQL-over-HTTP spec: `application/json` and
//! `application/graphql-response+json` answers chosen by `Accept`; malformed
//! requests are 400; under `graphql-response+json` a request that fails to
//! parse or validate is 400 without `data`; a mutation over GET is 405. A
//! missing or bad token is 401 with `UNAUTHENTICATED`.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{ExecutableDocument, OperationDefinition, OperationType};
use async_graphql::{BatchRequest, Name, Positioned, Request, Variables};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::AppState;
use crate::auth::Claims;
use crate::db::RequestDb;
use crate::error::{AppError, ErrorCode};
use crate::graphql::RequestContext;
use crate::observability::Outcome;
use crate::response_json::Spliced;

/// Largest request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Most operations in one batch.
pub const MAX_BATCH: usize = 10;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const APPLICATION_JSON: &str = "application/json";

/// The gateway's routes.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/graphql/ws", get(crate::ws::graphql_ws))
        .route("/graphiql/{file}", get(crate::graphiql::asset))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let mut resp = crate::observability::render(&state.db).into_response();
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    resp
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.db.ready().await {
        (StatusCode::OK, "ready").into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable or migrations pending").into_response()
    }
}

/// The media type of the answer, from `Accept`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MediaType {
    Json,
    GraphqlResponseJson,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
        }
    }

    /// `None` when `Accept` allows neither media type (406).
    fn negotiate(headers: &HeaderMap) -> Option<Self> {
        let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
            return Some(Self::Json);
        };
        let mut best: Option<(f32, Self)> = None;
        for part in accept.split(',') {
            let mut pieces = part.split(';');
            let mime = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .filter_map(|q| q.parse::<f32>().ok())
                .next()
                .unwrap_or(1.0);
            let media = match mime.as_str() {
                GRAPHQL_RESPONSE_JSON => Some(Self::GraphqlResponseJson),
                APPLICATION_JSON | "application/*" | "*/*" => Some(Self::Json),
                _ => None,
            };
            if let Some(m) = media
                && q > 0.0
                && best
                    .is_none_or(|(bq, bm)| q > bq || (q == bq && m == Self::GraphqlResponseJson && bm != m))
            {
                best = Some((q, m));
            }
        }
        best.map(|(_, m)| m)
    }
}

/// A GraphQL answer: status, media type and body (JSON text).
fn answer(status: StatusCode, media: MediaType, body: impl Into<Vec<u8>>) -> Response {
    answer_spliced(status, media, Spliced::from(body.into()))
}

/// A response whose body is `body`'s parts, sent one after another (the
/// long ones as they were written, see [`Spliced`]), with its length.
fn answer_spliced(status: StatusCode, media: MediaType, body: Spliced) -> Response {
    let len = body.len();
    let mut resp = (status, axum::body::Body::new(Parts(body.into_parts().into()))).into_response();
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media.as_str()));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A body of parts known in advance: each part is one frame, and the size
/// is exact (the response says its length, as a body of one buffer does).
struct Parts(std::collections::VecDeque<Bytes>);

impl http_body::Body for Parts {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(self.0.pop_front().map(|part| Ok(http_body::Frame::data(part))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.iter().map(|p| p.len() as u64).sum())
    }
}

/// A response holding only errors, with `extensions.code`.
fn error_answer(status: StatusCode, media: MediaType, code: ErrorCode, message: &str) -> Response {
    crate::observability::record_refusal(code.as_str());
    answer(status, media, error_body(code.as_str(), message))
}

/// `{"errors": [{"message", "extensions": {"code"}}]}`: a body holding one error.
fn error_body(code: &str, message: &str) -> Vec<u8> {
    json!({"errors": [{"message": message, "extensions": {"code": code}}]}).to_string().into_bytes()
}

fn bad_request(media: MediaType, message: &str) -> Response {
    error_answer(StatusCode::BAD_REQUEST, media, ErrorCode::BadUserInput, message)
}

async fn graphql_get(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    if crate::graphiql::wants_html(&headers) && !params.iter().any(|(k, _)| k == "query") {
        return crate::graphiql::page(&state);
    }
    let Some(media) = MediaType::negotiate(&headers) else {
        return (StatusCode::NOT_ACCEPTABLE, "accepts application/json or application/graphql-response+json")
            .into_response();
    };
    if params.iter().any(|(_, v)| v.contains('\0')) {
        return bad_request(media, NUL_MESSAGE);
    }
    let mut obj = serde_json::Map::new();
    for (k, v) in params {
        let value = match k.as_str() {
            // GET carries variables and extensions as JSON text.
            "variables" | "extensions" => match serde_json::from_str::<Value>(&v) {
                Ok(j) => j,
                Err(_) => return bad_request(media, &format!("`{k}` is not valid JSON")),
            },
            _ => Value::String(v),
        };
        obj.insert(k, value);
    }
    let request = match parse_request_object(Value::Object(obj), &state.parsed) {
        Ok(r) => r,
        Err(msg) => return bad_request(media, &msg),
    };
    Box::pin(execute(state, headers, media, BatchRequest::Single(request), true)).await
}

async fn graphql_post(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(media) = MediaType::negotiate(&headers) else {
        return (StatusCode::NOT_ACCEPTABLE, "accepts application/json or application/graphql-response+json")
            .into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase());
    let batch = match content_type.as_deref() {
        Some(APPLICATION_JSON) | Some(GRAPHQL_RESPONSE_JSON) => {
            if body.is_empty() {
                return bad_request(media, "the request body is empty");
            }
            if contains_nul(&body) {
                return bad_request(media, NUL_MESSAGE);
            }
            let value: Value = match serde_json::from_slice(&body) {
                Ok(v) => v,
                Err(_) => return bad_request(media, "the request body is not valid JSON"),
            };
            match value {
                Value::Array(items) => {
                    if items.is_empty() || items.len() > MAX_BATCH {
                        return bad_request(media, &format!("a batch holds 1 to {MAX_BATCH} operations"));
                    }
                    let mut requests = Vec::with_capacity(items.len());
                    for item in items {
                        match parse_request_object(item, &state.parsed) {
                            Ok(r) => requests.push(r),
                            Err(msg) => return bad_request(media, &msg),
                        }
                    }
                    BatchRequest::Batch(requests)
                }
                other => match parse_request_object(other, &state.parsed) {
                    Ok(r) => BatchRequest::Single(r),
                    Err(msg) => return bad_request(media, &msg),
                },
            }
        }
        Some("application/graphql") => match std::str::from_utf8(&body) {
            Ok(q) if too_nested(q, &state.parsed) => {
                return bad_request(
                    media,
                    &format!("the query text is nested more than {MAX_TEXT_NESTING} levels deep"),
                );
            }
            Ok(q) => BatchRequest::Single(Request::new(q)),
            Err(_) => return bad_request(media, "the request body is not UTF-8"),
        },
        _ => {
            return error_answer(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                media,
                ErrorCode::BadUserInput,
                "send the request as Content-Type: application/json",
            );
        }
    };
    // Boxed: the execution's future (~6 KB) would otherwise make this
    // handler's as large, and the router's layers move it whole several
    // times per request.
    Box::pin(execute(state, headers, media, batch, false)).await
}

/// Deepest JSON nesting accepted in `variables` (a filter at its deepest
/// legal nesting needs about 20): input coercion recurses per level.
pub const MAX_VARIABLE_DEPTH: usize = 40;

/// Deepest `{`/`[`/`(` nesting accepted in query text, checked before the
/// recursive-descent parser sees it.
pub const MAX_TEXT_NESTING: usize = 40;

/// Whether `query` is nested deeper than [`MAX_TEXT_NESTING`]. A text the
/// parse cache holds was parsed already, so it is not looked at again.
fn too_nested(query: &str, parsed: &crate::parsed::ParsedQueries) -> bool {
    !parsed.contains(query) && text_nesting(query) > MAX_TEXT_NESTING
}

/// The deepest nesting of brackets in GraphQL text, ignoring strings and comments.
fn text_nesting(query: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let bytes = query.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// The nesting depth of a JSON value.
fn json_depth(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(json_depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(json_depth).max().unwrap_or(0),
        _ => 0,
    }
}

const NUL_MESSAGE: &str = "NUL characters (\\u0000) are not allowed in a request";

/// Whether a JSON body holds a NUL character, raw or escaped: no column can
/// store one, so it is refused up front rather than failing in the database.
fn contains_nul(body: &[u8]) -> bool {
    if memchr::memchr(0, body).is_some() {
        return true;
    }
    // `\u0000` is an escape only when its backslash is not itself escaped.
    memchr::memchr_iter(b'\\', body).any(|i| {
        body.get(i + 1..i + 6).is_some_and(|w| w.eq_ignore_ascii_case(b"u0000"))
            && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

/// Checks the parameters of one request object (GraphQL-over-HTTP §"Request Parameters").
fn parse_request_object(value: Value, parsed: &crate::parsed::ParsedQueries) -> Result<Request, String> {
    let Value::Object(mut obj) = value else {
        return Err("a GraphQL request is a JSON object".to_owned());
    };
    let query = match obj.remove("query") {
        Some(Value::String(q)) => q,
        // Automatic persisted queries may send only a hash.
        None | Some(Value::Null)
            if obj.get("extensions").is_some_and(|e| e.get("persistedQuery").is_some()) =>
        {
            String::new()
        }
        None | Some(Value::Null) => return Err("the request has no `query`".to_owned()),
        Some(_) => return Err("`query` must be a string".to_owned()),
    };
    if too_nested(&query, parsed) {
        return Err(format!("the query text is nested more than {MAX_TEXT_NESTING} levels deep"));
    }
    let mut request = Request::new(query);
    match obj.remove("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name),
        Some(_) => return Err("`operationName` must be a string".to_owned()),
    }
    match obj.remove("variables") {
        None | Some(Value::Null) => {}
        Some(v @ Value::Object(_)) if json_depth(&v) > MAX_VARIABLE_DEPTH => {
            return Err(format!("`variables` are nested more than {MAX_VARIABLE_DEPTH} levels deep"));
        }
        Some(v @ Value::Object(_)) => request = request.variables(Variables::from_json(v)),
        Some(_) => return Err("`variables` must be an object".to_owned()),
    }
    match obj.remove("extensions") {
        None | Some(Value::Null) => {}
        Some(Value::Object(ext)) => {
            for (k, v) in ext {
                if let Ok(v) = async_graphql::Value::from_json(v) {
                    request.extensions.insert(k, v);
                }
            }
        }
        Some(_) => return Err("`extensions` must be an object".to_owned()),
    }
    Ok(request)
}

async fn execute(
    state: Arc<AppState>,
    headers: HeaderMap,
    media: MediaType,
    batch: BatchRequest,
    is_get: bool,
) -> Response {
    let started = Instant::now();
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let claims = match state.verifier.verify_header(authorization).await {
        Ok(c) => c,
        // GraphiQL loads the schema before anyone pasted a token: a request
        // that only introspects needs none (the schema is public anyway).
        Err(crate::auth::jwt::TokenError::Missing)
            if state.config.introspection && is_introspection_only(&state.parsed, &batch) =>
        {
            return execute_introspection(&state, media, batch).await;
        }
        Err(e) => {
            tracing::info!(status = 401, reason = %e, "request refused");
            return error_answer(StatusCode::UNAUTHORIZED, media, ErrorCode::Unauthenticated, &e.to_string());
        }
    };
    if let Err(e) = state.bootstrap.ensure(&state.db, &claims).await {
        let err = AppError::from(e);
        let _ = err.to_graphql_error();
        return error_answer(StatusCode::SERVICE_UNAVAILABLE, media, err.code(), err.message());
    }
    let (status, body) = match batch {
        BatchRequest::Single(request) => {
            let (status, body) = execute_one(&state, &claims, media, request, is_get, started).await;
            (status, body)
        }
        BatchRequest::Batch(requests) => {
            let mut bodies = Vec::with_capacity(requests.len());
            for request in requests {
                bodies.push(execute_one(&state, &claims, media, request, is_get, started).await.1.into_vec());
            }
            let mut body = b"[".to_vec();
            body.extend_from_slice(&bodies.join(&b","[..]));
            body.push(b']');
            (StatusCode::OK, body.into())
        }
    };
    answer_spliced(status, media, body)
}

/// Whether every operation of the batch selects only `__schema`, `__type`
/// or `__typename` at its root.
fn is_introspection_only(parsed: &crate::parsed::ParsedQueries, batch: &BatchRequest) -> bool {
    use async_graphql::parser::types::Selection;
    let requests: Vec<&Request> = match batch {
        BatchRequest::Single(r) => vec![r],
        BatchRequest::Batch(rs) => rs.iter().collect(),
    };
    requests.iter().all(|r| {
        let Some(parsed) = parsed.get(&r.query) else { return false };
        parsed.doc.operations.iter().all(|(_, op)| {
            op.node.ty == OperationType::Query
                && op.node.selection_set.node.items.iter().all(|s| match &s.node {
                    Selection::Field(f) => f.node.name.node.starts_with("__"),
                    _ => false,
                })
        })
    })
}

async fn execute_introspection(state: &AppState, media: MediaType, batch: BatchRequest) -> Response {
    let run = |r: Request| async {
        serde_json::to_value(state.schema.execute(r).await).unwrap_or_else(|_| json!({}))
    };
    let body = match batch {
        BatchRequest::Single(r) => run(r).await,
        BatchRequest::Batch(rs) => {
            let mut out = Vec::new();
            for r in rs {
                out.push(run(r).await);
            }
            Value::Array(out)
        }
    };
    answer(StatusCode::OK, media, body.to_string())
}

/// Depth of an operation's selections — fragments expanded, introspection
/// (`__schema`, `__type`) left out, so that GraphiQL's introspection query
/// passes whatever `MAX_QUERY_DEPTH` says.
fn depth_of(doc: &ExecutableDocument, operation: &OperationDefinition) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn depth(set: &SelectionSet, doc: &ExecutableDocument, guard: usize, root: bool) -> usize {
        if guard > 64 {
            return guard;
        }
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) if root && f.node.name.node.starts_with("__") => 0,
                Selection::Field(f) => {
                    let children = &f.node.selection_set.node;
                    1 + if children.items.is_empty() { 0 } else { depth(children, doc, guard + 1, false) }
                }
                Selection::InlineFragment(i) => depth(&i.node.selection_set.node, doc, guard + 1, root),
                Selection::FragmentSpread(sp) => doc
                    .fragments
                    .get(&sp.node.fragment_name.node)
                    .map(|fr| depth(&fr.node.selection_set.node, doc, guard + 1, root))
                    .unwrap_or(0),
            })
            .max()
            .unwrap_or(0)
    }
    depth(&operation.selection_set.node, doc, 0, true)
}

/// Most aliases in one document, and most root fields in one operation.
pub const MAX_ALIASES: usize = 100;

/// Most field selections of an operation with its fragments expanded. A
/// document of a few hundred bytes whose fragments each spread the next one
/// twice selects 2^n fields once expanded, and every walk that expands them
/// (the depth limit, the engine's validation and complexity) takes
/// exponential time: 24 such fragments held a worker for 5 s.
pub const MAX_EXPANDED_SELECTIONS: usize = 20_000;

/// Field selections of `operation` with every fragment spread expanded,
/// counted without expanding them (each fragment's count is computed once;
/// a spread inside its own expansion counts nothing, as validation refuses
/// fragment cycles anyway). Saturates at `usize::MAX`.
fn expanded_selections(doc: &ExecutableDocument, operation: &OperationDefinition) -> usize {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn count<'a>(
        set: &'a SelectionSet,
        doc: &'a ExecutableDocument,
        known: &mut std::collections::HashMap<&'a str, usize>,
        open: &mut Vec<&'a str>,
    ) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => {
                    1usize.saturating_add(count(&f.node.selection_set.node, doc, known, open))
                }
                Selection::InlineFragment(i) => count(&i.node.selection_set.node, doc, known, open),
                Selection::FragmentSpread(sp) => {
                    let name = sp.node.fragment_name.node.as_str();
                    if let Some(&n) = known.get(name) {
                        return n;
                    }
                    let Some(fragment) = doc.fragments.get(&sp.node.fragment_name.node) else { return 0 };
                    if open.contains(&name) {
                        return 0;
                    }
                    open.push(name);
                    let n = count(&fragment.node.selection_set.node, doc, known, open);
                    open.pop();
                    known.insert(name, n);
                    n
                }
            })
            .fold(0, usize::saturating_add)
    }
    count(&operation.selection_set.node, doc, &mut std::collections::HashMap::new(), &mut Vec::new())
}

/// A request-level GraphQL error (no `data`): 400 under
/// `graphql-response+json`, 200 under `application/json`.
fn request_error(media: MediaType, code: &str, message: &str) -> (StatusCode, Spliced) {
    let status = match media {
        MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
        MediaType::Json => StatusCode::OK,
    };
    crate::observability::record_refusal(code);
    (status, error_body(code, message).into())
}

/// The message of the first limit an operation's facts `f` are over, if any
/// (selections first: every other walk of the document expands fragments).
fn over_a_limit(f: &crate::parsed::OperationFacts, max_depth: usize) -> Option<String> {
    Some(if f.expanded > MAX_EXPANDED_SELECTIONS {
        format!(
            "the query selects {} fields with its fragments expanded; at most {MAX_EXPANDED_SELECTIONS} are allowed",
            f.expanded
        )
    } else if f.aliases > MAX_ALIASES || f.roots > MAX_ALIASES {
        format!(
            "a request may hold at most {MAX_ALIASES} aliases and {MAX_ALIASES} root fields (it has {} and {})",
            f.aliases, f.roots
        )
    } else if f.depth > max_depth {
        format!(
            "the query is nested {} levels deep; at most {max_depth} are allowed (MAX_QUERY_DEPTH)",
            f.depth
        )
    } else {
        return None;
    })
}

/// Counts aliases in the whole document and root fields of `operation`.
fn count_aliases_and_root_fields(
    doc: &ExecutableDocument,
    operation: &OperationDefinition,
) -> (usize, usize) {
    use async_graphql::parser::types::{Selection, SelectionSet};
    fn aliases(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(f) => {
                    usize::from(f.node.alias.is_some()) + aliases(&f.node.selection_set.node)
                }
                Selection::InlineFragment(i) => aliases(&i.node.selection_set.node),
                Selection::FragmentSpread(_) => 0,
            })
            .sum()
    }
    fn roots(set: &SelectionSet, doc: &ExecutableDocument, depth: usize) -> usize {
        if depth > 10 {
            return 0;
        }
        set.items
            .iter()
            .map(|s| match &s.node {
                Selection::Field(_) => 1,
                Selection::InlineFragment(i) => roots(&i.node.selection_set.node, doc, depth + 1),
                Selection::FragmentSpread(f) => doc
                    .fragments
                    .get(&f.node.fragment_name.node)
                    .map(|fr| roots(&fr.node.selection_set.node, doc, depth + 1))
                    .unwrap_or(0),
            })
            .sum()
    }
    let mut total = doc.fragments.values().map(|f| aliases(&f.node.selection_set.node)).sum::<usize>();
    total += doc.operations.iter().map(|(_, op)| aliases(&op.node.selection_set.node)).sum::<usize>();
    (total, roots(&operation.selection_set.node, doc, 0))
}

/// The operation `name` of `doc` (its only one when `name` is `None`), with
/// its name.
fn find_operation<'a>(
    doc: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<(Option<&'a Name>, &'a Positioned<OperationDefinition>)> {
    match name {
        Some(n) => doc.operations.iter().find(|(op_name, _)| op_name.map(|x| x.as_str()) == Some(n)),
        None => doc.operations.iter().next(),
    }
}

/// A GraphQL response as sent: `data` (left out for a request error), its
/// fields in the order of the operation `op_name` of `parsed`, then
/// `extensions` and `errors` when there are any — async-graphql's own order.
/// Written straight from the engine's values (no JSON tree in between),
/// into a buffer the size of the document's last response (but for its
/// long pieces written already, see [`Spliced`]).
fn response_body(
    response: &async_graphql::Response,
    request_error: bool,
    parsed: Option<&crate::parsed::Parsed>,
    op_name: Option<&str>,
) -> Spliced {
    use crate::response_json::{write_key, write_serde};
    let mut out = Spliced::from(Vec::with_capacity(parsed.map_or(0, |p| p.response_size()).max(128)));
    out.text.push(b'{');
    if !request_error {
        write_key(&mut out.text, "data");
        let op = parsed.map(|p| &p.doc).and_then(|doc| Some((doc, find_operation(doc, op_name)?.1)));
        match op {
            Some((doc, op)) => {
                crate::response_order::write(&mut out, &response.data, &op.node.selection_set.node, doc)
            }
            None => out.write_value(&response.data),
        }
    }
    if !response.extensions.is_empty() {
        if out.len() > 1 {
            out.text.push(b',');
        }
        write_key(&mut out.text, "extensions");
        write_serde(&mut out.text, &response.extensions);
    }
    if !response.errors.is_empty() {
        if out.len() > 1 {
            out.text.push(b',');
        }
        write_key(&mut out.text, "errors");
        write_serde(&mut out.text, &response.errors);
    }
    out.text.push(b'}');
    if let Some(p) = parsed {
        // (the buffer's own part: the long pieces are not copied into it)
        p.remember_response_size(out.text.len());
    }
    out
}

async fn execute_one(
    state: &AppState,
    claims: &Claims,
    media: MediaType,
    mut request: Request,
    is_get: bool,
    started: Instant,
) -> (StatusCode, Spliced) {
    // Automatic persisted queries.
    let persisted = request.extensions.remove("persistedQuery").and_then(|v| v.into_json().ok());
    match state.persisted.resolve(&request.query, persisted.as_ref()) {
        crate::apq::Outcome::NotPersisted => {}
        crate::apq::Outcome::Query(q) => request.query = q,
        crate::apq::Outcome::NotFound => {
            return request_error(media, "PERSISTED_QUERY_NOT_FOUND", crate::apq::NOT_FOUND);
        }
        crate::apq::Outcome::Invalid(m) => return request_error(media, ErrorCode::BadUserInput.as_str(), m),
    }
    // Parse once (the schema reuses it) to learn whether this is a mutation.
    let name = request.operation_name.clone();
    let parsed = state.parsed.get(&request.query);
    if let Some(p) = &parsed {
        request.set_parsed_query(ExecutableDocument::clone(&p.doc));
    }
    // What the checks count is the document's and the operation's alone:
    // counted once while the same operation comes again.
    let facts = parsed.as_deref().map(|p| {
        p.operation_facts(name.as_deref(), |doc| {
            let Some((n, op)) = find_operation(doc, name.as_deref()) else { return Default::default() };
            let mut facts = crate::parsed::OperationFacts {
                operation: Some((n.map(|x| x.to_string()), op.node.ty)),
                expanded: expanded_selections(doc, &op.node),
                ..Default::default()
            };
            // First: every other walk of the document (ours and the
            // engine's validation) expands fragments as it goes.
            if facts.expanded <= MAX_EXPANDED_SELECTIONS {
                (facts.aliases, facts.roots) = count_aliases_and_root_fields(doc, &op.node);
                facts.depth = depth_of(doc, &op.node);
            }
            facts
        })
    });
    let too_many = facts.as_deref().and_then(|f| over_a_limit(f, state.config.max_query_depth));
    let operation = facts.as_ref().and_then(|f| f.operation.clone());
    if let Some(message) = too_many {
        return request_error(media, ErrorCode::BadUserInput.as_str(), &message);
    }
    let is_mutation = matches!(operation, Some((_, OperationType::Mutation)));
    if is_get && is_mutation {
        crate::observability::record_refusal(ErrorCode::BadUserInput.as_str());
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            error_body(ErrorCode::BadUserInput.as_str(), "mutations are only accepted over POST").into(),
        );
    }
    let op_name = operation.as_ref().and_then(|(n, _)| n.clone()).or_else(|| request.operation_name.clone());
    let metrics = crate::observability::operation(op_name.as_deref());
    let label = metrics.label();
    let timeout = state.config.request_timeout;
    // The statements' timeout is a second longer, so that the request's own
    // timeout answers first (a statement starts after its request).
    let rdb = Arc::new(
        RequestDb::new(state.db.clone(), claims.clone(), is_mutation)
            .with_statement_timeout(timeout + std::time::Duration::from_secs(1)),
    );
    // A document that passed validation with these very variables before
    // skips the rules (see parsed.rs); any other is validated in full and,
    // when it runs without an error, remembered.
    let validation = parsed
        .as_ref()
        .map(|p| p.validation(request.operation_name.as_deref(), &request.variables))
        .unwrap_or_default();
    let (schema, to_remember) = match &validation {
        crate::parsed::Validation::Full => (
            &state.schema,
            parsed.as_ref().map(|_| (request.operation_name.clone(), request.variables.clone(), None)),
        ),
        crate::parsed::Validation::Keep(slot) => (
            &state.prevalidated,
            Some((request.operation_name.clone(), request.variables.clone(), Some(slot.clone()))),
        ),
        crate::parsed::Validation::Skip(_) => (&state.prevalidated, None),
    };
    // The response is written by `response_body` (see `RequestContext::prewrite`).
    let prewrite = parsed.as_ref().is_some_and(|p| p.selects_each_key_once);
    let request = request.data(RequestContext::new(rdb.clone()).prewritten(prewrite)).data(validation);
    let mut response = match tokio::time::timeout(timeout, schema.execute(request)).await {
        Ok(r) => r,
        Err(_) => {
            // Not `finish`: that would wait for the statement in flight.
            rdb.abandon().await;
            tracing::warn!(operation = %label, workspace = %claims.workspace_id, "request timed out");
            metrics.record(Outcome::Timeout, started.elapsed().as_secs_f64(), &[]);
            return (
                StatusCode::GATEWAY_TIMEOUT,
                error_body(
                    ErrorCode::Internal.as_str(),
                    &format!("the request took longer than {} s", timeout.as_secs()),
                )
                .into(),
            );
        }
    };
    // A mutation commits only when every part of it succeeded.
    let commit = is_mutation && response.errors.is_empty();
    if let Err(e) = rdb.finish(commit).await {
        let _ = e.to_graphql_error();
        metrics.record(Outcome::Error, started.elapsed().as_secs_f64(), &[e.code().as_str().to_owned()]);
        return (StatusCode::INTERNAL_SERVER_ERROR, error_body(e.code().as_str(), e.message()).into());
    }
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty());
    if let (Some(p), Some((op, variables, kept)), true) = (&parsed, &to_remember, response.errors.is_empty())
    {
        p.passed(op.as_deref(), variables, kept.as_ref().and_then(|k| k.get().copied()));
    }
    // Every error carries one of our codes: parse, validation and limit
    // errors of the GraphQL engine itself are bad input.
    let codes: Vec<String> = response
        .errors
        .iter_mut()
        .map(|e| {
            let existing = e.extensions.as_ref().and_then(|x| x.get("code")).and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            });
            existing.unwrap_or_else(|| {
                // An argument the engine could not read (a variable whose
                // value its scalar refuses, such as a UUID that is not one)
                // is bad input, although it is reported at its field.
                let bad_argument = e.message.starts_with("Failed to parse \"");
                let code = if e.path.is_empty() || bad_argument {
                    ErrorCode::BadUserInput
                } else {
                    ErrorCode::Internal
                };
                e.extensions.get_or_insert_with(Default::default).set("code", code.as_str());
                code.as_str().to_owned()
            })
        })
        .collect();
    let body = response_body(&response, request_error, parsed.as_deref(), op_name.as_deref());
    let status = if request_error {
        match media {
            MediaType::GraphqlResponseJson => StatusCode::BAD_REQUEST,
            MediaType::Json => StatusCode::OK,
        }
    } else {
        StatusCode::OK
    };
    let seconds = started.elapsed().as_secs_f64();
    metrics.record(if codes.is_empty() { Outcome::Ok } else { Outcome::Error }, seconds, &codes);
    // One line per request; never the token, keys or variable values.
    tracing::info!(
        operation = %label,
        kind = if is_mutation { "mutation" } else { "query" },
        workspace = %claims.workspace_id,
        role = claims.role.as_str(),
        status = status.as_u16(),
        errors = response.errors.len(),
        error_codes = %codes.join(","),
        duration_ms = seconds * 1000.0,
        "graphql request"
    );
    (status, body)
}

/// Methods the GraphQL endpoint answers (for tests).
pub const GRAPHQL_METHODS: [Method; 2] = [Method::GET, Method::POST];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_scanned_for_nesting_unless_the_parse_cache_holds_it() {
        // a text nested `depth` levels deep: `{`, `(` and `[`s
        let nested = |depth: usize| format!("{{ a(b: {}{}) }}", "[".repeat(depth - 2), "]".repeat(depth - 2));
        let parsed = crate::parsed::ParsedQueries::default();
        assert_eq!(text_nesting(&nested(MAX_TEXT_NESTING)), MAX_TEXT_NESTING);
        assert!(!too_nested(&nested(MAX_TEXT_NESTING), &parsed));
        // brackets in strings and comments do not count
        assert!(!too_nested(&format!("{{ a(b: \"{}\") }} # {}", "[".repeat(99), "{".repeat(99)), &parsed));
        let deep = nested(MAX_TEXT_NESTING + 1);
        assert!(too_nested(&deep, &parsed));
        // A text parsed and kept is not scanned again (only a text that was
        // scanned gets there over HTTP; this one is put there directly).
        assert!(parsed.get(&deep).is_some());
        assert!(!too_nested(&deep, &parsed));
        assert!(too_nested(&nested(MAX_TEXT_NESTING + 2), &parsed));
    }

    #[test]
    fn a_nul_is_found_raw_or_escaped_and_only_where_the_escape_is_one() {
        for (body, nul) in [
            (&b"{\"q\": \"a\0b\"}"[..], true),
            (br#"{"q": "\u0000"}"#, true),
            (br#"{"q": "\U0000"}"#, true),
            (br#"\u0000"#, true),
            (br#"{"q": "x\\\u0000"}"#, true),
            (br#"{"q": "\\u0000"}"#, false),
            (br#"{"q": "\\\\u0000"}"#, false),
            (br#"{"q": "\u0001 \u00000"}"#, true),
            (br#"{"q": "\u0001 \"u0000"}"#, false),
            (br#"{"q": "\u000"#, false),
            (br#"\"#, false),
            (b"", false),
        ] {
            assert_eq!(contains_nul(body), nul, "{}", String::from_utf8_lossy(body));
        }
    }
}
