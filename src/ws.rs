//! `GET /graphql/ws`: GraphQL subscriptions over WebSocket
//! (`graphql-transport-ws`, and the older `graphql-ws`). The token travels in
//! the `connection_init` payload — `{"Authorization": "Bearer <token>"}` (or
//! `authorization`, or `token`); a missing or bad token closes the socket
//! with 4403 (Forbidden), as the protocol prescribes.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;

use crate::AppState;
use crate::graphql::subscriptions::SubscriptionContext;

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(10);

/// Upgrades to a GraphQL WebSocket.
pub async fn graphql_ws(
    State(state): State<Arc<AppState>>,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, protocol, socket))
}

/// The token of a `connection_init` payload.
fn token_of(payload: &Value) -> Option<String> {
    for key in ["Authorization", "authorization"] {
        if let Some(v) = payload.get(key).and_then(Value::as_str) {
            return Some(v.to_owned());
        }
        if let Some(v) = payload.get("headers").and_then(|h| h.get(key)).and_then(Value::as_str) {
            return Some(v.to_owned());
        }
    }
    for key in ["token", "accessToken"] {
        if let Some(v) = payload.get(key).and_then(Value::as_str) {
            return Some(format!("Bearer {v}"));
        }
    }
    None
}

async fn close(mut sink: futures_util::stream::SplitSink<WebSocket, Message>, code: u16, reason: &str) {
    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.to_owned().into() }))).await;
}

async fn serve(state: Arc<AppState>, protocol: GraphQLProtocol, socket: WebSocket) {
    let (sink, mut stream) = socket.split();
    // Read connection_init ourselves, to refuse a bad token with 4403.
    let first = match tokio::time::timeout(INIT_TIMEOUT, stream.next()).await {
        Ok(Some(Ok(Message::Text(text)))) => text,
        Ok(_) => return close(sink, 4400, "expected connection_init").await,
        Err(_) => return close(sink, 4408, "connection initialisation timeout").await,
    };
    let message: Value = serde_json::from_str(first.as_str()).unwrap_or(Value::Null);
    if message.get("type").and_then(Value::as_str) != Some("connection_init") {
        // graphql-transport-ws: anything before connection_init is unauthorised.
        return close(sink, 4401, "Unauthorized").await;
    }
    let payload = message.get("payload").cloned().unwrap_or(Value::Null);
    let claims = match state.verifier.verify_header(token_of(&payload).as_deref()).await {
        Ok(c) => c,
        Err(e) => return close(sink, 4403, &format!("Forbidden: {e}")).await,
    };
    if let Err(e) = state.bootstrap.ensure(&state.db, &claims).await {
        tracing::error!(error = %e, "workspace set-up failed for a subscription");
        return close(sink, 1011, "internal error").await;
    }
    let ctx = SubscriptionContext { claims, db: state.db.clone() };
    let replay = futures_util::stream::once(async move { Ok(Message::Text(first)) });
    GraphQLWebSocket::new_with_pair(sink, replay.chain(stream), state.schema.clone(), protocol)
        .on_connection_init(move |_| async move {
            let mut data = Data::default();
            data.insert(ctx);
            Ok(data)
        })
        .keepalive_timeout(Duration::from_secs(60))
        .serve()
        .await;
}
