//! The `tags` column type: `text[]` on Postgres, a JSON array in a TEXT column
//! on SQLite. Reading accepts both; writing is backend-specific and done by
//! the gateway's store (a `Value::Array` cannot be bound on SQLite).

use sea_orm::sea_query::{ArrayType, ColumnType, Nullable, Value, ValueType, ValueTypeErr};
use sea_orm::{ColIdx, QueryResult, TryGetError, TryGetable};
use serde::{Deserialize, Serialize};

/// A contact's tags, in stored order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tags(pub Vec<String>);

impl TryGetable for Tags {
    fn try_get_by<I: ColIdx>(res: &QueryResult, index: I) -> Result<Self, TryGetError> {
        if res.try_as_pg_row().is_some() {
            let v: Option<Vec<String>> = res.try_get_by_nullable(index)?;
            return Ok(Tags(v.unwrap_or_default()));
        }
        let text: Option<String> = res.try_get_by_nullable(index)?;
        match text {
            None => Ok(Tags::default()),
            Some(t) if t.is_empty() => Ok(Tags::default()),
            Some(t) => serde_json::from_str(&t).map(Tags).map_err(|e| {
                TryGetError::DbErr(sea_orm::DbErr::Type(format!("tags is not a JSON array: {e}")))
            }),
        }
    }
}

impl From<Tags> for Value {
    fn from(tags: Tags) -> Self {
        Value::Array(
            ArrayType::String,
            Some(Box::new(tags.0.into_iter().map(|t| Value::String(Some(t))).collect())),
        )
    }
}

impl Nullable for Tags {
    fn null() -> Value {
        Value::Array(ArrayType::String, None)
    }
}

impl ValueType for Tags {
    fn try_from(v: Value) -> Result<Self, ValueTypeErr> {
        match v {
            Value::Array(ArrayType::String, Some(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(Some(s)) => Ok(s),
                    _ => Err(ValueTypeErr),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Tags),
            Value::Array(ArrayType::String, None) => Ok(Tags::default()),
            Value::String(Some(s)) => serde_json::from_str(&s).map(Tags).map_err(|_| ValueTypeErr),
            _ => Err(ValueTypeErr),
        }
    }

    fn type_name() -> String {
        "Tags".to_owned()
    }

    fn array_type() -> ArrayType {
        ArrayType::String
    }

    fn column_type() -> ColumnType {
        ColumnType::Array(std::sync::Arc::new(ColumnType::Text))
    }
}
