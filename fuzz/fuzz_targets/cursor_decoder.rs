//! Fuzzes the Relay cursor decoder (`latticeiq::graphql::pagination::Cursor`)
//! and, as a second stage, the contacts keyset condition built from a decoded
//! cursor (`latticeiq::graphql::contacts::order::Sort::after`), on Postgres
//! and SQLite, forwards and backwards, down to the SQL statement.
//!
//! Every input is used three ways:
//! 1. as the cursor string itself (lossy UTF-8), decoded under a few sorts;
//! 2. as cursor JSON: when it parses as an object its `o` is set to each
//!    sort's signature, it is base64url-encoded and decoded (so the JSON
//!    seeds reach `after` without guessing a signature);
//! 3. as structured input (`arbitrary`): an `orderBy` list, and a cursor
//!    built from parts (the right or a wrong order, keys of every JSON type
//!    including RFC 3339-ish timestamps with odd years, fractions and
//!    offsets, ids in every uuid spelling or none), serialized, optionally
//!    cut short, and encoded in one of several base64 flavours.
//!
//! Invariants: nothing panics; a decode error is `BAD_USER_INPUT` naming the
//! argument; a decoded cursor has the order it was decoded under and
//! re-encodes to a cursor that decodes to itself; `after` accepts a cursor
//! exactly when it has one key per sort key, each of the key's kind
//! (timestamp text, integer, text) and null only where the column is
//! nullable; an accepted condition builds into a statement on both backends.
#![no_main]

use std::borrow::Cow;

use arbitrary::{Arbitrary, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use latticeiq::error::AppError;
use latticeiq::graphql::contacts::order::{OrderBy, Sort, SortDirection, SortField};
use latticeiq::graphql::pagination::{Cursor, MAX_CURSOR_LEN};
use libfuzzer_sys::fuzz_target;
use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};
use serde_json::{Map, Value, json};

const FIELDS: [SortField; 8] = [
    SortField::CreatedAt,
    SortField::UpdatedAt,
    SortField::LastName,
    SortField::Company,
    SortField::DataQualityScore,
    SortField::IcpMatchScore,
    SortField::CompanyRevenue,
    SortField::CompanyEmployees,
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Timestamp,
    Int,
    Text,
}

/// The kind and nullability of a sort field, as SPEC §7 and the schema say.
fn kind(field: SortField) -> (Kind, bool) {
    match field {
        SortField::CreatedAt | SortField::UpdatedAt => (Kind::Timestamp, false),
        SortField::DataQualityScore => (Kind::Int, false),
        SortField::LastName | SortField::Company => (Kind::Text, true),
        SortField::IcpMatchScore | SortField::CompanyRevenue | SortField::CompanyEmployees => {
            (Kind::Int, true)
        }
    }
}

fn field_of(name: &str) -> SortField {
    match name {
        "CREATED_AT" => SortField::CreatedAt,
        "UPDATED_AT" => SortField::UpdatedAt,
        "LAST_NAME" => SortField::LastName,
        "COMPANY" => SortField::Company,
        "DATA_QUALITY_SCORE" => SortField::DataQualityScore,
        "ICP_MATCH_SCORE" => SortField::IcpMatchScore,
        "COMPANY_REVENUE" => SortField::CompanyRevenue,
        "COMPANY_EMPLOYEES" => SortField::CompanyEmployees,
        other => panic!("unknown field {other} in a signature"),
    }
}

/// The sort's fields, read back from its signature.
fn fields_of(sort: &Sort) -> Vec<SortField> {
    sort.signature()
        .split(',')
        .map(|part| {
            let (name, dir) = part.split_once(':').expect("FIELD:DIR");
            assert!(dir == "ASC" || dir == "DESC", "direction {dir}");
            field_of(name)
        })
        .collect()
}

/// Whether `after` must accept `cursor` under a sort of `fields`.
fn acceptable(fields: &[SortField], cursor: &Cursor) -> bool {
    cursor.keys.len() == fields.len()
        && fields.iter().zip(&cursor.keys).all(|(f, v)| {
            let (kind, nullable) = kind(*f);
            match (v, kind) {
                (Value::Null, _) => nullable,
                (v, Kind::Timestamp) => v.as_str().is_some_and(|s| s.parse::<DateTime<Utc>>().is_ok()),
                (v, Kind::Int) => v.as_i64().is_some(),
                (v, Kind::Text) => v.is_string(),
            }
        })
}

fn has_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

fn check_error(e: &AppError, argument: &str) {
    match e {
        AppError::BadUserInput { field: Some(field), message } => {
            assert_eq!(field, argument);
            if argument != "orderBy" {
                assert!(message.contains(argument), "{message:?} does not name `{argument}`");
            }
        }
        other => panic!("a bad cursor gave {other:?}, not BAD_USER_INPUT"),
    }
}

