//! Relay cursor pagination shared by every connection: `PageInfo`, opaque
//! cursors (base64url JSON of the order they were made under plus the row's
//! sort-key values and id), and the page-size rules of SPEC §7.

use async_graphql::SimpleObject;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: u32 = 25;
/// Longest cursor accepted (larger input is refused before decoding). It
/// must stay above the longest cursor the gateway makes, or the `endCursor`
/// of a page is refused as `after`: all eight sort keys with a 100-character
/// last name and a 255-character company of control characters (6 bytes
/// each in JSON) and timestamps and numbers at their widest make 3 287.
pub const MAX_CURSOR_LEN: usize = 4096;

/// Where a page sits in its list.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct PageInfo {
    /// Whether more items follow the last edge (in the list's order).
    pub has_next_page: bool,
    /// Whether more items precede the first edge.
    pub has_previous_page: bool,
    /// Cursor of the first edge.
    pub start_cursor: Option<String>,
    /// Cursor of the last edge.
    pub end_cursor: Option<String>,
}

/// What a cursor holds: the order it belongs to, the row's sort-key values
/// and its id.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Cursor {
    /// The order signature, e.g. `CREATED_AT:DESC`.
    #[serde(rename = "o")]
    pub order: String,
    /// The row's values of the sort keys, in order.
    #[serde(rename = "k")]
    pub keys: Vec<serde_json::Value>,
    /// The row's id (the final tie-breaker).
    pub id: Uuid,
}

impl Cursor {
    /// The opaque string form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Parses a cursor made under `order`; anything else is `BAD_USER_INPUT`.
    pub fn decode(s: &str, order: &str, argument: &str) -> AppResult<Self> {
        let bad =
            || AppError::bad_field(argument, format!("`{argument}` is not a valid cursor for this list"));
        if s.len() > MAX_CURSOR_LEN {
            return Err(bad());
        }
        let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.order != order {
            return Err(AppError::bad_field(
                argument,
                format!(
                    "`{argument}` was made under another orderBy ({}); use it with the same orderBy",
                    cursor.order
                ),
            ));
        }
        Ok(cursor)
    }
}

/// Which way a page is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `first` / `after`.
    Forward,
    /// `last` / `before`.
    Backward,
}

/// Validated page arguments.
#[derive(Clone, Debug)]
pub struct PageArgs {
    /// Rows wanted.
    pub limit: u32,
    /// Reading direction.
    pub direction: Direction,
    /// The cursor to start after (forward) or before (backward).
    pub cursor: Option<String>,
    /// Whether a cursor was given on the opposite side (for `PageInfo`).
    pub has_opposite_cursor: bool,
}

impl PageArgs {
    /// Checks `first`/`after`/`last`/`before` against SPEC §7 and `max`.
    pub fn new(
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        max: u32,
    ) -> AppResult<Self> {
        let check = |name: &str, n: i32| -> AppResult<u32> {
            if n < 0 {
                return Err(AppError::bad_field(name, format!("`{name}` must not be negative")));
            }
            if n as u32 > max {
                return Err(AppError::bad_field(
                    name,
                    format!("`{name}` must be at most {max} (MAX_PAGE_SIZE)"),
                ));
            }
            Ok(n as u32)
        };
        match (first, last) {
            (Some(_), Some(_)) => Err(AppError::bad_input("pass either `first` or `last`, not both")),
            (_, Some(n)) => {
                if after.is_some() {
                    return Err(AppError::bad_field("after", "`after` goes with `first`, not `last`"));
                }
                Ok(Self {
                    limit: check("last", n)?,
                    direction: Direction::Backward,
                    cursor: before,
                    has_opposite_cursor: false,
                })
            }
            (first, None) => {
                if before.is_some() {
                    return Err(AppError::bad_field("before", "`before` goes with `last`, not `first`"));
                }
                Ok(Self {
                    limit: check("first", first.unwrap_or(DEFAULT_PAGE_SIZE.min(max) as i32))?,
                    direction: Direction::Forward,
                    cursor: after,
                    has_opposite_cursor: false,
                })
            }
        }
    }

    /// The argument name the cursor came from.
    pub fn cursor_argument(&self) -> &'static str {
        match self.direction {
            Direction::Forward => "after",
            Direction::Backward => "before",
        }
    }
}

