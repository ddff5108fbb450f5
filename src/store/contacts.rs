//! Contacts: bulk inserts (seed, import), the enrichment backfill applied to
//! a row, and the views of a row that the domain rules take.

use chrono::Utc;
use entity::contacts::{self, Column, Model};
use sea_orm::sea_query::{Alias, Expr, InsertStatement, Query, SimpleExpr};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, EntityTrait, Iterable, ModelTrait, QueryResult, Select};
use serde_json::Value;

use super::{for_backend, rfc3339};
use crate::domain::enrichment::{self, Derived};
use crate::domain::fields::FieldSource;
use crate::domain::icp::IcpContact;

/// Rows per multi-row INSERT: as many as the backend's bind-parameter limit
/// allows (Postgres 65 535, SQLite 32 766).
pub fn insert_batch_size(backend: DbBackend) -> usize {
    let params = if backend == DbBackend::Postgres { 65_000 } else { 32_000 };
    params / Column::iter().count()
}

/// One INSERT of `rows`, every column written.
pub fn insert_statement(backend: DbBackend, rows: &[Model]) -> InsertStatement {
    let mut stmt = Query::insert();
    stmt.into_table(contacts::Entity).columns(Column::iter());
    for row in rows {
        let values: Vec<SimpleExpr> =
            Column::iter().map(|c| Expr::val(for_backend(backend, row.get(c)))).collect();
        stmt.values_panic(values);
    }
    stmt
}

/// `contacts` with no column selected yet: `Entity::find().select_only()`
/// without making (and dropping) an expression for each of its ~50 columns
/// on every request.
pub fn select_none() -> Select<contacts::Entity> {
    static NONE: std::sync::LazyLock<Select<contacts::Entity>> =
        std::sync::LazyLock::new(|| sea_orm::QuerySelect::select_only(contacts::Entity::find()));
    NONE.clone()
}

/// Columns of `Column::iter()` as bits: bit `k` is the `k`th column.
pub type ColumnSet = u64;

/// Every column.
pub fn all_columns() -> ColumnSet {
    static ALL: std::sync::LazyLock<ColumnSet> = std::sync::LazyLock::new(|| {
        let n = Column::iter().count();
        assert!(n < 64, "a ColumnSet holds at most 63 columns");
        (1 << n) - 1
    });
    *ALL
}

/// `contacts` selecting the columns of `set`, in `Column::iter()` order, as
/// `Entity::find()` selects them ([`column_list`]); more expressions may
/// follow.
pub fn select_columns(backend: DbBackend, set: ColumnSet) -> Select<contacts::Entity> {
    sea_orm::QuerySelect::expr(select_none(), column_list(backend, set))
}

/// The columns of `set`, in `Column::iter()` order, as `Entity::find()`
/// selects them, as one select expression. The list's SQL is written once
/// per set and backend (SeaORM would make ~50 expressions for every request
/// and write each name again).
pub fn column_list(backend: DbBackend, set: ColumnSet) -> Expr {
    type Lists = std::collections::HashMap<(bool, ColumnSet), std::sync::Arc<str>>;
    static LISTS: std::sync::LazyLock<std::sync::Mutex<Lists>> = std::sync::LazyLock::new(Default::default);
    let key = (backend == DbBackend::Postgres, set);
    let known = LISTS.lock().unwrap_or_else(|e| e.into_inner()).get(&key).cloned();
    let list = match known {
        Some(list) => list,
        None => {
            let mut select = select_none();
            for (k, c) in Column::iter().enumerate() {
                if set & (1 << k) != 0 {
                    select = sea_orm::QuerySelect::column(select, c);
                }
            }
            let sql = sea_orm::QueryTrait::build(&select, backend).sql;
            let list: std::sync::Arc<str> = sql
                .strip_prefix("SELECT ")
                .and_then(|rest| rest.rsplit_once(" FROM "))
                .map(|(list, _)| list)
                .unwrap_or_else(|| panic!("a SELECT without its column list: {sql}"))
                .into();
            let mut lists = LISTS.lock().unwrap_or_else(|e| e.into_inner());
            // A bounded memo: selections are few in practice.
            if lists.len() >= 1024 {
                lists.clear();
            }
            lists.insert(key, list.clone());
            list
        }
    };
    Expr::cust(list.to_string())
}

/// Decodes a contact row by column position: columns `0..N` in the order of
/// `Column::iter()`, which is how `contacts::Entity::find()` and the list
/// query's own column list select them (extra columns may follow). SeaORM's
/// derived decoder looks every cell up by a freshly formatted name, and its
/// positional one formats the index into a string for every NULL cell; on
/// Postgres the cells are read straight from the sqlx row instead, without a
/// per-cell type check (the statement is ours: the test below compares).
/// `tests/api/contacts.rs` checks it against the derived decoder.
pub fn model_from_row(row: &QueryResult) -> Result<Model, DbErr> {
    model_from_columns(row, &ALL_COLUMNS)
}

/// Every column of `Column::iter()` at its own position.
static ALL_COLUMNS: std::sync::LazyLock<Vec<Option<usize>>> =
    std::sync::LazyLock::new(|| (0..Column::iter().count()).map(Some).collect());

