//! Metrics (`/metrics`, Prometheus text format) and what they count:
//! requests by operation and outcome, a latency histogram, errors by
//! `extensions.code`, database statements and pool state. Operation names
//! come from clients, so at most [`MAX_OPERATION_NAMES`] distinct ones are
//! kept as labels; the rest count as `other`.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::db::Database;

/// Distinct operation names kept as label values.
pub const MAX_OPERATION_NAMES: usize = 200;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static NAMES: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

/// Installs the process-wide recorder (once; later calls reuse it).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Suffix("duration_seconds".to_owned()),
                    &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0],
                )
                .ok()?;
            match builder.install_recorder() {
                Ok(h) => Some(h),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// The label for an operation name.
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name.filter(|n| !n.is_empty()) else { return "anonymous".to_owned() };
    let plain = name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !plain {
        return "other".to_owned();
    }
    let names = NAMES.get_or_init(|| Mutex::new(HashSet::new()));
    match names.lock() {
        Ok(mut set) if set.contains(name) || set.len() < MAX_OPERATION_NAMES => {
            set.insert(name.to_owned());
            name.to_owned()
        }
        _ => "other".to_owned(),
    }
}

/// Records one GraphQL operation.
pub fn record_request(operation: &str, outcome: &'static str, seconds: f64, error_codes: &[String]) {
    metrics::counter!("latticeiq_graphql_requests_total", "operation" => operation.to_owned(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("latticeiq_graphql_request_duration_seconds", "operation" => operation.to_owned())
        .record(seconds);
    for code in error_codes {
        metrics::counter!("latticeiq_graphql_errors_total", "code" => code.clone()).increment(1);
    }
}

/// Records a refused HTTP request (no GraphQL execution).
pub fn record_refusal(code: &str) {
    metrics::counter!("latticeiq_graphql_requests_total", "operation" => "-", "outcome" => "refused")
        .increment(1);
    metrics::counter!("latticeiq_graphql_errors_total", "code" => code.to_owned()).increment(1);
}

/// The Prometheus text, with the pool and statement figures of `db` read now.
pub fn render(db: &Database) -> String {
    let (size, idle) = db.pool_state();
    metrics::gauge!("latticeiq_db_pool_connections", "state" => "open").set(f64::from(size));
    metrics::gauge!("latticeiq_db_pool_connections", "state" => "idle").set(idle as f64);
    metrics::gauge!("latticeiq_db_pool_connections", "state" => "in_use").set(f64::from(size) - idle as f64);
    metrics::gauge!("latticeiq_db_pool_max_connections").set(f64::from(db.pool_max()));
    let stats = db.stats();
    metrics::gauge!("latticeiq_db_statements").set(stats.statements() as f64);
    metrics::gauge!("latticeiq_db_statement_failures")
        .set(stats.failures.load(std::sync::atomic::Ordering::Relaxed) as f64);
    metrics::gauge!("latticeiq_db_statement_seconds")
        .set(stats.micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1e6);
    install().map(|h| h.render()).unwrap_or_default()
}
