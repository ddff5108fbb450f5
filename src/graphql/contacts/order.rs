//! `orderBy` and keyset pagination for contacts (SPEC §7 ContactOrderBy):
//! every sort is a list of keys plus `id` as the final tie-breaker; nulls
//! sort last ascending and first descending on both backends (as if null
//! were larger than every value), text compares by code point.

use async_graphql::{Enum, InputObject};
use chrono::{DateTime, Utc};
use entity::contacts::{Column, Model};
use sea_orm::DbBackend;
use sea_orm::sea_query::{Expr, ExprTrait, SimpleExpr, Value};
use serde_json::Value as Json;

use crate::error::{AppError, AppResult};
use crate::graphql::pagination::Cursor;
use crate::store;

/// Most keys in one `orderBy`.
pub const MAX_ORDER_KEYS: usize = 8;

/// A page of a list in creation order, as a walk of that order reads it.
#[derive(Clone, Debug)]
pub struct CreationWalk {
    /// Whether the page reads in descending creation order.
    pub descending: bool,
    /// The creation time and id the page starts after (none: from the start).
    pub after: Option<(Value, uuid::Uuid)>,
}

/// A field contacts can be sorted by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[graphql(name = "ContactSortField")]
pub enum SortField {
    /// Creation time.
    CreatedAt,
    /// Last change.
    UpdatedAt,
    /// Family name (by code point; nulls last ascending).
    LastName,
    /// Company (by code point; nulls last ascending).
    Company,
    /// `enrichmentDataQualityScore`.
    DataQualityScore,
    /// The stored `icpMatchScore` of the last ICP match.
    IcpMatchScore,
    /// `enrichmentCompanyRevenue`.
    CompanyRevenue,
    /// `enrichmentCompanyEmployees`.
    CompanyEmployees,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq, Default, Hash)]
#[graphql(name = "SortDirection")]
pub enum SortDirection {
    /// Smallest first; nulls last.
    Asc,
    /// Largest first; nulls first.
    #[default]
    Desc,
}

impl SortDirection {
    fn flip(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "ASC",
            Self::Desc => "DESC",
        }
    }
}

/// One key of a contact sort.
#[derive(InputObject, Clone, Copy, Debug)]
#[graphql(name = "ContactOrderBy")]
pub struct OrderBy {
    /// The field.
    pub field: SortField,
    /// The direction (default `DESC`).
    #[graphql(default)]
    pub direction: SortDirection,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Timestamp,
    Int,
    Text,
}

impl SortField {
    fn column(self) -> Column {
        match self {
            Self::CreatedAt => Column::CreatedAt,
            Self::UpdatedAt => Column::UpdatedAt,
            Self::LastName => Column::LastName,
            Self::Company => Column::Company,
            Self::DataQualityScore => Column::EnrichmentDataQualityScore,
            Self::IcpMatchScore => Column::IcpMatchScore,
            Self::CompanyRevenue => Column::EnrichmentCompanyRevenue,
            Self::CompanyEmployees => Column::EnrichmentCompanyEmployees,
        }
    }

    fn kind(self) -> Kind {
        match self {
            Self::CreatedAt | Self::UpdatedAt => Kind::Timestamp,
            Self::LastName | Self::Company => Kind::Text,
            _ => Kind::Int,
        }
    }

    fn nullable(self) -> bool {
        !matches!(self, Self::CreatedAt | Self::UpdatedAt | Self::DataQualityScore)
    }

    fn name(self) -> &'static str {
        match self {
            Self::CreatedAt => "CREATED_AT",
            Self::UpdatedAt => "UPDATED_AT",
            Self::LastName => "LAST_NAME",
            Self::Company => "COMPANY",
            Self::DataQualityScore => "DATA_QUALITY_SCORE",
            Self::IcpMatchScore => "ICP_MATCH_SCORE",
            Self::CompanyRevenue => "COMPANY_REVENUE",
            Self::CompanyEmployees => "COMPANY_EMPLOYEES",
        }
    }

    /// The row's value of this key, as stored in a cursor.
    fn value_of(self, m: &Model) -> Json {
        match self {
            Self::CreatedAt => Json::String(store::rfc3339(&m.created_at)),
            Self::UpdatedAt => Json::String(store::rfc3339(&m.updated_at)),
            Self::LastName => m.last_name.clone().map(Json::String).unwrap_or(Json::Null),
            Self::Company => m.company.clone().map(Json::String).unwrap_or(Json::Null),
            Self::DataQualityScore => Json::from(m.enrichment_data_quality_score),
            Self::IcpMatchScore => m.icp_match_score.map(Json::from).unwrap_or(Json::Null),
            Self::CompanyRevenue => m.enrichment_company_revenue.map(Json::from).unwrap_or(Json::Null),
            Self::CompanyEmployees => m.enrichment_company_employees.map(Json::from).unwrap_or(Json::Null),
        }
    }
}