/// Decodes a contact row that carries only some columns: `at[k]` is the
/// position in the row of the `k`th column of `Column::iter()`, or `None`
/// when the row does not carry it and the model holds no value for it (a
/// nullable column is `None`, `tags` empty; every other column must be
/// carried). A page selects only what its fields read: the cells left out
/// are neither sent, nor split out of the row, nor decoded.
pub fn model_from_columns(row: &QueryResult, at: &[Option<usize>]) -> Result<Model, DbErr> {
    macro_rules! decode {
        ($cell:expr) => {{
            let mut i = 0usize;
            // Struct fields are evaluated in the order written: keep it the
            // declaration order of `entity::contacts::Model`.
            let model = decode!(@fields $cell, i,
            id,
            workspace_id,
            user_id,
            email,
            first_name,
            last_name,
            company,
            job_title,
            phone,
            linkedin_url,
            website,
            vertical,
            persona_type,
            annual_revenue,
            enrichment_status,
            enrichment_data,
            kernel_analysis,
            enriched_at,
            lifecycle_stage,
            lead_status,
            pipeline_stage,
            external_id,
            hubspot_id,
            created_at,
            updated_at,
            enrichment_company_name,
            enrichment_company_revenue,
            enrichment_company_employees,
            enrichment_company_industry,
            enrichment_company_growth_yoy,
            enrichment_person_title,
            enrichment_person_background,
            enrichment_last_enriched_at,
            enrichment_data_quality_score,
            kernel_who_persona,
            kernel_who_influence,
            kernel_when_urgency,
            kernel_when_timing_signal,
            kernel_what_hook,
            best_call_variant_number,
            email_subject,
            email_body_preview,
            assigned_product,
            icp_id,
            icp_match_score,
            product_match,
            campaign_id,
            email_send_id,
            source,
            tags,
            notes,
            );
            debug_assert_eq!(i, Column::iter().count());
            model
        }};
        (@fields $cell:expr, $i:ident, $($f:ident,)*) => {
            Model { $($f: { let v = $cell($i)?; $i += 1; v },)* }
        };
    }
    if let Some(pg) = row.try_as_pg_row() {
        return Ok(decode!(|i: usize| match at[i] {
            Some(p) => PgCell::get(pg, p),
            None => Absent::absent(i),
        }));
    }
    Ok(decode!(|i: usize| match at[i] {
        Some(p) => row.try_get_by_index(p),
        None => Absent::absent(i),
    }))
}

/// A contact's plain cells borrowed from its Postgres row: what a page
/// writes of a contact that nothing else asks a [`Model`] of (see
/// `graphql::contacts::node::ContactList`). Its texts are not copied out of
/// the row: decoding a page's strings into a model's `String`s, then
/// dropping them, was a quarter of a plain page's instructions. The JSON
/// columns are not among its cells (a page with computed fields keeps them
/// beside the row: [`RowFields`]). `Default` is a contact with no values
/// (for asking which fields are plain ones).
#[derive(Default)]
#[allow(missing_docs)] // the columns of `Model`, documented there, under the same names
pub struct ContactView<'r> {
    pub id: uuid::Uuid,
    pub user_id: Option<uuid::Uuid>,
    pub email: Option<RowText<'r>>,
    pub first_name: Option<RowText<'r>>,
    pub last_name: Option<RowText<'r>>,
    pub company: Option<RowText<'r>>,
    pub job_title: Option<RowText<'r>>,
    pub phone: Option<RowText<'r>>,
    pub linkedin_url: Option<RowText<'r>>,
    pub website: Option<RowText<'r>>,
    pub vertical: Option<RowText<'r>>,
    pub persona_type: Option<RowText<'r>>,
    pub annual_revenue: Option<i64>,
    pub enrichment_status: RowText<'r>,
    pub enriched_at: Option<RowTime>,
    pub lifecycle_stage: Option<RowText<'r>>,
    pub lead_status: Option<RowText<'r>>,
    pub pipeline_stage: Option<RowText<'r>>,
    pub external_id: Option<RowText<'r>>,
    pub hubspot_id: Option<RowText<'r>>,
    pub created_at: RowTime,
    pub updated_at: RowTime,
    pub enrichment_company_name: Option<RowText<'r>>,
    pub enrichment_company_revenue: Option<i64>,
    pub enrichment_company_employees: Option<i32>,
    pub enrichment_company_industry: Option<RowText<'r>>,
    pub enrichment_company_growth_yoy: Option<f64>,
    pub enrichment_person_title: Option<RowText<'r>>,
    pub enrichment_person_background: Option<RowText<'r>>,
    pub enrichment_last_enriched_at: Option<RowTime>,
    pub enrichment_data_quality_score: i32,
    pub kernel_who_persona: Option<RowText<'r>>,
    pub kernel_who_influence: Option<RowText<'r>>,
    pub kernel_when_urgency: Option<RowText<'r>>,
    pub kernel_when_timing_signal: Option<RowText<'r>>,
    pub kernel_what_hook: Option<RowText<'r>>,
    pub best_call_variant_number: Option<i32>,
    pub email_subject: Option<RowText<'r>>,
    pub email_body_preview: Option<RowText<'r>>,
    pub assigned_product: Option<RowText<'r>>,
    pub icp_id: Option<uuid::Uuid>,
    pub icp_match_score: Option<i32>,
    pub campaign_id: Option<uuid::Uuid>,
    pub email_send_id: Option<RowText<'r>>,
    pub source: Option<RowText<'r>>,
    pub tags: TagsRef<'r>,
    pub notes: Option<RowText<'r>>,
}

/// A `timestamptz` cell of a row: microseconds from the Unix epoch, within
/// chrono's range. A page writes it from these (`scalars::push_micros`)
/// instead of making a `DateTime` (whose date arithmetic, once to read the
/// cell and again to write it, was ~4 % of a plain page's instructions).
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct RowTime(i64);

impl std::fmt::Debug for RowTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.datetime(), f)
    }
}

impl RowTime {
    /// The earliest and the latest microsecond chrono holds.
    const RANGE: std::ops::RangeInclusive<i64> = chrono::DateTime::<Utc>::MIN_UTC.timestamp_micros()
        ..=chrono::DateTime::<Utc>::MAX_UTC.timestamp_micros();

    /// `micros` from the Unix epoch, if chrono can hold them.
    pub fn from_micros(micros: i64) -> Option<Self> {
        Self::RANGE.contains(&micros).then_some(Self(micros))
    }

    /// Microseconds from the Unix epoch.
    pub fn micros(self) -> i64 {
        self.0
    }
}

/// A `timestamptz` column of a [`Model`] (`DateTime`) or of a
/// [`ContactView`] ([`RowTime`]).
pub trait TimeCell {
    /// As a `DateTime`.
    fn datetime(&self) -> chrono::DateTime<Utc>;
}

impl TimeCell for chrono::DateTime<Utc> {
    fn datetime(&self) -> chrono::DateTime<Utc> {
        *self
    }
}

impl TimeCell for RowTime {
    fn datetime(&self) -> chrono::DateTime<Utc> {
        // In range: made only by `from_micros`.
        chrono::DateTime::from_timestamp_micros(self.0).unwrap_or_default()
    }
}