/// Decodes `s` under `sort` and, when it decodes, runs the second stage.
fn decode_and_use(sort: &Sort, s: &str, argument: &str) {
    let signature = sort.signature();
    match Cursor::decode(s, &signature, argument) {
        Ok(cursor) => {
            assert!(s.len() <= MAX_CURSOR_LEN);
            assert_eq!(cursor.order, signature);
            // (A float may not survive serde_json's fast float parsing, and a
            // re-encoding may be longer: a simple uuid comes back hyphenated.)
            let encoded = cursor.encode();
            if !cursor.keys.iter().any(has_float) && encoded.len() <= MAX_CURSOR_LEN {
                let again = Cursor::decode(&encoded, &signature, argument).expect("re-encoded cursor");
                assert_eq!(again, cursor, "a decoded cursor does not round-trip");
            }
            use_cursor(sort, &cursor);
        }
        Err(e) => check_error(&e, argument),
    }
}

/// The second stage: the keyset condition on both backends, both ways.
fn use_cursor(sort: &Sort, cursor: &Cursor) {
    let fields = fields_of(sort);
    let ok = acceptable(&fields, cursor);
    for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
        for reverse in [false, true] {
            let argument = if reverse { "before" } else { "after" };
            match sort.after(backend, cursor, reverse, argument) {
                Ok(condition) => {
                    assert!(ok, "after accepted {cursor:?} under {}", sort.signature());
                    let statement = entity::contacts::Entity::find().filter(condition).build(backend);
                    assert!(statement.sql.contains("WHERE"), "{}", statement.sql);
                    let terms = sort.order_terms(backend, reverse);
                    assert_eq!(terms.len(), fields.len() + 1);
                }
                Err(e) => {
                    assert!(!ok, "after refused {cursor:?} under {}: {e:?}", sort.signature());
                    check_error(&e, argument);
                }
            }
        }
    }
}

/// Sorts tried on every raw input: the default, one of each kind, all keys.
fn fixed_sorts() -> Vec<Sort> {
    let key = |field, direction| OrderBy { field, direction };
    let lists = vec![
        None,
        Some(vec![key(SortField::LastName, SortDirection::Asc)]),
        Some(vec![key(SortField::CompanyRevenue, SortDirection::Desc), key(SortField::Company, SortDirection::Asc)]),
        Some(vec![key(SortField::DataQualityScore, SortDirection::Asc), key(SortField::UpdatedAt, SortDirection::Asc)]),
        Some(FIELDS.iter().map(|f| key(*f, SortDirection::Asc)).collect()),
    ];
    lists.into_iter().map(|l| Sort::new(l).expect("a valid sort")).collect()
}

#[derive(Arbitrary, Debug)]
struct Key {
    field: u8,
    asc: bool,
}

/// A timestamp-like text: every part may be out of range.
#[derive(Arbitrary, Debug)]
struct Time {
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    fraction_digits: u8,
    separator: u8,
    offset: i16,
    offset_form: u8,
    wild: bool,
}

impl Time {
    fn text(&self) -> String {
        let (month, day, hour, minute, second) = if self.wild {
            (self.month, self.day, self.hour, self.minute, self.second)
        } else {
            (self.month % 12 + 1, self.day % 31 + 1, self.hour % 24, self.minute % 60, self.second % 61)
        };
        let year = if self.wild { self.year } else { self.year % 300_000 };
        let year = if (0..=9999).contains(&year) { format!("{year:04}") } else { format!("{year:+07}") };
        let separator = ["T", "t", " ", "_"][usize::from(self.separator) % 4];
        let digits = usize::from(self.fraction_digits) % 13;
        let fraction =
            if digits == 0 { String::new() } else { format!(".{:0>9}000", self.nanos).chars().take(digits + 1).collect() };
        let (sign, off) = if self.offset < 0 { ('-', self.offset.unsigned_abs()) } else { ('+', self.offset as u16) };
        let offset = match self.offset_form % 5 {
            0 => "Z".to_owned(),
            1 => "z".to_owned(),
            2 => format!("{sign}{:02}:{:02}", off / 60, off % 60),
            3 => format!("{sign}{:02}{:02}", off / 60, off % 60),
            _ => String::new(),
        };
        format!("{year}-{month:02}-{day:02}{separator}{hour:02}:{minute:02}:{second:02}{fraction}{offset}")
    }
}

#[derive(Arbitrary, Debug)]
enum KeyVal {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Text(String),
    Time(Time),
    Array(Vec<i64>),
    Object(Vec<(String, i64)>),
}