/// Builds `PageInfo` for rows fetched with one extra row of look-ahead.
pub fn page_info(args: &PageArgs, has_more: bool, start: Option<String>, end: Option<String>) -> PageInfo {
    let cursor_given = args.cursor.is_some();
    match args.direction {
        Direction::Forward => PageInfo {
            has_next_page: has_more,
            has_previous_page: cursor_given,
            start_cursor: start,
            end_cursor: end,
        },
        Direction::Backward => PageInfo {
            has_next_page: cursor_given,
            has_previous_page: has_more,
            start_cursor: start,
            end_cursor: end,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_other_orders_and_garbage() {
        let c = Cursor { order: "CREATED_AT:DESC".into(), keys: vec![serde_json::json!(1)], id: Uuid::nil() };
        let s = c.encode();
        assert_eq!(Cursor::decode(&s, "CREATED_AT:DESC", "after").unwrap(), c);
        assert!(Cursor::decode(&s, "LAST_NAME:ASC", "after").is_err());
        for garbage in ["garbage", "", "e30", "!!!", "'; DROP TABLE contacts; --"] {
            assert!(Cursor::decode(garbage, "CREATED_AT:DESC", "after").is_err(), "{garbage}");
        }
    }

    /// The cursor `cursor_of` makes for a row, as the contacts sort does.
    fn row_cursor(order: &str, keys: Vec<serde_json::Value>) -> Cursor {
        Cursor { order: order.into(), keys, id: Uuid::from_u128(u128::MAX) }
    }

    #[test]
    fn the_cursor_of_a_row_with_long_non_ascii_names_is_accepted_back() {
        // Found by fuzz/fuzz_targets/cursor_decoder.rs: 100 and 255 characters
        // of 4 UTF-8 bytes each made a 2 075-character cursor, over the old
        // limit of 2 048, so the page's endCursor was refused as `after`.
        let order = "UPDATED_AT:DESC,LAST_NAME:ASC,COMPANY:DESC";
        let c = row_cursor(
            order,
            vec![
                serde_json::json!("1815-01-18T08:41:20.334915Z"),
                serde_json::json!("\u{5c6c6}".repeat(100)),
                serde_json::json!("\u{bc6c6}".repeat(255)),
            ],
        );
        let s = c.encode();
        assert!(s.len() > 2048, "{}", s.len());
        assert_eq!(Cursor::decode(&s, order, "after").unwrap(), c);
    }

    #[test]
    fn the_longest_cursor_the_gateway_can_make_is_accepted_back() {
        let order = "CREATED_AT:DESC,UPDATED_AT:DESC,LAST_NAME:DESC,COMPANY:DESC,DATA_QUALITY_SCORE:DESC,\
                     ICP_MATCH_SCORE:DESC,COMPANY_REVENUE:DESC,COMPANY_EMPLOYEES:DESC";
        let time = serde_json::json!("+294276-12-31T23:59:59.999999Z");
        let int = serde_json::json!(i32::MIN);
        let c = row_cursor(
            order,
            vec![
                time.clone(),
                time,
                serde_json::json!("\u{1}".repeat(100)),
                serde_json::json!("\u{1}".repeat(255)),
                int.clone(),
                int.clone(),
                serde_json::json!(i64::MIN),
                int,
            ],
        );
        let s = c.encode();
        assert_eq!(s.len(), 3287);
        assert_eq!(Cursor::decode(&s, order, "after").unwrap(), c);
        assert!(Cursor::decode(&"A".repeat(MAX_CURSOR_LEN + 1), order, "after").is_err());
    }

    #[test]
    fn page_arguments_follow_the_spec() {
        assert_eq!(PageArgs::new(None, None, None, None, 100).unwrap().limit, 25);
        assert!(PageArgs::new(Some(101), None, None, None, 100).is_err());
        assert!(PageArgs::new(Some(-1), None, None, None, 100).is_err());
        assert!(PageArgs::new(Some(1), None, Some(1), None, 100).is_err());
        let back = PageArgs::new(None, None, Some(10), Some("c".into()), 100).unwrap();
        assert_eq!(back.direction, Direction::Backward);
    }
}