/// A text cell of a Postgres row, borrowed as Postgres sent it.
///
/// Postgres sends text in the connection's encoding, UTF-8 (sqlx's
/// `client_encoding`), converted from the database's and checked when it
/// was stored; only a `SQL_ASCII` database stores bytes unchecked, and
/// `Database::connect_url` refuses one. So a page writes these bytes into
/// its response as they are ([`RowText::bytes`]) instead of checking every
/// cell again (`from_utf8` was 6 % of a plain page's instructions), and
/// [`RowText::as_str`] checks them where a `&str` is read.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct RowText<'r>(&'r [u8]);

impl<'r> RowText<'r> {
    /// The cell's bytes: UTF-8.
    pub fn bytes(self) -> &'r [u8] {
        self.0
    }

    /// The cell's text; `"\u{FFFD}"` for bytes that are not UTF-8, which a
    /// database `Database::connect_url` accepts never sends.
    pub fn as_str(self) -> &'r str {
        crate::domain::fields::lent_text(self.0)
    }
}

impl std::fmt::Debug for RowText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

/// A text column of a [`Model`] or of a [`ContactView`], as a `&str`.
pub trait CellText {
    /// The text, `None` for a null.
    fn cell_text(&self) -> Option<&str>;
    /// Its UTF-8 bytes, not checked again ([`RowText::bytes`]).
    fn cell_utf8(&self) -> Option<&[u8]>;
}

impl CellText for Option<String> {
    fn cell_text(&self) -> Option<&str> {
        self.as_deref()
    }
    fn cell_utf8(&self) -> Option<&[u8]> {
        self.as_deref().map(str::as_bytes)
    }
}

impl CellText for Option<RowText<'_>> {
    fn cell_text(&self) -> Option<&str> {
        self.map(RowText::as_str)
    }
    fn cell_utf8(&self) -> Option<&[u8]> {
        self.map(RowText::bytes)
    }
}

impl CellText for String {
    fn cell_text(&self) -> Option<&str> {
        Some(self)
    }
    fn cell_utf8(&self) -> Option<&[u8]> {
        Some(self.as_bytes())
    }
}

impl CellText for RowText<'_> {
    fn cell_text(&self) -> Option<&str> {
        Some(self.as_str())
    }
    fn cell_utf8(&self) -> Option<&[u8]> {
        Some(self.bytes())
    }
}

/// A row's `tags`, borrowed from it (a [`ContactView`]'s; a [`Model`]'s
/// `Tags` owns them), as sent: each a [`RowText`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TagsRef<'r>(pub Vec<RowText<'r>>);

impl<'r> PgCellRef<'r> for TagsRef<'r> {
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        match raw_cell(row, i)? {
            None => Ok(TagsRef::default()),
            Some((bytes, true)) => text_array(bytes).map(TagsRef).map_err(|e| cell_error(i, &e)),
            Some((_, false)) => Err(cell_error(i, &"a text[] in text format")),
        }
    }
}

impl Absent for TagsRef<'_> {
    fn absent(_: usize) -> Result<Self, DbErr> {
        Ok(TagsRef::default())
    }
}

/// The texts of a one-dimensional `text[]` in Postgres's binary format
/// (`array_send`: dimensions, flags, element type, each dimension's length
/// and lower bound, then each element's length and bytes), borrowed. An
/// array with a null element, of more than one dimension or not starting
/// at 1 is an error, as sqlx's `Vec<String>` makes it. The elements are
/// text Postgres sent: UTF-8 unchecked, as every [`RowText`].
pub fn text_array(bytes: &[u8]) -> Result<Vec<RowText<'_>>, String> {
    fn int(rest: &mut &[u8]) -> Result<i32, String> {
        let (head, tail) = rest.split_first_chunk::<4>().ok_or("a text[] cut short")?;
        *rest = tail;
        Ok(i32::from_be_bytes(*head))
    }
    let mut rest = bytes;
    let dimensions = int(&mut rest)?;
    let _has_nulls = int(&mut rest)?;
    let _element_type = int(&mut rest)?;
    let len = match dimensions {
        0 => 0,
        1 => {
            let len = int(&mut rest)?;
            let lower_bound = int(&mut rest)?;
            if lower_bound != 1 {
                return Err(format!("a text[] starting at {lower_bound}"));
            }
            usize::try_from(len).map_err(|_| "a text[] of negative length")?
        }
        n => return Err(format!("a text[] of {n} dimensions")),
    };
    let mut items = Vec::with_capacity(len.min(bytes.len() / 4));
    for _ in 0..len {
        let n = usize::try_from(int(&mut rest)?).map_err(|_| "a text[] with a null element")?;
        let (item, tail) = rest.split_at_checked(n).ok_or("a text[] cut short")?;
        items.push(RowText(item));
        rest = tail;
    }
    if !rest.is_empty() {
        return Err("a text[] with bytes after its elements".to_owned());
    }
    Ok(items)
}

/// Where a page's rows carry each contact column (`Column` order; as
/// [`model_from_columns`] reads them), and how a [`ContactView`] reads its
/// cells from such a row: worked out once for the page, so that a row's view
/// reads only the cells its rows carry, in one pass over them, instead of
/// asking every one of the 47 columns whether it is there (which, with the
/// view moved out through two `Result`s, was ~7 % of a plain page's
/// instructions).
pub struct RowColumns {
    at: Box<[Option<usize>]>,
    /// Each carried column the view holds, with its position; `None` where a
    /// column the view requires is not carried (no view: ask the model).
    view: Option<Box<[(ViewCell, usize)]>>,
}

/// Reads one cell of a row into its field of a view.
type ViewCell = for<'r> fn(&mut ContactView<'r>, &'r sqlx::postgres::PgRow, usize) -> Result<(), DbErr>;

impl RowColumns {
    /// The columns at `at` (`Column` order: each one's position in the rows,
    /// `None` where the rows do not carry it).
    pub fn new(at: Vec<Option<usize>>) -> Self {
        let mut none = ContactView::default();
        let viewable = at.iter().enumerate().all(|(k, p)| p.is_some() || view_absent(&mut none, k).is_ok());
        let view = viewable
            .then(|| at.iter().enumerate().filter_map(|(k, p)| Some((view_cell(k)?, (*p)?))).collect());
        Self { at: at.into(), view }
    }

    /// Each column's position in the rows (`Column` order).
    pub fn at(&self) -> &[Option<usize>] {
        &self.at
    }