impl KeyVal {
    fn json(&self) -> Value {
        match self {
            KeyVal::Null => Value::Null,
            KeyVal::Bool(b) => json!(b),
            KeyVal::Int(i) => json!(i),
            KeyVal::UInt(u) => json!(u),
            KeyVal::Float(f) => json!(f),
            KeyVal::Text(s) => json!(s),
            KeyVal::Time(t) => json!(t.text()),
            KeyVal::Array(items) => json!(items),
            KeyVal::Object(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
            }
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Order {
    Signature,
    Other(String),
    Missing,
    NotText(i64),
}

#[derive(Arbitrary, Debug)]
enum Keys {
    List(Vec<KeyVal>),
    NotList(KeyVal),
    Missing,
}

#[derive(Arbitrary, Debug)]
enum Id {
    Uuid([u8; 16], u8),
    Bytes([u8; 16]),
    Text(String),
    Number(i64),
    Missing,
}

impl Id {
    fn json(&self) -> Option<Value> {
        Some(match self {
            Id::Uuid(bytes, form) => {
                let id = uuid::Uuid::from_bytes(*bytes);
                json!(match form % 5 {
                    0 => id.hyphenated().to_string(),
                    1 => id.simple().to_string(),
                    2 => id.urn().to_string(),
                    3 => id.braced().to_string(),
                    _ => id.hyphenated().to_string().to_uppercase(),
                })
            }
            Id::Bytes(bytes) => json!(bytes),
            Id::Text(s) => json!(s),
            Id::Number(n) => json!(n),
            Id::Missing => return None,
        })
    }
}

#[derive(Arbitrary, Debug)]
struct RawCursor {
    order: Order,
    keys: Keys,
    id: Id,
    extra: Vec<(String, KeyVal)>,
    cut: Option<u16>,
    encoding: u8,
}

impl RawCursor {
    fn text(&self, signature: &str) -> String {
        let mut map = Map::new();
        match &self.order {
            Order::Signature => drop(map.insert("o".into(), json!(signature))),
            Order::Other(s) => drop(map.insert("o".into(), json!(s))),
            Order::NotText(n) => drop(map.insert("o".into(), json!(n))),
            Order::Missing => {}
        }
        match &self.keys {
            Keys::List(keys) => drop(map.insert("k".into(), Value::Array(keys.iter().map(KeyVal::json).collect()))),
            Keys::NotList(v) => drop(map.insert("k".into(), v.json())),
            Keys::Missing => {}
        }
        if let Some(id) = self.id.json() {
            map.insert("id".into(), id);
        }
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.json());
        }
        let mut bytes = serde_json::to_vec(&Value::Object(map)).expect("JSON");
        if let Some(cut) = self.cut {
            bytes.truncate(usize::from(cut));
        }
        match self.encoding % 7 {
            0 => URL_SAFE_NO_PAD.encode(&bytes),
            1 => URL_SAFE.encode(&bytes),
            2 => STANDARD.encode(&bytes),
            3 => STANDARD_NO_PAD.encode(&bytes),
            4 => format!("{}===", URL_SAFE_NO_PAD.encode(&bytes)),
            5 => format!(" {} ", URL_SAFE_NO_PAD.encode(&bytes)),
            _ => String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}

/// A text column's value in a row the gateway could have stored: at most
/// `limit` characters (`domain::contacts::TEXT_LIMITS`).
#[derive(Arbitrary, Debug)]
enum RowText {
    Null,
    Text(String),
    /// One character repeated up to the column's limit.
    Full(char),
}

impl RowText {
    fn json(&self, column: &str) -> Value {
        let limit = latticeiq::domain::contacts::limit_of(column).expect("a bounded column");
        match self {
            RowText::Null => Value::Null,
            RowText::Text(s) => json!(s.chars().filter(|c| *c != '\0').take(limit).collect::<String>()),
            RowText::Full(c) => json!(std::iter::repeat_n(if *c == '\0' { '\u{1}' } else { *c }, limit).collect::<String>()),
        }
    }
}

/// The sort-key columns of a contact row.
#[derive(Arbitrary, Debug)]
struct Row {
    id: [u8; 16],
    created_at: (i64, u32),
    updated_at: (i64, u32),
    last_name: RowText,
    company: RowText,
    quality: i32,
    icp: Option<i32>,
    revenue: Option<i64>,
    employees: Option<i32>,
}

/// A time between year 1 and 9999, at microseconds (what the tables keep).
fn row_time((secs, nanos): (i64, u32)) -> String {
    const FIRST: i64 = -62_135_596_800; // 0001-01-01T00:00:00Z
    const LAST: i64 = 253_402_300_799; // 9999-12-31T23:59:59Z
    let secs = FIRST + secs.rem_euclid(LAST - FIRST + 1);
    let dt = DateTime::<Utc>::from_timestamp(secs, (nanos % 1_000_000_000) / 1000 * 1000).expect("in range");
    dt.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

impl Row {
    fn model(&self) -> entity::contacts::Model {
        let row = json!({
            "id": uuid::Uuid::from_bytes(self.id),
            "workspace_id": uuid::Uuid::nil(),
            "enrichment_status": "pending",
            "created_at": row_time(self.created_at),
            "updated_at": row_time(self.updated_at),
            "last_name": self.last_name.json("last_name"),
            "company": self.company.json("company"),
            "enrichment_data_quality_score": self.quality,
            "icp_match_score": self.icp,
            "enrichment_company_revenue": self.revenue,
            "enrichment_company_employees": self.employees,
            "tags": [],
        });
        serde_json::from_value(row).expect("a contacts row")
    }
}

#[derive(Arbitrary, Debug)]
struct Input {
    order_by: Vec<Key>,
    cursor: RawCursor,
    keys: Vec<KeyVal>,
    id: [u8; 16],
    row: Row,
    literal: String,
}

fn run_structured(input: Input) {
    let order_by: Vec<OrderBy> = input
        .order_by
        .iter()
        .map(|k| OrderBy {
            field: FIELDS[usize::from(k.field) % FIELDS.len()],
            direction: if k.asc { SortDirection::Asc } else { SortDirection::Desc },
        })
        .collect();
    let too_many = order_by.len() > latticeiq::graphql::contacts::order::MAX_ORDER_KEYS;
    let sort = match Sort::new(Some(order_by.clone())) {
        Ok(sort) => {
            assert!(!too_many);
            sort
        }
        Err(e) => {
            assert!(too_many, "{e:?}");
            check_error(&e, "orderBy");
            Sort::new(Some(order_by[..latticeiq::graphql::contacts::order::MAX_ORDER_KEYS].to_vec()))
                .expect("at most MAX_ORDER_KEYS keys")
        }
    };
    let fields = fields_of(&sort);
    let mut distinct = Vec::new();
    for o in order_by.iter().take(latticeiq::graphql::contacts::order::MAX_ORDER_KEYS) {
        if !distinct.contains(&o.field) {
            distinct.push(o.field);
        }
    }
    if distinct.is_empty() {
        distinct.push(SortField::CreatedAt);
    }
    assert_eq!(fields, distinct, "the signature lists the distinct keys in order");
    let signature = sort.signature();

    // A cursor made from parts.
    let text = input.cursor.text(&signature);
    decode_and_use(&sort, &text, "after");
    decode_and_use(&sort, &text, "before");
    if let Ok(c) = Cursor::decode(&text, &input.literal, "after") {
        assert_eq!(c.order, input.literal);
    }

    // A well-formed cursor round-trips and reaches `after` directly.
    let cursor =
        Cursor { order: signature.clone(), keys: input.keys.iter().map(KeyVal::json).collect(), id: uuid::Uuid::from_bytes(input.id) };
    let encoded = cursor.encode();
    match Cursor::decode(&encoded, &signature, "after") {
        Ok(decoded) => {
            if !cursor.keys.iter().any(has_float) {
                assert_eq!(decoded, cursor);
            }
        }
        Err(e) => {
            assert!(encoded.len() > MAX_CURSOR_LEN, "a well-formed cursor was refused: {e:?}");
        }
    }
    use_cursor(&sort, &cursor);

    // The cursor the gateway gives a row it could have stored (an edge's
    // cursor, `endCursor`) must be accepted back as `after`/`before`.
    let model = input.row.model();
    let made = sort.cursor_of(&model);
    assert!(acceptable(&fields, &made), "cursor_of made {made:?}, which after refuses");
    let encoded = made.encode();
    match Cursor::decode(&encoded, &signature, "after") {
        Ok(decoded) => assert_eq!(decoded, made),
        Err(e) => panic!(
            "the cursor of a valid row under {signature} is refused ({} bytes): {e:?}\n{made:?}",
            encoded.len()
        ),
    }
    use_cursor(&sort, &made);

    // The literal string as a cursor.
    decode_and_use(&sort, &input.literal, "after");
}

fuzz_target!(|bytes: &[u8]| {
    let sorts = fixed_sorts();
    let text: Cow<'_, str> = String::from_utf8_lossy(bytes);
    for sort in &sorts {
        decode_and_use(sort, &text, "after");
    }
    if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(bytes) {
        for sort in &sorts {
            map.insert("o".into(), json!(sort.signature()));
            let encoded = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&map).expect("JSON"));
            decode_and_use(sort, &encoded, "after");
        }
    }
    if let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(bytes)) {
        run_structured(input);
    }
});
