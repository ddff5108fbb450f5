//! `ContactFilter` (SPEC §7): typed operator inputs per field, combined with
//! `and`, `or` and `not`, turned into one SQL condition. Every value is bound
//! as a parameter. `not` means "does not match" (rows where the inner filter
//! is false or unknown), so `x` and `not x` always partition the contacts.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use entity::contacts::Column;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, SimpleExpr, Value};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::scalars::BigInt;
use crate::store;

/// Deepest nesting of `and`/`or`/`not`.
pub const MAX_FILTER_DEPTH: usize = 8;
/// Most values in one `in`/`notIn`/`containsAny`/`containsAll` list.
pub const MAX_LIST_VALUES: usize = 1000;
/// Most operators in one filter, all levels together.
pub const MAX_FILTER_TERMS: usize = 200;

/// Operators on a text field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    /// Equal (case-sensitive).
    pub eq: Option<String>,
    /// Not equal (rows where the field is null do not match).
    pub neq: Option<String>,
    /// Equal to one of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<String>>,
    /// Equal to none of these (null does not match).
    pub not_in: Option<Vec<String>>,
    /// Contains the text, case-insensitively (ASCII letters only on SQLite).
    pub contains: Option<String>,
    /// Starts with the text, case-insensitively (ASCII letters only on SQLite).
    pub starts_with: Option<String>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on an integer field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IntFilter {
    /// Equal.
    pub eq: Option<i32>,
    /// Not equal (null does not match).
    pub neq: Option<i32>,
    /// Greater than.
    pub gt: Option<i32>,
    /// Greater than or equal.
    pub gte: Option<i32>,
    /// Less than.
    pub lt: Option<i32>,
    /// Less than or equal.
    pub lte: Option<i32>,
    /// One of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<i32>>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on a 64-bit integer field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BigIntFilter {
    /// Equal.
    pub eq: Option<BigInt>,
    /// Not equal (null does not match).
    pub neq: Option<BigInt>,
    /// Greater than.
    pub gt: Option<BigInt>,
    /// Greater than or equal.
    pub gte: Option<BigInt>,
    /// Less than.
    pub lt: Option<BigInt>,
    /// Less than or equal.
    pub lte: Option<BigInt>,
    /// One of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<BigInt>>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on a floating-point field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct FloatFilter {
    /// Equal.
    pub eq: Option<f64>,
    /// Not equal (null does not match).
    pub neq: Option<f64>,
    /// Greater than.
    pub gt: Option<f64>,
    /// Greater than or equal.
    pub gte: Option<f64>,
    /// Less than.
    pub lt: Option<f64>,
    /// Less than or equal.
    pub lte: Option<f64>,
    /// One of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<f64>>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on a timestamp field.
#[derive(InputObject, Clone, Debug, Default)]
pub struct DateTimeFilter {
    /// Equal (to the microsecond).
    pub eq: Option<DateTime<Utc>>,
    /// Not equal (null does not match).
    pub neq: Option<DateTime<Utc>>,
    /// Later than.
    pub gt: Option<DateTime<Utc>>,
    /// Not earlier than.
    pub gte: Option<DateTime<Utc>>,
    /// Earlier than.
    pub lt: Option<DateTime<Utc>>,
    /// Not later than.
    pub lte: Option<DateTime<Utc>>,
    /// One of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<DateTime<Utc>>>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on a UUID field.
#[derive(InputObject, Clone, Debug, Default)]
#[graphql(name = "UUIDFilter")]
pub struct UuidFilter {
    /// Equal.
    pub eq: Option<Uuid>,
    /// One of these.
    #[graphql(name = "in")]
    pub in_: Option<Vec<Uuid>>,
    /// `true`: the field is null; `false`: it is not.
    pub is_null: Option<bool>,
}

/// Operators on a list of strings (`tags`).
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringListFilter {
    /// Has at least one of these.
    pub contains_any: Option<Vec<String>>,
    /// Has all of these.
    pub contains_all: Option<Vec<String>>,
}

/// Which contacts to return: every field given must match (an implicit
/// `and`); `and`, `or` and `not` combine nested filters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ContactFilter {
    /// Every filter matches.
    pub and: Option<Vec<ContactFilter>>,
    /// At least one filter matches.
    pub or: Option<Vec<ContactFilter>>,
    /// The filter does not match.
    pub not: Option<Box<ContactFilter>>,
    /// `firstName`.
    pub first_name: Option<StringFilter>,
    /// `lastName`.
    pub last_name: Option<StringFilter>,
    /// `email`.
    pub email: Option<StringFilter>,
    /// `company`.
    pub company: Option<StringFilter>,
    /// `jobTitle`.
    pub job_title: Option<StringFilter>,
    /// `source`: csv, hubspot, salesforce, manual or api.
    pub source: Option<StringFilter>,
    /// `enrichmentStatus`: pending, processing, completed or failed.
    pub enrichment_status: Option<StringFilter>,
    /// `enrichmentCompanyIndustry`.
    pub enrichment_company_industry: Option<StringFilter>,
    /// `enrichmentCompanyEmployees`.
    pub enrichment_company_employees: Option<IntFilter>,
    /// `enrichmentCompanyRevenue`.
    pub enrichment_company_revenue: Option<BigIntFilter>,
    /// `enrichmentDataQualityScore` (0–100).
    pub enrichment_data_quality_score: Option<IntFilter>,
    /// `kernelWhoPersona`.
    pub kernel_who_persona: Option<StringFilter>,
    /// `kernelWhenUrgency`.
    pub kernel_when_urgency: Option<StringFilter>,
    /// `assignedProduct`.
    pub assigned_product: Option<StringFilter>,
    /// `icpId`.
    pub icp_id: Option<UuidFilter>,
    /// The stored `icpMatchScore` of the last ICP match.
    pub icp_match_score: Option<IntFilter>,
    /// `campaignId`.
    pub campaign_id: Option<UuidFilter>,
    /// `tags`.
    pub tags: Option<StringListFilter>,
    /// `createdAt`.
    pub created_at: Option<DateTimeFilter>,
    /// `updatedAt`.
    pub updated_at: Option<DateTimeFilter>,
}

/// Builds SQL conditions for one backend, counting terms against the limits.
pub struct FilterBuilder {
    backend: DbBackend,
    terms: usize,
}

/// The operators of an ordered filter (`IntFilter`, `BigIntFilter`,
/// `DateTimeFilter`), each value made a SQL value by `$value`.
macro_rules! ordered_ops {
    ($filter:expr, $value:expr) => {{
        let (f, v) = ($filter, $value);
        Ops {
            eq: f.eq.as_ref().map(v),
            neq: f.neq.as_ref().map(v),
            gt: f.gt.as_ref().map(v),
            gte: f.gte.as_ref().map(v),
            lt: f.lt.as_ref().map(v),
            lte: f.lte.as_ref().map(v),
            in_: f.in_.as_ref().map(|l| l.iter().map(v).collect()),
            is_null: f.is_null,
        }
    }};
}

impl FilterBuilder {
    /// A builder for `backend`.
    pub fn new(backend: DbBackend) -> Self {
        Self { backend, terms: 0 }
    }

    /// The condition of `filter` (true when it is empty).
    pub fn build(&mut self, filter: &ContactFilter) -> AppResult<SimpleExpr> {
        self.filter(filter, 1)
    }

    fn filter(&mut self, f: &ContactFilter, depth: usize) -> AppResult<SimpleExpr> {
        if depth > MAX_FILTER_DEPTH {
            return Err(AppError::bad_field(
                "filter",
                format!("filters nest at most {MAX_FILTER_DEPTH} levels deep"),
            ));
        }
        let mut all: Vec<SimpleExpr> = Vec::new();
        if let Some(list) = &f.and {
            for sub in list {
                all.push(self.filter(sub, depth + 1)?);
            }
        }
        if let Some(list) = &f.or {
            let mut any = Vec::new();
            for sub in list {
                any.push(self.filter(sub, depth + 1)?);
            }
            all.push(any.into_iter().reduce(|a, b| a.or(b)).unwrap_or_else(|| Expr::val(false)));
        }
        if let Some(sub) = &f.not {
            let inner = self.filter(sub, depth + 1)?;
            // Two-valued: a null comparison inside counts as "does not match".
            all.push(Expr::expr(Func::coalesce([inner, Expr::val(false)])).not());
        }
        self.string(&mut all, Column::FirstName, &f.first_name)?;
        self.string(&mut all, Column::LastName, &f.last_name)?;
        self.string(&mut all, Column::Email, &f.email)?;
        self.string(&mut all, Column::Company, &f.company)?;
        self.string(&mut all, Column::JobTitle, &f.job_title)?;
        self.string(&mut all, Column::Source, &f.source)?;
        self.string(&mut all, Column::EnrichmentStatus, &f.enrichment_status)?;
        self.string(&mut all, Column::EnrichmentCompanyIndustry, &f.enrichment_company_industry)?;
        self.string(&mut all, Column::KernelWhoPersona, &f.kernel_who_persona)?;
        self.string(&mut all, Column::KernelWhenUrgency, &f.kernel_when_urgency)?;
        self.string(&mut all, Column::AssignedProduct, &f.assigned_product)?;
        let int = |x: &i32| Value::Int(Some(*x));
        for (col, i) in [
            (Column::EnrichmentCompanyEmployees, &f.enrichment_company_employees),
            (Column::EnrichmentDataQualityScore, &f.enrichment_data_quality_score),
            (Column::IcpMatchScore, &f.icp_match_score),
        ] {
            if let Some(i) = i {
                self.ordered(&mut all, col, ordered_ops!(i, int))?;
            }
        }
        if let Some(i) = &f.enrichment_company_revenue {
            self.ordered(
                &mut all,
                Column::EnrichmentCompanyRevenue,
                ordered_ops!(i, |x: &BigInt| Value::BigInt(Some(x.0))),
            )?;
        }
        let backend = self.backend;
        let timestamp = |t: &DateTime<Utc>| store::timestamp(backend, *t);
        for (col, d) in [(Column::CreatedAt, &f.created_at), (Column::UpdatedAt, &f.updated_at)] {
            if let Some(d) = d {
                self.ordered(&mut all, col, ordered_ops!(d, timestamp))?;
            }
        }
        for (col, u) in [(Column::IcpId, &f.icp_id), (Column::CampaignId, &f.campaign_id)] {
            if let Some(u) = u {
                let ops = Ops {
                    eq: u.eq.map(|x| Value::Uuid(Some(x))),
                    in_: u.in_.as_ref().map(|l| l.iter().map(|x| Value::Uuid(Some(*x))).collect()),
                    is_null: u.is_null,
                    ..Ops::default()
                };
                self.ordered(&mut all, col, ops)?;
            }
        }
        if let Some(t) = &f.tags {
            self.tags(&mut all, t)?;
        }
        Ok(all.into_iter().reduce(|a, b| a.and(b)).unwrap_or_else(|| Expr::val(true)))
    }

    fn count(&mut self, n: usize) -> AppResult<()> {
        self.terms += n;
        if self.terms > MAX_FILTER_TERMS {
            return Err(AppError::bad_field(
                "filter",
                format!("a filter may hold at most {MAX_FILTER_TERMS} operators"),
            ));
        }
        Ok(())
    }

    fn list_len(len: usize) -> AppResult<()> {
        if len > MAX_LIST_VALUES {
            return Err(AppError::bad_field(
                "filter",
                format!("a list holds at most {MAX_LIST_VALUES} values, got {len}"),
            ));
        }
        Ok(())
    }

    fn string(&mut self, all: &mut Vec<SimpleExpr>, col: Column, f: &Option<StringFilter>) -> AppResult<()> {
        let Some(f) = f else { return Ok(()) };
        let c = || Expr::col((entity::contacts::Entity, col));
        let ops = Ops {
            eq: f.eq.clone().map(Value::from),
            neq: f.neq.clone().map(Value::from),
            in_: f.in_.as_ref().map(|l| l.iter().cloned().map(Value::from).collect()),
            is_null: f.is_null,
            ..Ops::default()
        };
        self.ordered(all, col, ops)?;
        if let Some(list) = &f.not_in {
            Self::list_len(list.len())?;
            self.count(1)?;
            all.push(if list.is_empty() { c().is_not_null() } else { c().is_not_in(list.iter().cloned()) });
        }
        for (text, prefix) in [(&f.contains, false), (&f.starts_with, true)] {
            if let Some(text) = text {
                self.count(1)?;
                let pattern = format!("{}{}%", if prefix { "" } else { "%" }, escape_like(text));
                all.push(self.ilike(col, pattern));
            }
        }
        Ok(())
    }

    fn ilike(&self, col: Column, pattern: String) -> SimpleExpr {
        use sea_orm::sea_query::extension::postgres::PgExpr as _;
        match self.backend {
            // SQLite's LIKE ignores (ASCII) case and has no default escape character.
            DbBackend::Sqlite => {
                Expr::col((entity::contacts::Entity, col)).like(LikeExpr::new(pattern).escape('\\'))
            }
            // Postgres: backslash is LIKE's default escape character.
            _ => Expr::col((entity::contacts::Entity, col)).ilike(pattern),
        }
    }

    fn ordered(&mut self, all: &mut Vec<SimpleExpr>, col: Column, ops: Ops) -> AppResult<()> {
        let c = || Expr::col((entity::contacts::Entity, col));
        let mut push = |e: SimpleExpr| all.push(e);
        let mut n = 0;
        if let Some(v) = ops.eq {
            push(c().eq(v));
            n += 1;
        }
        if let Some(v) = ops.neq {
            push(c().ne(v));
            n += 1;
        }
        if let Some(v) = ops.gt {
            push(c().gt(v));
            n += 1;
        }
        if let Some(v) = ops.gte {
            push(c().gte(v));
            n += 1;
        }
        if let Some(v) = ops.lt {
            push(c().lt(v));
            n += 1;
        }
        if let Some(v) = ops.lte {
            push(c().lte(v));
            n += 1;
        }
        if let Some(list) = ops.in_ {
            Self::list_len(list.len())?;
            push(if list.is_empty() { Expr::val(false) } else { c().is_in(list) });
            n += 1;
        }
        if let Some(is_null) = ops.is_null {
            push(if is_null { c().is_null() } else { c().is_not_null() });
            n += 1;
        }
        self.count(n)
    }

    fn tags(&mut self, all: &mut Vec<SimpleExpr>, f: &StringListFilter) -> AppResult<()> {
        for (list, need_all) in [(&f.contains_any, false), (&f.contains_all, true)] {
            let Some(list) = list else { continue };
            Self::list_len(list.len())?;
            self.count(1)?;
            let mut distinct: Vec<String> = Vec::new();
            for t in list {
                if !distinct.contains(t) {
                    distinct.push(t.clone());
                }
            }
            if distinct.is_empty() {
                // Any of nothing matches nothing; all of nothing matches everything.
                all.push(Expr::val(need_all));
                continue;
            }
            let e = match self.backend {
                // Through the GIN index, which RLS would keep `&&`/`@>` from
                // using (see latticeiq_tagged_ids in pg_0006_performance_up.sql).
                DbBackend::Postgres => Expr::cust_with_values(
                    "\"contacts\".\"id\" IN (SELECT latticeiq_tagged_ids($1, $2))",
                    [store::string_array(DbBackend::Postgres, &distinct), Value::from(need_all)],
                ),
                _ => {
                    let json = serde_json::to_string(&distinct).unwrap_or_default();
                    if need_all {
                        Expr::cust_with_values(
                            "(SELECT count(DISTINCT t.value) FROM json_each(\"contacts\".\"tags\") t \
                             WHERE t.value IN (SELECT value FROM json_each(?))) = ?",
                            [Value::from(json), Value::from(distinct.len() as i64)],
                        )
                    } else {
                        Expr::cust_with_values(
                            "EXISTS (SELECT 1 FROM json_each(\"contacts\".\"tags\") t \
                             WHERE t.value IN (SELECT value FROM json_each(?)))",
                            [Value::from(json)],
                        )
                    }
                }
            };
            all.push(e);
        }
        Ok(())
    }
}

#[derive(Default)]
struct Ops {
    eq: Option<Value>,
    neq: Option<Value>,
    gt: Option<Value>,
    gte: Option<Value>,
    lt: Option<Value>,
    lte: Option<Value>,
    in_: Option<Vec<Value>>,
    is_null: Option<bool>,
}

/// Escapes `%`, `_` and the escape character itself for LIKE.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Name of the common table expression holding a Postgres search's matches.
pub const SEARCH_CTE: &str = "latticeiq_search";

/// The full-text condition for `search` (SPEC §7): every word of the search
/// text must be a prefix of a word of the first name, last name, e-mail or
/// company. `None` when the text has no words.
///
/// On Postgres the condition reads the matches from [`SEARCH_CTE`], which
/// the statement must define with [`with_search`]: the page and its count
/// then share one evaluation of the search.
pub fn search_condition(backend: DbBackend, search: &str) -> AppResult<Option<(SimpleExpr, Option<String>)>> {
    if search.chars().count() > 200 {
        return Err(AppError::bad_field("search", "search text is limited to 200 characters"));
    }
    let words = crate::domain::words::words(search);
    if words.is_empty() {
        return Ok(None);
    }
    if words.len() > 20 {
        return Err(AppError::bad_field("search", "search text is limited to 20 words"));
    }
    Ok(Some(match backend {
        DbBackend::Postgres => {
            // Words hold only letters and digits, so quoting them is enough.
            let query = words.iter().map(|w| format!("'{w}':*")).collect::<Vec<_>>().join(" & ");
            (Expr::cust(format!("\"contacts\".\"id\" IN (SELECT id FROM {SEARCH_CTE})")), Some(query))
        }
        _ => {
            let query = words.iter().map(|w| format!("\"{w}\"*")).collect::<Vec<_>>().join(" AND ");
            let condition = Expr::cust_with_values(
                "\"contacts\".\"seq\" IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)",
                [query],
            );
            (condition, None)
        }
    }))
}

/// Prefixes a built Postgres statement with the search's matches: ids (and
/// creation times) of the token's workspace from the GIN index, through
/// `latticeiq_search_matches` (see pg_0006_performance_up.sql and
/// pg_0008_search_up.sql: under RLS `@@` could not use the index), computed
/// once however often the statement reads them (`MATERIALIZED`).
pub fn with_search(mut statement: sea_orm::Statement, tsquery: &str) -> sea_orm::Statement {
    let mut values = statement.values.take().unwrap_or(sea_orm::Values(Vec::new()));
    values.0.push(tsquery.to_owned().into());
    statement.sql = format!(
        "WITH {SEARCH_CTE} AS MATERIALIZED (SELECT id, created_at FROM latticeiq_search_matches(${}::tsquery)) {}",
        values.0.len(),
        statement.sql
    );
    statement.values = Some(values);
    statement
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_in_user_text_are_escaped() {
        assert_eq!(escape_like("100%_a\\b"), "100\\%\\_a\\\\b");
    }

    #[test]
    fn nesting_and_list_sizes_are_bounded() {
        let mut f = ContactFilter::default();
        for _ in 0..MAX_FILTER_DEPTH + 1 {
            f = ContactFilter { not: Some(Box::new(f)), ..Default::default() };
        }
        assert!(FilterBuilder::new(DbBackend::Postgres).build(&f).is_err());
        let big = ContactFilter {
            email: Some(StringFilter {
                in_: Some(vec!["a".into(); MAX_LIST_VALUES + 1]),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(FilterBuilder::new(DbBackend::Sqlite).build(&big).is_err());
    }
}