    /// Reads the [`ContactView`] of a Postgres `row` carrying these columns
    /// into `view`, setting every cell the rows carry: a column they do not
    /// carry keeps what `view` held, its default where `view` is only ever
    /// filled from rows of these columns. False for a row of another
    /// backend, columns that cannot make a view, or a cell that does not
    /// decode (the model then tells why); `view` is then left partly set.
    pub fn view_into<'r>(&self, row: &'r QueryResult, view: &mut ContactView<'r>) -> bool {
        let (Some(pg), Some(cells)) = (row.try_as_pg_row(), &self.view) else { return false };
        cells.iter().all(|(read, p)| read(view, pg, *p).is_ok())
    }
}

macro_rules! view_columns {
    ($($f:ident: $c:ident,)*) => {
        /// The reader of column `k`'s cell into its field of a view; `None`
        /// for a column the view does not hold.
        fn view_cell(k: usize) -> Option<ViewCell> {
            $(if k == Column::$c as usize {
                return Some(|view, row, p| {
                    view.$f = PgCellRef::get_ref(row, p)?;
                    Ok(())
                });
            })*
            None
        }

        /// Sets column `k`'s field of `view` as for a row that does not
        /// carry it; an error where the view requires the column.
        fn view_absent(view: &mut ContactView<'_>, k: usize) -> Result<(), DbErr> {
            $(if k == Column::$c as usize {
                view.$f = Absent::absent(k)?;
            })*
            Ok(())
        }
    };
}

view_columns!(
    id: Id,
    user_id: UserId,
    email: Email,
    first_name: FirstName,
    last_name: LastName,
    company: Company,
    job_title: JobTitle,
    phone: Phone,
    linkedin_url: LinkedinUrl,
    website: Website,
    vertical: Vertical,
    persona_type: PersonaType,
    annual_revenue: AnnualRevenue,
    enrichment_status: EnrichmentStatus,
    enriched_at: EnrichedAt,
    lifecycle_stage: LifecycleStage,
    lead_status: LeadStatus,
    pipeline_stage: PipelineStage,
    external_id: ExternalId,
    hubspot_id: HubspotId,
    created_at: CreatedAt,
    updated_at: UpdatedAt,
    enrichment_company_name: EnrichmentCompanyName,
    enrichment_company_revenue: EnrichmentCompanyRevenue,
    enrichment_company_employees: EnrichmentCompanyEmployees,
    enrichment_company_industry: EnrichmentCompanyIndustry,
    enrichment_company_growth_yoy: EnrichmentCompanyGrowthYoy,
    enrichment_person_title: EnrichmentPersonTitle,
    enrichment_person_background: EnrichmentPersonBackground,
    enrichment_last_enriched_at: EnrichmentLastEnrichedAt,
    enrichment_data_quality_score: EnrichmentDataQualityScore,
    kernel_who_persona: KernelWhoPersona,
    kernel_who_influence: KernelWhoInfluence,
    kernel_when_urgency: KernelWhenUrgency,
    kernel_when_timing_signal: KernelWhenTimingSignal,
    kernel_what_hook: KernelWhatHook,
    best_call_variant_number: BestCallVariantNumber,
    email_subject: EmailSubject,
    email_body_preview: EmailBodyPreview,
    assigned_product: AssignedProduct,
    icp_id: IcpId,
    icp_match_score: IcpMatchScore,
    campaign_id: CampaignId,
    email_send_id: EmailSendId,
    source: Source,
    tags: Tags,
    notes: Notes,
);

/// A contact cell borrowed from a Postgres row by position: texts as they
/// are in the row, anything else as [`PgCell`] reads it.
trait PgCellRef<'r>: Sized {
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr>;
}

impl<'r, T: PgCell> PgCellRef<'r> for T {
    #[inline(always)]
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        PgCell::get(row, i)
    }
}

impl<'r> PgCellRef<'r> for Option<&'r str> {
    #[inline(always)]
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        use sqlx::Row as _;
        row.try_get_unchecked(i).map_err(|e| DbErr::Type(format!("contact column {i}: {e}")))
    }
}

impl<'r> PgCellRef<'r> for Option<RowText<'r>> {
    #[inline(always)]
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        Ok(raw_cell(row, i)?.map(|(bytes, _)| RowText(bytes)))
    }
}

impl<'r> PgCellRef<'r> for RowText<'r> {
    #[inline(always)]
    fn get_ref(row: &'r sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        Option::<RowText>::get_ref(row, i)?
            .ok_or_else(|| DbErr::Type(format!("contact column {i}: unexpected null")))
    }
}

impl Absent for RowText<'_> {}

/// A JSON cell of a row (a contact read's extra column), by position.
pub fn json_cell(row: &QueryResult, p: usize) -> Result<Option<Value>, DbErr> {
    match row.try_as_pg_row() {
        Some(pg) => PgCell::get(pg, p),
        None => row.try_get_by_index(p),
    }
}

/// A text cell of a Postgres row (a contact read's extra column), by
/// position, borrowed from the row; an error for a row of another backend.
pub fn str_cell(row: &QueryResult, p: usize) -> Result<Option<&str>, DbErr> {
    match row.try_as_pg_row() {
        Some(pg) => PgCellRef::get_ref(pg, p),
        None => Err(DbErr::Type("only a Postgres row lends its texts".to_owned())),
    }
}

/// The value of a contact column a row does not carry.
trait Absent: Sized {
    fn absent(column: usize) -> Result<Self, DbErr> {
        Err(DbErr::Type(format!("contact column {column} is required but was not selected")))
    }
}

impl<T> Absent for Option<T> {
    fn absent(_: usize) -> Result<Self, DbErr> {
        Ok(None)
    }
}

impl Absent for entity::Tags {
    fn absent(_: usize) -> Result<Self, DbErr> {
        Ok(entity::Tags::default())
    }
}

impl Absent for uuid::Uuid {}
impl Absent for String {}
impl Absent for i32 {}
impl Absent for chrono::DateTime<Utc> {}
impl Absent for RowTime {}

/// A contact cell read from a Postgres row by position.
trait PgCell: Sized {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr>;
}