/// A validated sort: its keys (deduplicated) and their directions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    keys: Vec<(SortField, SortDirection)>,
}

impl Sort {
    /// The columns its keys (and so its cursors) read.
    pub fn columns(&self) -> impl Iterator<Item = Column> + '_ {
        self.keys.iter().map(|(f, _)| f.column())
    }

    /// From the `orderBy` argument; default `CREATED_AT DESC`.
    pub fn new(order_by: Option<Vec<OrderBy>>) -> AppResult<Self> {
        let order_by = order_by.unwrap_or_default();
        if order_by.len() > MAX_ORDER_KEYS {
            return Err(AppError::bad_field("orderBy", format!("at most {MAX_ORDER_KEYS} sort keys")));
        }
        let mut keys: Vec<(SortField, SortDirection)> = Vec::new();
        for o in order_by {
            if !keys.iter().any(|(f, _)| *f == o.field) {
                keys.push((o.field, o.direction));
            }
        }
        if keys.is_empty() {
            keys.push((SortField::CreatedAt, SortDirection::Desc));
        }
        Ok(Self { keys })
    }

    /// Whether the sort reads no column but `created_at` (and the `id`
    /// tie-breaker): a search's matches carry both (see `with_search`).
    pub fn by_creation_only(&self) -> bool {
        self.keys.iter().all(|(f, _)| *f == SortField::CreatedAt)
    }

    /// For a sort by creation time alone (one key): whether a page reads in
    /// descending creation order, and the position it starts after (the
    /// cursor's creation time and id; `None` for the first page) — what
    /// `latticeiq_search_walk` takes. `None` for any other sort.
    pub fn creation_walk(
        &self,
        backend: DbBackend,
        cursor: Option<&Cursor>,
        reverse: bool,
        argument: &str,
    ) -> AppResult<Option<CreationWalk>> {
        let [(SortField::CreatedAt, direction)] = self.keys.as_slice() else {
            return Ok(None);
        };
        let descending = (*direction == SortDirection::Desc) != reverse;
        let after = match cursor {
            None => None,
            Some(c) => {
                let bad = || {
                    AppError::bad_field(argument, format!("`{argument}` is not a valid cursor for this list"))
                };
                let [raw] = c.keys.as_slice() else { return Err(bad()) };
                Some((cursor_value(backend, Kind::Timestamp, raw).ok_or_else(bad)?, c.id))
            }
        };
        Ok(Some(CreationWalk { descending, after }))
    }

    /// The signature a cursor records, e.g. `LAST_NAME:ASC,CREATED_AT:DESC`.
    pub fn signature(&self) -> String {
        self.keys.iter().map(|(f, d)| format!("{}:{}", f.name(), d.as_str())).collect::<Vec<_>>().join(",")
    }

    /// Direction of the `id` tie-breaker: that of the last key.
    fn id_direction(&self) -> SortDirection {
        self.keys.last().map(|(_, d)| *d).unwrap_or_default()
    }

    /// The cursor of a row under this sort.
    pub fn cursor_of(&self, m: &Model) -> Cursor {
        Cursor {
            order: self.signature(),
            keys: self.keys.iter().map(|(f, _)| f.value_of(m)).collect(),
            id: m.id,
        }
    }

    /// `ORDER BY` terms; `reverse` reads the list backwards (for `last`).
    pub fn order_terms(&self, backend: DbBackend, reverse: bool) -> Vec<(SimpleExpr, SortDirection, bool)> {
        let dir = |d: SortDirection| if reverse { d.flip() } else { d };
        let mut terms: Vec<(SimpleExpr, SortDirection, bool)> =
            self.keys.iter().map(|(f, d)| (key_expr(backend, *f), dir(*d), f.nullable())).collect();
        terms.push((Expr::col((entity::contacts::Entity, Column::Id)), dir(self.id_direction()), false));
        terms
    }

    /// The keyset condition "strictly after `cursor`" in the (possibly
    /// reversed) order.
    pub fn after(
        &self,
        backend: DbBackend,
        cursor: &Cursor,
        reverse: bool,
        argument: &str,
    ) -> AppResult<SimpleExpr> {
        if cursor.keys.len() != self.keys.len() {
            return Err(AppError::bad_field(
                argument,
                format!("`{argument}` is not a valid cursor for this list"),
            ));
        }
        let bad =
            || AppError::bad_field(argument, format!("`{argument}` is not a valid cursor for this list"));
        let dir = |d: SortDirection| if reverse { d.flip() } else { d };
        // (expression, direction, nullable, value or None for null)
        let mut parts: Vec<(SimpleExpr, SortDirection, bool, Option<Value>)> = Vec::new();
        for ((field, d), raw) in self.keys.iter().zip(&cursor.keys) {
            let value = if raw.is_null() {
                if !field.nullable() {
                    return Err(bad());
                }
                None
            } else {
                Some(cursor_value(backend, field.kind(), raw).ok_or_else(bad)?)
            };
            parts.push((key_expr(backend, *field), dir(*d), field.nullable(), value));
        }
        parts.push((
            Expr::col((entity::contacts::Entity, Column::Id)),
            dir(self.id_direction()),
            false,
            Some(Value::Uuid(Some(cursor.id))),
        ));

        // Same direction and no nulls anywhere: one row comparison, which an
        // index on (workspace_id, key…, id) answers as a range.
        let first_dir = parts[0].1;
        if parts.iter().all(|(_, d, nullable, v)| *d == first_dir && !nullable && v.is_some()) {
            let cols = Expr::tuple(parts.iter().map(|(e, ..)| e.clone()));
            let vals = Expr::tuple(parts.iter().filter_map(|(.., v)| v.clone().map(Expr::val)));
            return Ok(match first_dir {
                SortDirection::Asc => cols.gt(vals),
                SortDirection::Desc => cols.lt(vals),
            });
        }

        let mut any: Option<SimpleExpr> = None;
        for i in 0..parts.len() {
            let mut term = strictly_after(&parts[i]);
            for p in parts[..i].iter().rev() {
                term = equal(p).and(term);
            }
            any = Some(match any {
                None => term,
                Some(a) => a.or(term),
            });
        }
        let mut condition = any.unwrap_or_else(|| Expr::val(false));
        // A redundant bound on the leading key lets an index range-scan.
        if let (expr, d, false, Some(v)) = &parts[0] {
            let bound = match d {
                SortDirection::Asc => expr.clone().gte(Expr::val(v.clone())),
                SortDirection::Desc => expr.clone().lte(Expr::val(v.clone())),
            };
            condition = bound.and(condition);
        }
        Ok(condition)
    }
}

