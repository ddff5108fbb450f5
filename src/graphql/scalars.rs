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

/// Appends `id` as the `UUID` scalar writes it (lower-case, hyphenated:
/// `Uuid::to_string`), without the formatting machinery behind `to_string`.
pub fn push_uuid(out: &mut Vec<u8>, id: &uuid::Uuid) {
    // Where each byte's two digits go among the hyphens.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut buf = [b'-'; uuid::fmt::Hyphenated::LENGTH];
    for (&byte, at) in id.as_bytes().iter().zip(AT) {
        buf[at..at + 2].copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    out.extend_from_slice(&buf);
}

/// Each byte's two lower-case hex digits.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    pairs
};

/// Appends `t` as the `DateTime` scalar writes it (`to_rfc3339`, e.g.
/// `2026-11-26T10:00:00.123456+00:00`: a fraction of 3, 6 or 9 digits, the
/// fewest that hold it, or none), without the formatting machinery behind
/// it (~700 instructions a value; a page writes a hundred). A year outside
/// 0..=9999 takes chrono's own path.
pub fn push_timestamp(out: &mut Vec<u8>, t: &chrono::DateTime<chrono::Utc>) {
    use chrono::{Datelike, Timelike};
    // The stored UTC date and time (`date_naive` would add the zero offset
    // through date arithmetic first).
    let naive = t.naive_utc();
    let (date, time) = (naive.date(), naive.time());
    let year = date.year();
    if !(0..=9999).contains(&year) {
        out.extend_from_slice(t.to_rfc3339().as_bytes());
        return;
    }
    // A leap second is held as a fraction of a second past 59 (chrono).
    let (mut second, mut nano) = (time.second(), time.nanosecond());
    if nano >= 1_000_000_000 {
        second += 1;
        nano -= 1_000_000_000;
    }
    // Written into one buffer and appended once: a push per field was
    // half of this function's instructions.
    let mut buf = *b"0000-00-00T00:00:00.000000000";
    let mut two = |at: usize, v: u32| {
        buf[at] = b'0' + (v / 10) as u8;
        buf[at + 1] = b'0' + (v % 10) as u8;
    };
    let year = year as u32;
    two(0, year / 100);
    two(2, year % 100);
    two(5, date.month());
    two(8, date.day());
    two(11, time.hour());
    two(14, time.minute());
    two(17, second);
    let mut len = 19;
    if nano != 0 {
        let (digits, mut v) = if nano % 1_000_000 == 0 {
            (3, nano / 1_000_000)
        } else if nano % 1_000 == 0 {
            (6, nano / 1_000)
        } else {
            (9, nano)
        };
        for d in buf[20..20 + digits].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
        len = 20 + digits;
    }
    out.extend_from_slice(&buf[..len]);
    out.extend_from_slice(b"+00:00");
}

/// Appends the time `micros` microseconds from the Unix epoch as
/// [`push_timestamp`] writes it, with the civil date worked out directly
/// (days to year, month and day by Howard Hinnant's `civil_from_days`)
/// rather than through chrono's calendar. A year outside 0..=9999, or a
/// time chrono cannot hold, takes [`push_timestamp`]'s way.
pub fn push_micros(out: &mut Vec<u8>, micros: i64) {
    const DAY: i64 = 86_400_000_000;
    let (days, in_day) = (micros.div_euclid(DAY), micros.rem_euclid(DAY));
    // civil_from_days (http://howardhinnant.github.io/date_algorithms.html)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = i64::from(yoe) + era * 400 + i64::from(month <= 2);
    let Ok(year @ 0..=9999) = u32::try_from(year) else {
        if let Some(t) = chrono::DateTime::from_timestamp_micros(micros) {
            push_timestamp(out, &t);
        }
        return;
    };
    // Below a day: fits a u64, and its seconds a u32.
    let in_day = in_day as u64;
    let (seconds, fraction) = ((in_day / 1_000_000) as u32, (in_day % 1_000_000) as u32);
    let mut buf = *b"0000-00-00T00:00:00.000000";
    let mut two = |at: usize, v: u32| {
        let pair = &DIGIT_PAIRS[(v as usize % 100) * 2..][..2];
        buf[at..at + 2].copy_from_slice(pair);
    };
    two(0, year / 100);
    two(2, year % 100);
    two(5, month);
    two(8, day);
    two(11, seconds / 3600);
    two(14, seconds / 60 % 60);
    two(17, seconds % 60);
    // The fewest of 3 or 6 digits that hold the fraction, or none.
    let len = if fraction == 0 {
        19
    } else if fraction % 1000 == 0 {
        let ms = fraction / 1000;
        two(20, ms / 10);
        two(22, ms % 10 * 10);
        23
    } else {
        two(20, fraction / 10_000);
        two(22, fraction / 100 % 100);
        two(24, fraction % 100);
        26
    };
    out.extend_from_slice(&buf[..len]);
    out.extend_from_slice(b"+00:00");
}