/// A cell as Postgres sent it: its bytes (`None` for a null) and whether
/// they are in binary format. sqlx's typed reading moves each cell's value
/// reference (with a clone of its column's type) through several `Result`s,
/// ~120 instructions a cell (a page reads 800); the cells this module knows
/// the binary form of are read from their bytes instead, and anything else
/// (a text-format cell of a simple query, say) still goes through sqlx.
#[inline(always)]
fn raw_cell(row: &sqlx::postgres::PgRow, i: usize) -> Result<Option<(&[u8], bool)>, DbErr> {
    use sqlx::{Row as _, ValueRef as _};
    match row.try_get_raw(i) {
        Ok(raw) if raw.is_null() => Ok(None),
        Ok(raw) => {
            let binary = raw.format() == sqlx::postgres::PgValueFormat::Binary;
            raw.as_bytes().map(|b| Some((b, binary))).map_err(|e| cell_error(i, &*e))
        }
        Err(e) => Err(cell_error(i, &e)),
    }
}

#[cold]
#[inline(never)]
fn cell_error(i: usize, e: &dyn std::fmt::Display) -> DbErr {
    DbErr::Type(format!("contact column {i}: {e}"))
}

/// A cell read the way sqlx decodes its type.
fn sqlx_cell<T>(row: &sqlx::postgres::PgRow, i: usize) -> Result<T, DbErr>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    use sqlx::Row as _;
    row.try_get_unchecked(i).map_err(|e| cell_error(i, &e))
}

/// A non-null cell: its nullable reading, null refused.
fn required<T>(cell: Option<T>, i: usize) -> Result<T, DbErr> {
    cell.ok_or_else(|| cell_error(i, &"unexpected null"))
}

/// Cells whose binary form is a fixed number of big-endian bytes (`uuid`:
/// its 16 bytes; `int4`, `int8`, `float8`); read from them when binary.
macro_rules! fixed_cells {
    ($($t:ty: $n:literal => $from:expr;)*) => {$(
        impl PgCell for Option<$t> {
            #[inline(always)]
            fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
                match raw_cell(row, i)? {
                    None => Ok(None),
                    Some((bytes, true)) if bytes.len() == $n => {
                        let bytes: [u8; $n] = bytes.try_into().expect("length checked");
                        Ok(Some($from(bytes)))
                    }
                    Some(_) => sqlx_cell(row, i),
                }
            }
        }

        impl PgCell for $t {
            fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
                required(PgCell::get(row, i)?, i)
            }
        }
    )*};
}
fixed_cells!(
    uuid::Uuid: 16 => uuid::Uuid::from_bytes;
    i32: 4 => i32::from_be_bytes;
    i64: 8 => i64::from_be_bytes;
    f64: 8 => f64::from_be_bytes;
);

impl PgCell for Option<String> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        match raw_cell(row, i)? {
            None => Ok(None),
            Some((bytes, _)) => {
                std::str::from_utf8(bytes).map(|s| Some(s.to_owned())).map_err(|e| cell_error(i, &e))
            }
        }
    }
}

impl PgCell for String {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        required(PgCell::get(row, i)?, i)
    }
}

impl PgCell for Option<Vec<String>> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        sqlx_cell(row, i)
    }
}

impl PgCell for Option<Value> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        use sqlx::{Row as _, ValueRef as _};
        let err = |e: sqlx::error::BoxDynError| DbErr::Type(format!("contact column {i}: {e}"));
        let raw = row.try_get_raw(i).map_err(|e| err(e.into()))?;
        // A page's JSON path cells are mostly null (a derived column's
        // sources are read only while it is empty): told apart first.
        if raw.is_null() {
            return Ok(None);
        }
        <Value as sqlx::Decode<'_, sqlx::Postgres>>::decode(raw).map(Some).map_err(err)
    }
}

/// Microseconds from the Unix epoch to Postgres's (2000-01-01).
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// A binary `timestamptz` cell's microseconds from the Unix epoch
/// (Postgres sends them from 2000-01-01 UTC); `None` for any other cell.
fn unix_micros((bytes, binary): (&[u8], bool)) -> Option<i64> {
    let be = <[u8; 8]>::try_from(bytes).ok().filter(|_| binary)?;
    i64::from_be_bytes(be).checked_add(PG_EPOCH_MICROS)
}

impl PgCell for Option<chrono::DateTime<Utc>> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        // Read directly, where sqlx adds the microseconds to its epoch
        // through date arithmetic (~10 % of decoding a page's row).
        // Anything else (text, a value past chrono's range) takes sqlx's way.
        match raw_cell(row, i)? {
            None => Ok(None),
            Some(cell)
                if let Some(t) = unix_micros(cell).and_then(chrono::DateTime::from_timestamp_micros) =>
            {
                Ok(Some(t))
            }
            Some(_) => sqlx_cell(row, i),
        }
    }
}

impl PgCell for Option<RowTime> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        match raw_cell(row, i)? {
            None => Ok(None),
            Some(cell) if let Some(t) = unix_micros(cell).and_then(RowTime::from_micros) => Ok(Some(t)),
            Some(_) => Ok(Option::<chrono::DateTime<Utc>>::get(row, i)?
                .and_then(|t| RowTime::from_micros(t.timestamp_micros()))),
        }
    }
}

impl PgCell for RowTime {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        required(PgCell::get(row, i)?, i)
    }
}

impl PgCell for chrono::DateTime<Utc> {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        required(PgCell::get(row, i)?, i)
    }
}

impl PgCell for entity::Tags {
    fn get(row: &sqlx::postgres::PgRow, i: usize) -> Result<Self, DbErr> {
        Ok(entity::Tags(Option::<Vec<String>>::get(row, i)?.unwrap_or_default()))
    }
}

/// Contacts whose `lower(email)` is one of `keys` (lower-case already). On
/// Postgres through `latticeiq_contact_ids_by_email`: under RLS `lower` may
/// not be an index condition, and the plain condition reads every contact of
/// the workspace (see pg_0011_email_lookup_up.sql). The ids are an array
/// computed once (an InitPlan): as `IN (…)`, a planner without statistics
/// may run the function again for every row of an outer scan.
pub fn email_in(backend: DbBackend, keys: &[String]) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values(
            "\"contacts\".\"id\" = ANY(ARRAY(SELECT latticeiq_contact_ids_by_email($1::text[])))",
            [super::string_array(backend, keys)],
        ),
        _ => sea_orm::sea_query::ExprTrait::is_in(
            sea_orm::sea_query::Func::lower(Expr::col((contacts::Entity, Column::Email))),
            keys.iter().cloned(),
        ),
    }
}

