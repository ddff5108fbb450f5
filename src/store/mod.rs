//! Data access shared by resolvers, the CLI and the seeder: functions that
//! take `&impl ConnectionTrait` so that they run inside whatever transaction
//! the caller holds, plus the few values that Postgres and SQLite store
//! differently (timestamps, tag arrays).

pub mod backfill;
pub mod campaigns;
pub mod contacts;
pub mod import;
pub mod matching;

use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::DbBackend;
use sea_orm::sea_query::{ArrayType, Expr, SimpleExpr, Value};

/// SQLite's `now` in the form sqlx writes timestamps (see [`sqlite_timestamp`]).
pub const SQLITE_NOW: &str = "(CASE WHEN strftime('%f', 'now') LIKE '%.000' THEN strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now') \
ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END)";

/// `now` in SQL, in the backend's timestamp representation.
pub fn now_expr(backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Sqlite => Expr::cust(SQLITE_NOW),
        _ => Expr::cust("now()"),
    }
}

/// Adapts a value to how `backend` stores it: on SQLite, string arrays
/// become JSON text (timestamps already bind as the text SQLite stores).
pub fn for_backend(backend: DbBackend, value: Value) -> Value {
    if backend != DbBackend::Sqlite {
        return value;
    }
    match value {
        Value::ChronoDateTimeUtc(Some(dt)) => Value::String(Some(sqlite_timestamp(&dt))),
        Value::ChronoDateTimeUtc(None) => Value::String(None),
        Value::Array(ArrayType::String, Some(items)) => {
            let strings: Vec<String> = items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(Some(s)) => Some(s),
                    _ => None,
                })
                .collect();
            Value::String(Some(serde_json::to_string(&strings).unwrap_or_else(|_| "[]".to_owned())))
        }
        Value::Array(ArrayType::String, None) => Value::String(Some("[]".to_owned())),
        other => other,
    }
}

/// A timestamp value for `backend`.
pub fn timestamp(backend: DbBackend, dt: DateTime<Utc>) -> Value {
    for_backend(backend, Value::ChronoDateTimeUtc(Some(truncate_micros(dt))))
}

/// A string-array value for `backend`.
pub fn string_array(backend: DbBackend, items: &[String]) -> Value {
    for_backend(
        backend,
        Value::Array(
            ArrayType::String,
            Some(Box::new(items.iter().map(|s| Value::String(Some(s.clone()))).collect())),
        ),
    )
}

/// `dt` in the SQLite storage format: what sqlx writes for a `DateTime<Utc>`
/// (RFC 3339, `+00:00`, 0/3/6 fractional digits as needed). One instant has
/// one text, and text order is time order, so comparisons in SQL are right
/// whether a value was bound by SeaORM, by this function or by a default.
pub fn sqlite_timestamp(dt: &DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// `dt` at the microsecond precision both databases keep.
pub fn truncate_micros(dt: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::SubsecRound as _;
    dt.trunc_subsecs(6)
}

/// RFC 3339 with microseconds and `Z` — how timestamps render as text
/// (`field(name)`, templates, `get_contact_field`).
pub fn rfc3339(dt: &DateTime<Utc>) -> String {
    dt.to_rfc3339_opts(SecondsFormat::Micros, true)
}
