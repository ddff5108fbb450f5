//! A page reads only what its computed fields read of a contact (Postgres).
//!
//! A page with computed fields (`field`, `renderedEmail`, `icpMatch`, …)
//! read every column, since any of them may be read by name. Of those,
//! `enrichment_data` and `kernel_analysis` are the bulk of a row (~400
//! characters each in the benchmark's data): writing them out as text was
//! about half of Postgres's time for the page's statement, and parsing them
//! a fifth of the gateway's instructions for `page+computed` — while field
//! access and templates read a few columns and a handful of paths in them
//! (a custom field's, the sources of a derived column: [`fields::reads`]).
//! Where the workspace context this process remembers says what the selected
//! fields read, the page selects just those columns, and the values found at
//! the paths as the members of one JSON object per row (`->` per key; a
//! derived column's sources only while it is empty), and rebuilds each
//! contact's documents from them: the same values at the same paths.
//!
//! A context read at a version stamp is what every transaction that sees
//! that stamp reads (see `Loaders::prime_context`). The statement carries
//! its stamp: where it is the plan's, the statement ran as the request's
//! context load (`Loaders::load_context_with`), so the request uses that very
//! context; where it is not (the context changed since), the page is read
//! again whole, once, as it was before.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::SelectionField;
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{DbErr, QueryResult};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::domain::fields::{self, FieldRead, Gate, JSON_COLUMNS};
use crate::domain::templates;
use crate::graphql::loaders::WorkspaceContext;
use crate::graphql::templates::{TemplateKind, template_texts};
use crate::store::contacts::{ColumnSet, JsonDocs};

/// A path of keys, read always (`None`) or while a derived column is empty.
type GatedPath = (Vec<String>, Option<Gate>);

/// What a page's computed fields read of a contact (the columns, and the
/// paths of the JSON columns), for the workspace context remembered at
/// `version`.
pub(super) struct Plan {
    /// The context's version stamp.
    pub version: i64,
    /// The context the paths were worked out from.
    pub context: Arc<WorkspaceContext>,
    reads: Arc<PageReads>,
}

/// A plan's [`PageReads`], compared by identity: one is made once per
/// selection and context, and whoever holds a `PlanReads` keeps it alive,
/// so that no other can take its address while it is compared.
#[derive(Clone)]
pub(super) struct PlanReads(Arc<PageReads>);

impl PartialEq for PlanReads {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for PlanReads {}

impl std::hash::Hash for PlanReads {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.0), state);
    }
}

/// What a page's computed fields read of a contact, worked out from a
/// workspace context: once per selection and context, remembered in the
/// context (`WorkspaceContext::page_reads`, by [`selection_key`]).
pub struct PageReads {
    /// Per JSON column ([`JSON_COLUMNS`] order): `None` when read whole,
    /// else its paths (none: the column is not read), sorted, each read
    /// always or only while a derived column is empty (its gate). A path
    /// under another is left out where that one is read at least as often.
    docs: [Option<Vec<GatedPath>>; 3],
    /// The other columns the computed fields read, by place in the table's
    /// column order (`None`: any column).
    columns: Option<ColumnSet>,
    /// The SQL of [`Plan::path_cells`].
    cells: Vec<String>,
}