/// Inserts `rows` in batches; returns how many were inserted.
pub async fn insert_many(conn: &impl ConnectionTrait, rows: &[Model]) -> Result<u64, DbErr> {
    let backend = conn.get_database_backend();
    let mut inserted = 0;
    for chunk in rows.chunks(insert_batch_size(backend)) {
        inserted += conn.execute(&insert_statement(backend, chunk)).await?.rows_affected();
    }
    Ok(inserted)
}

/// An UPDATE writing every column of `m` except its keys and timestamps
/// (`updated_at` is the trigger's).
pub fn update_statement(backend: DbBackend, m: &Model) -> sea_orm::sea_query::UpdateStatement {
    use sea_orm::sea_query::ExprTrait as _;
    let mut stmt = Query::update();
    stmt.table(contacts::Entity);
    for c in Column::iter() {
        if matches!(c, Column::Id | Column::WorkspaceId | Column::CreatedAt | Column::UpdatedAt) {
            continue;
        }
        stmt.value(c, for_backend(backend, m.get(c)));
    }
    stmt.and_where(Expr::col(Column::WorkspaceId).eq(m.workspace_id))
        .and_where(Expr::col(Column::Id).eq(m.id));
    stmt
}

/// Sets a text column by name (the columns an import or an input can give).
pub fn set_text(m: &mut Model, column: &str, value: Option<String>) {
    let slot = match column {
        "email" => &mut m.email,
        "first_name" => &mut m.first_name,
        "last_name" => &mut m.last_name,
        "company" => &mut m.company,
        "job_title" => &mut m.job_title,
        "phone" => &mut m.phone,
        "linkedin_url" => &mut m.linkedin_url,
        "website" => &mut m.website,
        "vertical" => &mut m.vertical,
        "persona_type" => &mut m.persona_type,
        "lifecycle_stage" => &mut m.lifecycle_stage,
        "lead_status" => &mut m.lead_status,
        "pipeline_stage" => &mut m.pipeline_stage,
        "external_id" => &mut m.external_id,
        "hubspot_id" => &mut m.hubspot_id,
        "assigned_product" => &mut m.assigned_product,
        "notes" => &mut m.notes,
        "source" => &mut m.source,
        _ => return,
    };
    *slot = value;
}

/// The derived columns of a row.
pub fn derived_of(m: &Model) -> Derived {
    Derived {
        enrichment_company_name: m.enrichment_company_name.clone(),
        enrichment_company_industry: m.enrichment_company_industry.clone(),
        enrichment_company_revenue: m.enrichment_company_revenue,
        enrichment_company_employees: m.enrichment_company_employees,
        enrichment_company_growth_yoy: m.enrichment_company_growth_yoy,
        enrichment_person_title: m.enrichment_person_title.clone(),
        enrichment_person_background: m.enrichment_person_background.clone(),
        kernel_who_persona: m.kernel_who_persona.clone(),
        kernel_who_influence: m.kernel_who_influence.clone(),
        kernel_when_urgency: m.kernel_when_urgency.clone(),
        kernel_when_timing_signal: m.kernel_when_timing_signal.clone(),
        kernel_what_hook: m.kernel_what_hook.clone(),
    }
}

/// Writes `d` into the row's derived columns and recomputes its quality score.
pub fn set_derived(m: &mut Model, d: Derived) {
    m.enrichment_data_quality_score = d.quality_score();
    m.enrichment_company_name = d.enrichment_company_name;
    m.enrichment_company_industry = d.enrichment_company_industry;
    m.enrichment_company_revenue = d.enrichment_company_revenue;
    m.enrichment_company_employees = d.enrichment_company_employees;
    m.enrichment_company_growth_yoy = d.enrichment_company_growth_yoy;
    m.enrichment_person_title = d.enrichment_person_title;
    m.enrichment_person_background = d.enrichment_person_background;
    m.kernel_who_persona = d.kernel_who_persona;
    m.kernel_who_influence = d.kernel_who_influence;
    m.kernel_when_urgency = d.kernel_when_urgency;
    m.kernel_when_timing_signal = d.kernel_when_timing_signal;
    m.kernel_what_hook = d.kernel_what_hook;
}

/// Enriches a row in memory (SPEC §6.2): stores the JSON (an omitted kernel
/// analysis keeps the stored one), fills every derived column it can without
/// emptying any, marks it completed now, and recomputes the quality score.
pub fn enrich(m: &mut Model, enrichment_data: Value, kernel_analysis: Option<Value>) {
    if let Some(k) = kernel_analysis {
        m.kernel_analysis = Some(k);
    }
    let d = enrichment::backfill(&derived_of(m), &enrichment_data, m.kernel_analysis.as_ref());
    set_derived(m, d);
    m.enrichment_data = Some(enrichment_data);
    let now = super::truncate_micros(Utc::now());
    m.enrichment_status = "completed".to_owned();
    m.enriched_at = Some(now);
    m.enrichment_last_enriched_at = Some(now);
}

/// The columns ICP scoring reads ([`icp_contact`]).
pub const ICP_COLUMNS: [&str; 5] = [
    "enrichment_company_industry",
    "vertical",
    "kernel_who_persona",
    "persona_type",
    "enrichment_company_employees",
];

/// The columns ICP scoring reads of `$m`, a [`Model`] or a [`ContactView`]
/// (their columns have the same names; [`CellText`] borrows both's texts).
macro_rules! icp_contact {
    ($m:expr) => {
        IcpContact {
            enrichment_company_industry: $m.enrichment_company_industry.cell_text(),
            vertical: $m.vertical.cell_text(),
            kernel_who_persona: $m.kernel_who_persona.cell_text(),
            persona_type: $m.persona_type.cell_text(),
            enrichment_company_employees: $m.enrichment_company_employees.map(i64::from),
        }
    };
}

/// The columns ICP scoring reads.
pub fn icp_contact(m: &Model) -> IcpContact<'_> {
    icp_contact!(m)
}

/// The columns ICP scoring reads, of a row.
pub fn icp_contact_of_view<'v>(v: &'v ContactView<'_>) -> IcpContact<'v> {
    icp_contact!(v)
}

