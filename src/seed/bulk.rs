//! Bulk seeding on Postgres. Into an empty `contacts` table, one transaction
//! drops the secondary indexes of `contacts` and `contact_search`, writes the
//! rows with `COPY … FROM STDIN`, builds every dropped index again (one sort
//! each instead of a million inserts into each) and analyses both tables. A
//! failure anywhere rolls the whole seed back, indexes included.
//!
//! The transaction holds `contacts` exclusively until it commits; it runs as
//! the connection's own role, which must own `contacts` (else the seed takes
//! the batched-INSERT path). `FORCE ROW LEVEL SECURITY` is lifted for the
//! transaction (COPY cannot write through a policy) and set again before the
//! commit; every row carries the seeded workspace's id.

use std::fmt::Write as _;

use anyhow::Context as _;
use entity::contacts::{Column, Model};
use sea_orm::sea_query::{ArrayType, Value};
use sea_orm::{Iden as _, Iterable as _, ModelTrait as _};
use sqlx::{Postgres, Row as _, Transaction};

use crate::db::Database;

/// Seeds of at least this many contacts take the bulk path when they can.
pub const BULK_MIN_CONTACTS: u64 = 10_000;

/// Rows per `COPY` statement: the statement-level insert triggers see their
/// rows as a transition table, which should not grow to the whole seed.
pub const COPY_BATCH: usize = 5_000;

/// `maintenance_work_mem` for the index builds (a sort each).
const INDEX_BUILD_MEMORY: &str = "256MB";

/// An open bulk load: the transaction that dropped the indexes.
pub struct BulkLoad {
    tx: Transaction<'static, Postgres>,
    indexes: Vec<String>,
    forced_rls: bool,
    copy_sql: String,
    buf: String,
    written: u64,
}

impl BulkLoad {
    /// Starts a bulk load, or `None` when it cannot be one: `contacts` has
    /// rows (in any workspace) or is not owned by the connection's role.
    pub async fn begin(db: &Database) -> anyhow::Result<Option<Self>> {
        let pool = db.conn().get_postgres_connection_pool();
        let owned: bool = sqlx::query_scalar(
            "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = 'contacts'::regclass",
        )
        .fetch_one(pool)
        .await
        .context("checking the owner of contacts")?;
        if !owned {
            return Ok(None);
        }
        let mut tx = pool.begin().await.context("beginning the bulk load")?;
        sqlx::query("LOCK TABLE contacts, contact_search IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await?;
        let forced_rls: bool =
            sqlx::query_scalar("SELECT relforcerowsecurity FROM pg_class WHERE oid = 'contacts'::regclass")
                .fetch_one(&mut *tx)
                .await?;
        if forced_rls {
            // Else the owner would see (and count) no rows without claims.
            sqlx::query("ALTER TABLE contacts NO FORCE ROW LEVEL SECURITY").execute(&mut *tx).await?;
        }
        let has_rows: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM contacts)").fetch_one(&mut *tx).await?;
        if has_rows {
            tx.rollback().await?;
            return Ok(None);
        }
        // Every index that no constraint owns (primary keys and the foreign
        // keys' targets stay); unique ones are checked again when rebuilt.
        let rows = sqlx::query(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def \
             FROM pg_index i \
             WHERE i.indrelid IN ('contacts'::regclass, 'contact_search'::regclass) \
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
             ORDER BY i.indexrelid",
        )
        .fetch_all(&mut *tx)
        .await
        .context("reading the contact indexes")?;
        let mut indexes = Vec::with_capacity(rows.len());
        for row in rows {
            let name: String = row.try_get("name")?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP INDEX {name}"))).execute(&mut *tx).await?;
            indexes.push(row.try_get("def")?);
        }
        let columns: Vec<String> = Column::iter().map(|c| format!("\"{}\"", c.to_string())).collect();
        let copy_sql = format!("COPY contacts ({}) FROM STDIN", columns.join(", "));
        Ok(Some(Self { tx, indexes, forced_rls, copy_sql, buf: String::new(), written: 0 }))
    }

    /// Writes `rows` with one `COPY`.
    pub async fn write(&mut self, rows: &[Model]) -> anyhow::Result<()> {
        self.buf.clear();
        for row in rows {
            copy_line(row, &mut self.buf)?;
        }
        let mut copy = self.tx.copy_in_raw(&self.copy_sql).await.context("starting COPY")?;
        copy.send(self.buf.as_bytes()).await.context("sending COPY data")?;
        self.written += copy.finish().await.context("finishing COPY")?;
        Ok(())
    }

