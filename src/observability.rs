//! Metrics (`/metrics`, Prometheus text format) and what they count:
//! requests by operation and outcome, a latency histogram, errors by
//! `extensions.code`, database statements and pool state. Operation names
//! come from clients, so at most [`MAX_OPERATION_NAMES`] distinct ones are
//! kept as labels; the rest count as `other`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use metrics::{Counter, Histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::db::Database;

/// Distinct operation names kept as label values.
pub const MAX_OPERATION_NAMES: usize = 200;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static OPERATIONS: OnceLock<Mutex<HashMap<String, Arc<Operation>>>> = OnceLock::new();

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

/// What one GraphQL operation records, under its label: the request
/// counters of each outcome and the latency histogram. Made once per label,
/// so that a request does not build labelled keys and look them up in the
/// registry (two searches and a handful of allocations per request).
pub struct Operation {
    label: String,
    ok: Counter,
    error: Counter,
    timeout: Counter,
    duration: Histogram,
}

/// How a GraphQL operation ended, as its request counter says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Answered without errors.
    Ok,
    /// Answered with errors (or failed to commit).
    Error,
    /// Cut off at the request timeout.
    Timeout,
}

impl Operation {
    fn new(label: &str) -> Self {
        // Handles made before the recorder is installed would record nothing.
        install();
        let requests = |outcome: &'static str| metrics::counter!("latticeiq_graphql_requests_total", "operation" => label.to_owned(), "outcome" => outcome);
        Self {
            label: label.to_owned(),
            ok: requests("ok"),
            error: requests("error"),
            timeout: requests("timeout"),
            duration: metrics::histogram!("latticeiq_graphql_request_duration_seconds", "operation" => label.to_owned()),
        }
    }

    /// The label (`operation="…"`): the operation's name, `anonymous` or `other`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Records one request of the operation.
    pub fn record(&self, outcome: Outcome, seconds: f64, error_codes: &[String]) {
        match outcome {
            Outcome::Ok => &self.ok,
            Outcome::Error => &self.error,
            Outcome::Timeout => &self.timeout,
        }
        .increment(1);
        self.duration.record(seconds);
        for code in error_codes {
            metrics::counter!("latticeiq_graphql_errors_total", "code" => code.clone()).increment(1);
        }
    }
}

/// The metrics of the operation named `name`: labelled with the name when
/// it is a plain one (at most 64 letters, digits or `_`) among the first
/// [`MAX_OPERATION_NAMES`] seen, `anonymous` without a name, `other` else.
pub fn operation(name: Option<&str>) -> Arc<Operation> {
    let label = match name.filter(|n| !n.is_empty()) {
        None => "anonymous",
        Some(n) if n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => n,
        Some(_) => "other",
    };
    let Ok(mut known) = OPERATIONS.get_or_init(Default::default).lock() else {
        return Arc::new(Operation::new("other"));
    };
    if let Some(op) = known.get(label) {
        return op.clone();
    }
    // (`anonymous` and `other` take no place of a name)
    let names = known.len() - ["anonymous", "other"].iter().filter(|l| known.contains_key(**l)).count();
    let label = if names >= MAX_OPERATION_NAMES && label != "anonymous" { "other" } else { label };
    known.entry(label.to_owned()).or_insert_with(|| Arc::new(Operation::new(label))).clone()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_is_labelled_by_its_plain_name_among_the_first_ones() {
        let dashboard = operation(Some("Dashboard"));
        assert_eq!(dashboard.label(), "Dashboard");
        assert!(Arc::ptr_eq(&dashboard, &operation(Some("Dashboard"))), "made once");
        assert_eq!(operation(None).label(), "anonymous");
        assert_eq!(operation(Some("")).label(), "anonymous");
        assert_eq!(operation(Some("with space")).label(), "other");
        assert_eq!(operation(Some(&"x".repeat(65))).label(), "other");
        for n in 0..MAX_OPERATION_NAMES + 10 {
            operation(Some(&format!("Op{n}")));
        }
        assert_eq!(operation(Some("Op198")).label(), "Op198");
        assert_eq!(operation(Some("Op199")).label(), "other", "past the first {MAX_OPERATION_NAMES}");
        assert_eq!(operation(Some("Late")).label(), "other");
        assert_eq!(operation(Some("Dashboard")).label(), "Dashboard");
        assert_eq!(operation(None).label(), "anonymous");

        dashboard.record(Outcome::Timeout, 0.01, &["INTERNAL_SERVER_ERROR".to_owned()]);
        let text = install().expect("a recorder").render();
        for needle in [
            "latticeiq_graphql_requests_total{operation=\"Dashboard\",outcome=\"timeout\"} 1",
            "latticeiq_graphql_request_duration_seconds_count{operation=\"Dashboard\"} 1",
            "latticeiq_graphql_errors_total{code=\"INTERNAL_SERVER_ERROR\"} 1",
        ] {
            assert!(text.contains(needle), "{needle} not in\n{text}");
        }
    }
}