/// The text of the text column `$name` of `$m`, a [`Model`] or a
/// [`ContactView`], borrowed by the [`CellText`] method `$as` (`None` inside
/// when it is null); `None` for a column that is not a text column.
macro_rules! text_column {
    ($m:expr, $name:expr, $as:ident) => {{
        let m = $m;
        match $name {
            "email" => Some(m.email.$as()),
            "first_name" => Some(m.first_name.$as()),
            "last_name" => Some(m.last_name.$as()),
            "company" => Some(m.company.$as()),
            "job_title" => Some(m.job_title.$as()),
            "phone" => Some(m.phone.$as()),
            "linkedin_url" => Some(m.linkedin_url.$as()),
            "website" => Some(m.website.$as()),
            "vertical" => Some(m.vertical.$as()),
            "persona_type" => Some(m.persona_type.$as()),
            "lifecycle_stage" => Some(m.lifecycle_stage.$as()),
            "lead_status" => Some(m.lead_status.$as()),
            "pipeline_stage" => Some(m.pipeline_stage.$as()),
            "external_id" => Some(m.external_id.$as()),
            "hubspot_id" => Some(m.hubspot_id.$as()),
            "enrichment_company_name" => Some(m.enrichment_company_name.$as()),
            "enrichment_company_industry" => Some(m.enrichment_company_industry.$as()),
            "enrichment_person_title" => Some(m.enrichment_person_title.$as()),
            "enrichment_person_background" => Some(m.enrichment_person_background.$as()),
            "kernel_who_persona" => Some(m.kernel_who_persona.$as()),
            "kernel_who_influence" => Some(m.kernel_who_influence.$as()),
            "kernel_when_urgency" => Some(m.kernel_when_urgency.$as()),
            "kernel_when_timing_signal" => Some(m.kernel_when_timing_signal.$as()),
            "kernel_what_hook" => Some(m.kernel_what_hook.$as()),
            "email_subject" => Some(m.email_subject.$as()),
            "email_body_preview" => Some(m.email_body_preview.$as()),
            "assigned_product" => Some(m.assigned_product.$as()),
            "email_send_id" => Some(m.email_send_id.$as()),
            "source" => Some(m.source.$as()),
            "notes" => Some(m.notes.$as()),
            _ => None,
        }
    }};
}

/// The value of the column `$name` of `$m`, a [`Model`] or a [`ContactView`]
/// (`FieldSource::column`; their columns have the same names, and
/// [`CellText`] borrows both's texts); a JSON column's by `$json(name)`. The columns are
/// `fields::CONTACT_COLUMNS`: `workspace_id` is not one (`Null`).
macro_rules! column_value {
    ($m:expr, $name:expr, $json:expr) => {{
        let m = $m;
        let text = |v: Option<&str>| v.map(|t| Value::String(t.to_owned())).unwrap_or(Value::Null);
        let json_num = |v: Option<i64>| v.map(Value::from).unwrap_or(Value::Null);
        let ts =
            |v: Option<chrono::DateTime<Utc>>| v.map(|t| Value::String(rfc3339(&t))).unwrap_or(Value::Null);
        let uuid = |v: Option<&uuid::Uuid>| v.map(|u| Value::String(u.to_string())).unwrap_or(Value::Null);
        if let Some(t) = text_column!(m, $name, cell_text) {
            return text(t);
        }
        match $name {
            name @ ("enrichment_data" | "kernel_analysis" | "product_match") => $json(name),
            "id" => Value::String(m.id.to_string()),
            "user_id" => uuid(m.user_id.as_ref()),
            "annual_revenue" => json_num(m.annual_revenue),
            "enrichment_status" => text(m.enrichment_status.cell_text()),
            "enriched_at" => ts(m.enriched_at.as_ref().map(TimeCell::datetime)),
            "created_at" => Value::String(rfc3339(&m.created_at.datetime())),
            "updated_at" => Value::String(rfc3339(&m.updated_at.datetime())),
            "enrichment_company_revenue" => json_num(m.enrichment_company_revenue),
            "enrichment_company_employees" => json_num(m.enrichment_company_employees.map(i64::from)),
            "enrichment_company_growth_yoy" => {
                m.enrichment_company_growth_yoy.map(Value::from).unwrap_or(Value::Null)
            }
            "enrichment_last_enriched_at" => {
                ts(m.enrichment_last_enriched_at.as_ref().map(TimeCell::datetime))
            }
            "enrichment_data_quality_score" => Value::from(m.enrichment_data_quality_score),
            "best_call_variant_number" => json_num(m.best_call_variant_number.map(i64::from)),
            "icp_id" => uuid(m.icp_id.as_ref()),
            "icp_match_score" => json_num(m.icp_match_score.map(i64::from)),
            "campaign_id" => uuid(m.campaign_id.as_ref()),
            "tags" => {
                Value::Array(m.tags.0.iter().filter_map(CellText::cell_text).map(Value::from).collect())
            }
            _ => Value::Null,
        }
    }};
}

/// A row seen by the field-access rules (SPEC §6.1).
pub struct ContactFields<'a>(pub &'a Model);

/// A page's contact seen by the field-access rules: its row's cells and
/// its JSON columns as the page read them ([`JSON_COLUMNS`] order: whole,
/// rebuilt from the paths its computed fields read, or `None` where they
/// read nothing of it).
///
/// [`JSON_COLUMNS`]: crate::domain::fields::JSON_COLUMNS
pub struct RowFields<'v, 'r>(pub &'v ContactView<'r>, pub &'v JsonDocs);

/// A contact's JSON columns, in `fields::JSON_COLUMNS` order.
pub type JsonDocs = [Option<Value>; 3];

/// A model's JSON columns, in `fields::JSON_COLUMNS` order.
pub fn json_columns_mut(m: &mut Model) -> [&mut Option<Value>; 3] {
    [&mut m.enrichment_data, &mut m.kernel_analysis, &mut m.product_match]
}

/// Where a JSON column is in `fields::JSON_COLUMNS`.
fn json_column(name: &str) -> Option<usize> {
    crate::domain::fields::JSON_COLUMNS.iter().position(|c| *c == name)
}

impl FieldSource for ContactFields<'_> {
    fn column_ref(&self, name: &str) -> std::borrow::Cow<'_, Value> {
        let m = self.0;
        let json = match name {
            "enrichment_data" => &m.enrichment_data,
            "kernel_analysis" => &m.kernel_analysis,
            "product_match" => &m.product_match,
            _ => return std::borrow::Cow::Owned(self.column(name)),
        };
        std::borrow::Cow::Borrowed(json.as_ref().unwrap_or(&crate::domain::fields::NULL))
    }

    fn column(&self, name: &str) -> Value {
        column_value!(self.0, name, |name: &str| self.column_ref(name).into_owned())
    }

    fn utf8(&self, name: &str) -> Option<Option<&[u8]>> {
        text_column!(self.0, name, cell_utf8)
    }
}

