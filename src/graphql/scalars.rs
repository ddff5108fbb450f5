//! Scalars beyond async-graphql's `UUID`, `DateTime` and `JSON`.

use async_graphql::{InputValueError, InputValueResult, Number, Scalar, ScalarType, Value};

/// A 64-bit integer (revenues exceed GraphQL's 32-bit `Int`). Sent as a JSON
/// number; accepted as a number or a decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct BigInt(pub i64);

/// A 64-bit integer: a JSON number (or a decimal string on input).
#[Scalar(name = "BigInt")]
impl ScalarType for BigInt {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => {
                n.as_i64().map(BigInt).ok_or_else(|| InputValueError::custom("not a 64-bit integer"))
            }
            Value::String(s) => {
                s.trim().parse().map(BigInt).map_err(|_| InputValueError::custom("not a 64-bit integer"))
            }
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(Number::from(self.0))
    }
}