/// "00" to "99", one after another.
const DIGIT_PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// The `UUID` scalar's text of `id` ([`push_uuid`]).
pub fn uuid_text(id: &uuid::Uuid) -> String {
    let mut buf = [0u8; uuid::fmt::Hyphenated::LENGTH];
    id.hyphenated().encode_lower(&mut buf).to_owned()
}

/// The `DateTime` scalar's text of `t` ([`push_timestamp`]).
pub fn timestamp_text(t: &chrono::DateTime<chrono::Utc>) -> String {
    let mut out = Vec::with_capacity(32);
    push_timestamp(&mut out, t);
    // Only ASCII digits and punctuation are written (or chrono's own text).
    String::from_utf8(out).unwrap_or_else(|_| t.to_rfc3339())
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, Utc};

    use super::*;

    #[test]
    fn timestamps_are_written_as_the_scalar_writes_them() {
        let mut times: Vec<DateTime<Utc>> = Vec::new();
        // every fraction kind, at dates across the range and at its edges
        let dates = [
            (0, 1, 1),
            (1, 1, 1),
            (999, 12, 31),
            (1970, 1, 1),
            (2024, 2, 29),
            (2026, 11, 26),
            (9999, 12, 31),
        ];
        let nanos =
            [0, 1, 7, 1_000, 120_000, 123_456_000, 999_999_999, 5_000_000, 100_000_000, 999_000_000, 10];
        for (y, m, d) in dates {
            for (h, mi, s) in [(0, 0, 0), (9, 5, 7), (23, 59, 59)] {
                for n in nanos {
                    let naive =
                        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_nano_opt(h, mi, s, n).unwrap();
                    times.push(naive.and_utc());
                }
            }
        }
        // a leap second (held as a fraction past 59), with and without a fraction of its own
        for n in [1_000_000_000, 1_500_000_000, 1_000_123_000] {
            let naive =
                NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, n).unwrap();
            times.push(naive.and_utc());
        }
        // years chrono writes with a sign
        for y in [-1, -44, 10_000, 262_000] {
            times.push(
                NaiveDate::from_ymd_opt(y, 6, 1).unwrap().and_hms_micro_opt(1, 2, 3, 4).unwrap().and_utc(),
            );
        }
        // and a spread of ordinary microsecond timestamps
        let mut x: i64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let micros = x.rem_euclid(253_402_300_799_000_000);
            times.push(DateTime::from_timestamp_micros(micros).unwrap());
        }
        for t in times {
            assert_eq!(timestamp_text(&t), t.to_rfc3339(), "{t:?}");
            let Value::String(scalar) = t.to_value() else { panic!("{t:?} is not a string") };
            assert_eq!(timestamp_text(&t), scalar);
        }
    }

    #[test]
    fn microseconds_are_written_as_their_datetime_is() {
        // Whole days around month, year, century and era boundaries (and
        // before 1970), every fraction kind, years at and past the edges of
        // 0..=9999, then a spread over chrono's whole range.
        let day = 86_400_000_000i64;
        let mut micros: Vec<i64> = Vec::new();
        for days in [
            -719_529, -719_528, -719_162, -36_525, -1, 0, 1, 59, 365, 10_956, 11_016, 11_017, 2_932_896,
            2_932_897,
        ] {
            for in_day in [0, 1, 999, 1_000, 120_000, 999_999, 1_000_000, 3_723_000_004, day - 1] {
                micros.push(days * day + in_day);
            }
        }
        let mut x: i64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            micros.push(x % 8_000_000_000_000_000_000 / 1_000);
            micros.push(x.rem_euclid(253_402_300_799_000_000));
        }
        for m in micros {
            let Some(t) = DateTime::from_timestamp_micros(m) else { continue };
            let mut out = Vec::new();
            push_micros(&mut out, m);
            assert_eq!(String::from_utf8(out).unwrap(), timestamp_text(&t), "{m}");
        }
    }

    #[test]
    fn uuids_are_written_as_the_scalar_writes_them() {
        // every byte value at every place, and a few others
        let spread = (0..=255u8)
            .map(|k| uuid::Uuid::from_bytes(std::array::from_fn(|j| k.wrapping_add(j as u8 * 17))));
        let few = [uuid::Uuid::nil(), uuid::Uuid::max(), uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
        for id in spread.chain(few) {
            let Value::String(scalar) = id.to_value() else { panic!() };
            assert_eq!(uuid_text(&id), scalar);
            let mut out = b"x".to_vec();
            push_uuid(&mut out, &id);
            assert_eq!(out, format!("x{id}").into_bytes());
        }
    }
}