impl FieldSource for RowFields<'_, '_> {
    fn column_ref(&self, name: &str) -> std::borrow::Cow<'_, Value> {
        match json_column(name) {
            Some(k) => std::borrow::Cow::Borrowed(self.1[k].as_ref().unwrap_or(&crate::domain::fields::NULL)),
            None => std::borrow::Cow::Owned(self.column(name)),
        }
    }

    fn column(&self, name: &str) -> Value {
        column_value!(self.0, name, |name: &str| self.column_ref(name).into_owned())
    }

    fn utf8(&self, name: &str) -> Option<Option<&[u8]>> {
        text_column!(self.0, name, cell_utf8)
    }
}

/// A new, empty contact row for `workspace_id` (every optional column empty).
pub fn blank(workspace_id: uuid::Uuid) -> Model {
    let now = super::truncate_micros(Utc::now());
    Model {
        id: uuid::Uuid::new_v4(),
        workspace_id,
        user_id: None,
        email: None,
        first_name: None,
        last_name: None,
        company: None,
        job_title: None,
        phone: None,
        linkedin_url: None,
        website: None,
        vertical: None,
        persona_type: None,
        annual_revenue: None,
        enrichment_status: "pending".to_owned(),
        enrichment_data: None,
        kernel_analysis: None,
        enriched_at: None,
        lifecycle_stage: None,
        lead_status: None,
        pipeline_stage: None,
        external_id: None,
        hubspot_id: None,
        created_at: now,
        updated_at: now,
        enrichment_company_name: None,
        enrichment_company_revenue: None,
        enrichment_company_employees: None,
        enrichment_company_industry: None,
        enrichment_company_growth_yoy: None,
        enrichment_person_title: None,
        enrichment_person_background: None,
        enrichment_last_enriched_at: None,
        enrichment_data_quality_score: 0,
        kernel_who_persona: None,
        kernel_who_influence: None,
        kernel_when_urgency: None,
        kernel_when_timing_signal: None,
        kernel_what_hook: None,
        best_call_variant_number: None,
        email_subject: None,
        email_body_preview: None,
        assigned_product: None,
        icp_id: None,
        icp_match_score: None,
        product_match: None,
        campaign_id: None,
        email_send_id: None,
        source: None,
        tags: entity::Tags::default(),
        notes: None,
    }
}

/// The table name, for hand-built statements.
pub fn table() -> Alias {
    Alias::new("contacts")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::fields::{ALIASES, CONTACT_COLUMNS, ColumnText, FieldDefinition, Resolver};

    #[test]
    fn a_lent_text_is_the_value_the_field_rules_give() {
        let mut m = blank(uuid::Uuid::nil());
        m.first_name = Some("Ann \"A\"\n".into());
        m.last_name = Some(String::new());
        m.company = Some("Initech".into());
        m.enrichment_company_name = Some(String::new());
        m.persona_type = Some("Champion".into());
        m.enrichment_person_title = Some("CFO".into());
        m.job_title = Some("Finance".into());
        m.kernel_what_hook = Some("Your Reno expansion".into());
        m.enrichment_company_employees = Some(340);
        m.enrichment_data = Some(json!({"company": {"industry": "Fintech"}, "custom": {"x": "y"}}));
        let definitions = [FieldDefinition { field_name: "custom_x".into(), jsonb_path: "custom.x".into() }];
        let source = ContactFields(&m);
        let names = CONTACT_COLUMNS.iter().copied().chain(ALIASES.iter().map(|(alias, _)| *alias));
        let (mut lent, mut past) = (Vec::new(), Vec::new());
        for name in names.chain(["custom_x"]) {
            match source.utf8(name) {
                Some(Some(text)) => {
                    assert_eq!(source.column(name).as_str().map(str::as_bytes), Some(text), "{name}")
                }
                Some(None) => assert_eq!(source.column(name), Value::Null, "{name}"),
                None => {}
            }
            let resolver = Resolver::new(name, &definitions).unwrap();
            match resolver.text_of(&source) {
                Some(ColumnText::Text(text)) => {
                    assert_eq!(
                        resolver.value(&source).as_ref().and_then(Value::as_str).map(str::as_bytes),
                        Some(text),
                        "{name}"
                    );
                    lent.push(name);
                }
                Some(ColumnText::Past(value)) => {
                    assert_eq!(resolver.value(&source), value, "{name}");
                    past.push(name);
                }
                None => {}
            }
        }
        // The texts set are lent, an alias's from its first non-empty column;
        // empty texts, other columns, full_name and definitions are not.
        for name in ["first_name", "company", "company_name", "persona", "title", "hook", "persona_type"] {
            assert!(lent.contains(&name), "{name} in {lent:?}");
        }
        for name in
            ["last_name", "enrichment_company_name", "full_name", "company_employees", "custom_x", "id"]
        {
            assert!(!lent.contains(&name), "{name} in {lent:?}");
        }
        // Names whose text columns are all empty (or that have none) are
        // read past them: a definition's path, the JSON columns where a
        // column is derived from them.
        for name in
            ["last_name", "enrichment_company_name", "industry", "enrichment_company_industry", "custom_x"]
        {
            assert!(past.contains(&name), "{name} in {past:?}");
        }
        for name in ["full_name", "company_employees", "id"] {
            assert!(!past.contains(&name), "{name} in {past:?}");
        }
        let text_of = |name: &str| Resolver::new(name, &definitions).unwrap().text_of(&source);
        assert_eq!(text_of("title"), Some(ColumnText::Text(b"CFO")));
        assert_eq!(text_of("company_name"), Some(ColumnText::Text(b"Initech")));
        assert_eq!(text_of("industry"), Some(ColumnText::Past(Some(json!("Fintech")))));
        assert_eq!(text_of("last_name"), Some(ColumnText::Past(None)));
        assert_eq!(text_of("custom_x"), Some(ColumnText::Past(Some(json!("y")))));
    }
}
