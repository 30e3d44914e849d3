//! The pagination cursor of session listings: `<YYYY-MM-DDThh-mm-ss>|<uuid>`, the name of the
//! last session returned. The next page starts with the session just older than it.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDateTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::RolloutError;
use crate::paths::FILE_TIME_FORMAT;

/// Where a listing stopped. Print it with `Display`, read it back with `FromStr`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Cursor {
    ts: String,
    id: Uuid,
}

impl Cursor {
    pub(crate) fn new(ts: String, id: Uuid) -> Self {
        Self { ts, id }
    }

    /// Whether a file named with `ts` and `id` sorts strictly before (is older than) the cursor.
    pub(crate) fn is_after(&self, ts: &str, id: &Uuid) -> bool {
        (ts, id) < (self.ts.as_str(), &self.id)
    }

    /// The local calendar date of the cursor: directories after it cannot hold older files.
    pub(crate) fn date(&self) -> Option<(u32, u32, u32)> {
        let date = NaiveDateTime::parse_from_str(&self.ts, FILE_TIME_FORMAT)
            .ok()?
            .date();
        Some((date.year() as u32, date.month(), date.day()))
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.ts, self.id)
    }
}

impl FromStr for Cursor {
    type Err = RolloutError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let invalid = || RolloutError::InvalidCursor {
            value: value.to_owned(),
        };
        let (ts, id) = value.split_once('|').ok_or_else(invalid)?;
        NaiveDateTime::parse_from_str(ts, FILE_TIME_FORMAT).map_err(|_| invalid())?;
        let id = Uuid::try_parse(id).map_err(|_| invalid())?;
        Ok(Self {
            ts: ts.to_owned(),
            id,
        })
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_orders() {
        let text = "2025-10-01T09-05-07|0199a213-81c0-7800-8aa1-bbab2a035a53";
        let cursor: Cursor = text.parse().unwrap();
        assert_eq!(cursor.to_string(), text);
        assert_eq!(cursor.date(), Some((2025, 10, 1)));
        assert!(cursor.is_after("2025-10-01T09-05-06", &Uuid::max()));
        assert!(!cursor.is_after("2025-10-01T09-05-07", &cursor.id));
        assert!(cursor.is_after("2025-10-01T09-05-07", &Uuid::nil()));
    }

    #[test]
    fn rejects_malformed_cursors() {
        for bad in [
            "",
            "2025-10-01T09-05-07",
            "yesterday|0199a213-81c0-7800-8aa1-bbab2a035a53",
        ] {
            let err = bad.parse::<Cursor>().unwrap_err();
            assert!(
                err.to_string().contains("not a session list cursor"),
                "{err}"
            );
        }
    }
}