    /// Builds the indexes again, restores `FORCE ROW LEVEL SECURITY`,
    /// analyses and commits; returns the rows written.
    pub async fn finish(mut self) -> anyhow::Result<u64> {
        let started = std::time::Instant::now();
        tracing::info!(
            rows = self.written,
            indexes = self.indexes.len(),
            "rows copied; rebuilding the indexes"
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")))
            .execute(&mut *self.tx)
            .await?;
        for def in &self.indexes {
            sqlx::query(sqlx::AssertSqlSafe(def.clone()))
                .execute(&mut *self.tx)
                .await
                .with_context(|| format!("rebuilding an index: {def}"))?;
        }
        if self.forced_rls {
            sqlx::query("ALTER TABLE contacts FORCE ROW LEVEL SECURITY").execute(&mut *self.tx).await?;
        }
        tracing::info!(seconds = started.elapsed().as_secs_f64(), "indexes rebuilt");
        sqlx::query("ANALYZE contacts, contact_search").execute(&mut *self.tx).await?;
        self.tx.commit().await.context("committing the bulk load")?;
        Ok(self.written)
    }
}

/// Appends `row` as one line of `COPY`'s text format, columns in the order
/// of `Column::iter()`.
fn copy_line(row: &Model, out: &mut String) -> anyhow::Result<()> {
    for (i, column) in Column::iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        copy_value(&row.get(column), out).with_context(|| format!("column {}", column.to_string()))?;
    }
    out.push('\n');
    Ok(())
}

/// One cell in `COPY`'s text format (`\N` for NULL; backslash, tab, newline
/// and carriage return escaped).
fn copy_value(value: &Value, out: &mut String) -> anyhow::Result<()> {
    match value {
        Value::Uuid(Some(u)) => write!(out, "{u}")?,
        Value::String(Some(s)) => escape(s, out),
        Value::Int(Some(n)) => write!(out, "{n}")?,
        Value::BigInt(Some(n)) => write!(out, "{n}")?,
        Value::Double(Some(x)) if x.is_nan() => out.push_str("NaN"),
        Value::Double(Some(x)) if x.is_infinite() => {
            out.push_str(if *x > 0.0 { "Infinity" } else { "-Infinity" })
        }
        Value::Double(Some(x)) => write!(out, "{x}")?,
        Value::Bool(Some(b)) => out.push(if *b { 't' } else { 'f' }),
        Value::Json(Some(j)) => escape(&j.to_string(), out),
        Value::ChronoDateTimeUtc(Some(t)) => write!(out, "{}", t.format("%Y-%m-%d %H:%M:%S%.6f+00"))?,
        Value::Array(ArrayType::String, Some(items)) => {
            let mut literal = String::from("{");
            for (i, item) in items.iter().enumerate() {
                let Value::String(Some(s)) = item else { anyhow::bail!("a text array holds {item:?}") };
                if i > 0 {
                    literal.push(',');
                }
                literal.push('"');
                for c in s.chars() {
                    if c == '"' || c == '\\' {
                        literal.push('\\');
                    }
                    literal.push(c);
                }
                literal.push('"');
            }
            literal.push('}');
            escape(&literal, out);
        }
        Value::Uuid(None)
        | Value::String(None)
        | Value::Int(None)
        | Value::BigInt(None)
        | Value::Double(None)
        | Value::Bool(None)
        | Value::Json(None)
        | Value::ChronoDateTimeUtc(None)
        | Value::Array(_, None) => out.push_str("\\N"),
        other => anyhow::bail!("no COPY encoding for {other:?}"),
    }
    Ok(())
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_what_copy_text_format_reserves() {
        let mut out = String::new();
        copy_value(&Value::String(Some("a\tb\\c\nd\re".into())), &mut out).unwrap();
        assert_eq!(out, "a\\tb\\\\c\\nd\\re");
        out.clear();
        copy_value(
            &Value::Array(
                ArrayType::String,
                Some(Box::new(vec![Value::String(Some("x\"y".into())), Value::String(Some("b\\s".into()))])),
            ),
            &mut out,
        )
        .unwrap();
        assert_eq!(out, "{\"x\\\\\"y\",\"b\\\\\\\\s\"}");
        out.clear();
        copy_value(&Value::Double(None), &mut out).unwrap();
        assert_eq!(out, "\\N");
        out.clear();
        copy_value(&Value::Double(Some(0.125)), &mut out).unwrap();
        assert_eq!(out, "0.125");
        assert!(copy_value(&Value::Float(Some(1.0)), &mut String::new()).is_err());
    }
}