impl Plan {
    /// The plan for the contact fields `selected` (a page's; `plain` says
    /// which read columns by name, which the caller reads anyway), or `None`
    /// when they read the whole contact (or a name that is not a literal).
    /// Worked out once per selection for a context (see [`PageReads`]).
    pub fn new(
        selected: &[SelectionField<'_>],
        plain: impl Fn(&str) -> bool,
        version: i64,
        context: Arc<WorkspaceContext>,
    ) -> Option<Plan> {
        let key = selection_key(selected, &plain);
        let reads = context.page_reads.get_or_make(&key, || PageReads::new(selected, &plain, &context))?;
        Some(Plan { version, context, reads })
    }

    /// Whether the computed fields may read the column at `place` in the
    /// table's column order (not JSON).
    pub fn reads_column(&self, place: usize) -> bool {
        self.reads.columns.is_none_or(|c| place < 64 && c & (1 << place) != 0)
    }

    /// Whether the plan reads any path of the JSON column `column`
    /// ([`JSON_COLUMNS`] order) instead of the whole column.
    pub fn reads_paths_of(&self, column: usize) -> bool {
        self.reads.docs[column].is_some()
    }

    /// What the plan reads, as one value: equal for two plans only when
    /// they read the same (the same remembered [`PageReads`]).
    pub fn reads(&self) -> PlanReads {
        PlanReads(self.reads.clone())
    }

    /// The paths read, each with its JSON column ([`JSON_COLUMNS`] order).
    pub fn paths(&self) -> impl Iterator<Item = (usize, &[String])> {
        self.reads.gated_paths().map(|(k, path, _)| (k, path))
    }

    /// The expressions that select [`Plan::paths`]: the members of a JSON
    /// object of the values found at the paths, each under its place among
    /// them and led by a comma (`,"0":…,"7":…`; a path is left out where it
    /// holds nothing or its gate, if any, is not empty; empty or null when
    /// none holds anything), [`PATHS_PER_CELL`] paths per cell (the last
    /// one holding the rest). One cell per row instead of one per path:
    /// most of a page's path values are null, and reading a cell out of a
    /// row cost more than the few values found (an array holding the nulls,
    /// parsed, cost more again).
    pub fn path_cells(&self) -> impl Iterator<Item = SimpleExpr> {
        self.reads.cells.iter().map(|sql| Expr::cust(sql.clone()))
    }
}

/// What [`PageReads`] depends on in a page's selection: the name of each
/// field that does not read columns by name (`plain`), with the argument
/// that says what it reads (a custom field's `name`, a template's
/// `templateId`), each written with its length, so that two selections
/// have the same key only if they read the same.
fn selection_key(selected: &[SelectionField<'_>], plain: impl Fn(&str) -> bool) -> String {
    let mut key = String::new();
    let argument = |key: &mut String, value: Option<&str>| match value {
        Some(v) => {
            key.push_str(itoa::Buffer::new().format(v.len()));
            key.push(':');
            key.push_str(v);
        }
        None => key.push('-'),
    };
    for f in selected {
        let name = f.name();
        match name {
            "field" => {
                key.push_str(name);
                argument(&mut key, super::string_argument(f, "name").as_deref());
            }
            "renderedEmail" | "renderedCallScript" => {
                key.push_str(name);
                match template_id(f) {
                    Some(Some(id)) => {
                        argument(&mut key, Some(id.hyphenated().encode_lower(&mut Uuid::encode_buffer())))
                    }
                    Some(None) => key.push('0'),
                    None => key.push('-'),
                }
            }
            "enrichmentData" | "kernelAnalysis" | "productMatch" | "icpMatchScore" | "icpMatch" => {
                key.push_str(name)
            }
            name if plain(name) => continue,
            name => key.push_str(name),
        }
        key.push(',');
    }
    key
}

impl PageReads {
    /// What the contact fields `selected` read under `context` (see
    /// [`Plan::new`]).
    fn new(
        selected: &[SelectionField<'_>],
        plain: impl Fn(&str) -> bool,
        context: &WorkspaceContext,
    ) -> Option<PageReads> {
        let definitions = &context.fields.definitions;
        type Paths = BTreeMap<Vec<String>, Option<Gate>>;
        let mut docs: [Option<Paths>; 3] = [Some(Paths::new()), Some(Paths::new()), Some(Paths::new())];
        let mut columns: ColumnSet = 0;
        let mut every_column = false;
        let mut add = |read: FieldRead<'_>| {
            let (column, path) = match read {
                FieldRead::Column(c) => {
                    match super::column_place(c) {
                        Some(place) if place < 64 => columns |= 1 << place,
                        _ => every_column = true,
                    }
                    return;
                }
                FieldRead::Whole(c) => (c, None),
                FieldRead::Path(c, path, gate) => (c, Some((path, gate))),
            };
            let Some(k) = JSON_COLUMNS.iter().position(|c| *c == column) else { return };
            match (path, &mut docs[k]) {
                // Only keys that are safe to write as SQL literals.
                (Some((path, gate)), Some(paths)) if path.iter().all(|key| is_plain_key(key)) => {
                    let key: Vec<String> = path.iter().map(|key| (*key).to_owned()).collect();
                    // Read under two conditions: read always.
                    paths.entry(key).and_modify(|g| *g = g.filter(|g| Some(*g) == gate)).or_insert(gate);
                }
                _ => docs[k] = None,
            }
        };
        let mut every = false;
        for f in selected {
            match f.name() {
                "enrichmentData" => add(FieldRead::Whole("enrichment_data")),
                "kernelAnalysis" => add(FieldRead::Whole("kernel_analysis")),
                "productMatch" => add(FieldRead::Whole("product_match")),
                "field" => fields::reads(&super::string_argument(f, "name")?, definitions, &mut add),
                "icpMatchScore" | "icpMatch" => {
                    for c in crate::store::contacts::ICP_COLUMNS.into_iter().chain(["icp_id"]) {
                        add(FieldRead::Column(c));
                    }
                }
                name @ ("renderedEmail" | "renderedCallScript") => {
                    let kind = if name == "renderedEmail" { TemplateKind::Email } else { TemplateKind::Call };
                    let Some((subject, body)) = template_texts(context, kind, template_id(f)?) else {
                        continue;
                    };
                    for name in subject.into_iter().chain([body]).flat_map(|t| t.placeholder_names()) {
                        fields::reads(name, definitions, &mut add);
                        // `product_<key>`: the assigned product's catalog entry
                        if templates::is_product_variable(name).is_some() {
                            add(FieldRead::Column("assigned_product"));
                        }
                    }
                }
                name if plain(name) => {}
                _ => every = true,
            }
        }
        let docs = docs.map(|d| d.map(|paths| covered_left_out(paths.into_iter())));
        let columns = (!every && !every_column).then_some(columns);
        if docs.iter().all(Option::is_none) && columns.is_none() {
            return None;
        }
        let mut reads = PageReads { docs, columns, cells: Vec::new() };
        reads.cells = reads.cell_sql();
        Some(reads)
    }

    /// [`Plan::paths`], each with its gate (if any).
    fn gated_paths(&self) -> impl Iterator<Item = (usize, &[String], Option<Gate>)> {
        self.docs
            .iter()
            .enumerate()
            .flat_map(|(k, paths)| paths.iter().flatten().map(move |(p, gate)| (k, p.as_slice(), *gate)))
    }

    /// The SQL of [`Plan::path_cells`]. A cell is
    /// `CASE WHEN <a JSON column read> IS NOT NULL … THEN concat(<path>, …,
    /// CASE WHEN <gate> THEN concat(<path>, …) END, …) END`, each `<path>`
    /// written `',"<place>":' || (<column> -> '<key>' …)::text`: the paths
    /// under one gate are tested by it once, and a row whose read columns
    /// are all null evaluates nothing. Postgres builds every function call
    /// of a statement's expressions again each time it runs it (~2 k
    /// instructions each) and `concat` costs ~1 k per row, so the fewer
    /// calls the better: the benchmark's 20 paths cost Postgres 390 k
    /// instructions per page written with a gate and a `concat_ws`
    /// argument each, 256 k in this form (bench/RESULTS.md, session 34).
    fn cell_sql(&self) -> Vec<String> {
        let paths: Vec<(usize, &[String], Option<Gate>)> = self.gated_paths().collect();
        paths
            .chunks(PATHS_PER_CELL)
            .map(|chunk| {
                let mut sql = String::with_capacity(96 + 96 * chunk.len());
                sql.push_str("CASE WHEN ");
                let mut columns: Vec<usize> = chunk.iter().map(|(k, ..)| *k).collect();
                columns.sort_unstable();
                columns.dedup();
                for (n, k) in columns.into_iter().enumerate() {
                    if n > 0 {
                        sql.push_str(" OR ");
                    }
                    sql.push_str("\"contacts\".\"");
                    sql.push_str(JSON_COLUMNS[k]);
                    sql.push_str("\" IS NOT NULL");
                }
                sql.push_str(" THEN concat(");
                let mut gates: Vec<Option<Gate>> = Vec::new();
                for (_, _, gate) in chunk {
                    if !gates.contains(gate) {
                        gates.push(*gate);
                    }
                }
                for (n, gate) in gates.into_iter().enumerate() {
                    if n > 0 {
                        sql.push_str(", ");
                    }
                    let places = chunk.iter().enumerate().filter(|(_, (.., g))| *g == gate);
                    let Some(Gate { column, text }) = gate else {
                        push_paths(&mut sql, places);
                        continue;
                    };
                    sql.push_str("CASE WHEN \"contacts\".\"");
                    sql.push_str(column);
                    sql.push_str("\" IS NULL");
                    if text {
                        sql.push_str(" OR \"contacts\".\"");
                        sql.push_str(column);
                        sql.push_str("\" = ''");
                    }
                    sql.push_str(" THEN concat(");
                    push_paths(&mut sql, places);
                    sql.push_str(") END");
                }
                sql.push_str(") END");
                sql
            })
            .collect()
    }
}

/// Writes `',"<place>":' || (<column> -> '<key>' …)::text` for each path, by
/// its place in its cell, separated by commas (`concat`'s arguments: `||`
/// with a null is null, and `concat` leaves out its null arguments).
fn push_paths<'a>(
    sql: &mut String,
    places: impl Iterator<Item = (usize, &'a (usize, &'a [String], Option<Gate>))>,
) {
    for (n, (place, (k, path, _))) in places.enumerate() {
        if n > 0 {
            sql.push_str(", ");
        }
        sql.push_str("',\"");
        sql.push_str(itoa::Buffer::new().format(place));
        sql.push_str("\":' || (\"contacts\".\"");
        sql.push_str(JSON_COLUMNS[*k]);
        sql.push('"');
        for key in *path {
            sql.push_str(" -> '");
            sql.push_str(key);
            sql.push('\'');
        }
        sql.push_str(")::text");
    }
}

