//! GraphiQL for browsers (SPEC §8): the page and its scripts and styles are
//! served by the gateway itself — no CDN — so it works offline and under a
//! strict Content-Security-Policy (no inline script).

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::AppState;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/// Whether a GET asks for a page rather than a GraphQL answer.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

/// The GraphiQL page (404 when GraphiQL is turned off).
pub fn page(state: &AppState) -> Response {
    if !state.config.graphiql {
        return (StatusCode::NOT_FOUND, "GraphiQL is turned off (GRAPHIQL=false)").into_response();
    }
    let mut resp = include_str!("../assets/graphiql/index.html").into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

/// One of GraphiQL's static files.
pub async fn asset(State(state): State<Arc<AppState>>, Path(file): Path<String>) -> Response {
    if !state.config.graphiql {
        return StatusCode::NOT_FOUND.into_response();
    }
    let (body, mime): (&'static [u8], &'static str) = match file.as_str() {
        "graphiql.min.js" => {
            (include_bytes!("../assets/graphiql/graphiql.min.js"), "text/javascript; charset=utf-8")
        }
        "graphiql.min.css" => {
            (include_bytes!("../assets/graphiql/graphiql.min.css"), "text/css; charset=utf-8")
        }
        "react.production.min.js" => {
            (include_bytes!("../assets/graphiql/react.production.min.js"), "text/javascript; charset=utf-8")
        }
        "react-dom.production.min.js" => (
            include_bytes!("../assets/graphiql/react-dom.production.min.js"),
            "text/javascript; charset=utf-8",
        ),
        "init.js" => (include_bytes!("../assets/graphiql/init.js"), "text/javascript; charset=utf-8"),
        "page.css" => (include_bytes!("../assets/graphiql/page.css"), "text/css; charset=utf-8"),
        "LICENSES.txt" => (include_bytes!("../assets/graphiql/LICENSES.txt"), "text/plain; charset=utf-8"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    resp
}