/// The SQL of a sort key; text keys compare by code point on Postgres too.
fn key_expr(backend: DbBackend, field: SortField) -> SimpleExpr {
    let col = field.column();
    if field.kind() == Kind::Text && backend == DbBackend::Postgres {
        let name = sea_orm::IdenStatic::as_str(&col);
        Expr::cust(format!("\"contacts\".\"{name}\" COLLATE \"C\""))
    } else {
        Expr::col((entity::contacts::Entity, col))
    }
}

fn cursor_value(backend: DbBackend, kind: Kind, raw: &Json) -> Option<Value> {
    match kind {
        Kind::Timestamp => {
            let dt: DateTime<Utc> = raw.as_str()?.parse().ok()?;
            Some(store::timestamp(backend, dt))
        }
        Kind::Int => raw.as_i64().map(|n| Value::BigInt(Some(n))),
        Kind::Text => raw.as_str().map(|s| Value::String(Some(s.to_owned()))),
    }
}

fn strictly_after((expr, d, nullable, v): &(SimpleExpr, SortDirection, bool, Option<Value>)) -> SimpleExpr {
    match (d, v) {
        (SortDirection::Asc, None) => Expr::val(false),
        (SortDirection::Asc, Some(v)) if *nullable => {
            expr.clone().gt(Expr::val(v.clone())).or(expr.clone().is_null())
        }
        (SortDirection::Asc, Some(v)) => expr.clone().gt(Expr::val(v.clone())),
        (SortDirection::Desc, None) => expr.clone().is_not_null(),
        (SortDirection::Desc, Some(v)) => expr.clone().lt(Expr::val(v.clone())),
    }
}

fn equal((expr, _, _, v): &(SimpleExpr, SortDirection, bool, Option<Value>)) -> SimpleExpr {
    match v {
        None => expr.clone().is_null(),
        Some(v) => expr.clone().eq(Expr::val(v.clone())),
    }
}