/// The most paths one cell of a page's row holds ([`Plan::path_cells`]): a
/// Postgres function takes at most 100 arguments (`concat`'s, here).
const PATHS_PER_CELL: usize = 99;

/// Whether `key` may be written inside an SQL string literal as it is.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `template_id`'s value: `Some(None)` when absent or null (the default
/// template), `None` when it cannot be read as a UUID (the resolver refuses
/// it; the plan reads everything whole).
fn template_id(f: &SelectionField<'_>) -> Option<Option<Uuid>> {
    let arguments = f.arguments().ok()?;
    match arguments.into_iter().find(|(n, _)| n.as_str() == "templateId").map(|(_, v)| v) {
        None | Some(async_graphql::Value::Null) => Some(None),
        Some(async_graphql::Value::String(s)) => s.parse().ok().map(Some),
        Some(_) => None,
    }
}

/// Sorted paths without those under another one that is read at least as
/// often (always, or under the same gate): that one reads them already.
fn covered_left_out(sorted: impl Iterator<Item = GatedPath>) -> Vec<GatedPath> {
    let mut kept: Vec<GatedPath> = Vec::new();
    for (path, gate) in sorted {
        let covered = kept
            .iter()
            .any(|(p, g)| path.len() > p.len() && path[..p.len()] == p[..] && (g.is_none() || *g == gate));
        if !covered {
            kept.push((path, gate));
        }
    }
    kept
}

/// A path with its JSON column ([`JSON_COLUMNS`] order).
type ColumnPath<'p> = (usize, &'p [String]);

/// The cells a page's rows hold its plan's paths in ([`Plan::path_cells`]),
/// listed once for the page.
pub(super) struct PathCells<'p> {
    /// Each cell's position in the rows, with its paths in order.
    cells: Vec<(usize, Vec<ColumnPath<'p>>)>,
    /// Whether each JSON column is read by path.
    by_path: [bool; 3],
}

impl<'p> PathCells<'p> {
    /// The cells of `plan`'s paths, at `at` (one per [`Plan::path_cells`], in order).
    pub fn new(plan: &'p Plan, at: &[usize]) -> Self {
        let paths: Vec<ColumnPath> = plan.paths().collect();
        let cells = paths.chunks(PATHS_PER_CELL).zip(at).map(|(chunk, &p)| (p, chunk.to_vec())).collect();
        PathCells { cells, by_path: [0, 1, 2].map(|k| plan.reads_paths_of(k)) }
    }

    /// The JSON columns of `row` (a Postgres row) as the plan read them, in
    /// [`JSON_COLUMNS`] order: each read by path rebuilt from the cells,
    /// holding the values found at its paths and nothing else (`None` when
    /// none was); each read whole from its cell at `whole_at` (`None`: not
    /// read). A path under another one is read only where that one may not
    /// be (see [`covered_left_out`]), so it either finds nothing there or the
    /// same value again. A JSON `null` found at a path is left out as nothing
    /// found there: every reader of a path takes `null` for nothing.
    pub fn docs(&self, row: &QueryResult, whole_at: [Option<usize>; 3]) -> Result<JsonDocs, DbErr> {
        let mut found: [Map<String, Value>; 3] = Default::default();
        let bad = |e: &dyn std::fmt::Display| DbErr::Type(format!("a page's path cell: {e}"));
        for (p, paths) in &self.cells {
            let members = match crate::store::contacts::str_cell(row, *p)? {
                None | Some("") => continue,
                Some(text) => text.strip_prefix(',').ok_or_else(|| bad(&text))?,
            };
            let mut object = String::with_capacity(members.len() + 2);
            object.push('{');
            object.push_str(members);
            object.push('}');
            let values: Map<String, Value> = serde_json::from_str(&object).map_err(|e| bad(&e))?;
            for (place, value) in values {
                let &(k, path) =
                    place.parse::<usize>().ok().and_then(|i| paths.get(i)).ok_or_else(|| bad(&place))?;
                if !value.is_null() {
                    insert_at(&mut found[k], path, value);
                }
            }
        }
        let mut docs = JsonDocs::default();
        for (k, (doc, found)) in docs.iter_mut().zip(found).enumerate() {
            *doc = match (self.by_path[k], whole_at[k]) {
                (true, _) => (!found.is_empty()).then_some(Value::Object(found)),
                (false, Some(p)) => crate::store::contacts::json_cell(row, p)?,
                (false, None) => None,
            };
        }
        Ok(docs)
    }
}

/// Puts `value` at `path` in `object`, making the objects on the way.
fn insert_at(object: &mut Map<String, Value>, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else { return };
    if rest.is_empty() {
        object.insert(first.clone(), value);
        return;
    }
    let entry = object.entry(first.clone()).or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(next) = entry {
        insert_at(next, rest, value);
    }
}
