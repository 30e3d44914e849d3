//! `-c key=value` overrides, parsed exactly as Codex parses them.
//!
//! 1. Split on the first `=`; trim both sides.
//! 2. Parse the value as a TOML value; if that fails, take the raw text as a string (with one
//!    pair of surrounding quotes stripped), so `-c model=o3` needs no quoting.
//! 3. The key is a dotted path; missing or non-table intermediate values become tables.
//!    Later overrides win.

use crate::ConfigError;

/// One parsed `-c` flag.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOverride {
    /// The dotted key split into its parts.
    pub path: Vec<String>,
    /// The value to set.
    pub value: toml::Value,
}

/// Parses one `-c key=value` argument.
pub fn parse_override(raw: &str) -> Result<ConfigOverride, ConfigError> {
    let Some((key, value)) = raw.split_once('=') else {
        return Err(ConfigError::InvalidOverride {
            key: raw.to_owned(),
            message: "expected key=value (for example `-c model=\"o3\"`)".to_owned(),
        });
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(ConfigError::InvalidOverride {
            key: raw.to_owned(),
            message: "the key before `=` is empty".to_owned(),
        });
    }
    let path: Vec<String> = key.split('.').map(|p| p.trim().to_owned()).collect();
    if path.iter().any(String::is_empty) {
        return Err(ConfigError::InvalidOverride {
            key: key.to_owned(),
            message: "a dotted key has an empty part".to_owned(),
        });
    }
    let value = parse_value(value.trim());
    Ok(ConfigOverride { path, value })
}

fn parse_value(text: &str) -> toml::Value {
    let wrapped = format!("_x_ = {text}");
    if let Ok(mut table) = toml::from_str::<toml::Table>(&wrapped)
        && let Some(value) = table.remove("_x_")
    {
        return value;
    }
    let unquoted = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')))
        .unwrap_or(text);
    toml::Value::String(unquoted.to_owned())
}

/// Sets every override into `table`, in order.
pub(crate) fn apply_overrides(table: &mut toml::Table, overrides: &[ConfigOverride]) {
    for o in overrides {
        set_path(table, &o.path, o.value.clone());
    }
}

fn set_path(table: &mut toml::Table, path: &[String], value: toml::Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut current = table;
    for part in parents {
        let entry = current
            .entry(part.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let toml::Value::Table(next) = entry else {
            return;
        };
        current = next;
    }
    current.insert(last.clone(), value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn value(raw: &str) -> toml::Value {
        parse_override(raw).unwrap().value
    }

    #[test]
    fn values_parse_as_toml_or_fall_back_to_strings() {
        assert_eq!(value("model=o3"), toml::Value::String("o3".into()));
        assert_eq!(value("model=\"o3\""), toml::Value::String("o3".into()));
        assert_eq!(value("model='o3'"), toml::Value::String("o3".into()));
        assert_eq!(value("x=true"), toml::Value::Boolean(true));
        assert_eq!(value("x=42"), toml::Value::Integer(42));
        assert_eq!(
            value(r#"x=["a","b"]"#),
            toml::Value::Array(vec!["a".into(), "b".into()])
        );
        let table = value("x={a = 1, b = 2}");
        assert_eq!(table.get("b"), Some(&toml::Value::Integer(2)));
        // Only the first `=` splits: the rest belongs to the value.
        assert_eq!(value("k=a=b"), toml::Value::String("a=b".into()));
    }

    #[test]
    fn keys_are_trimmed_dotted_paths() {
        let o = parse_override(" sandbox_workspace_write.network_access = true ").unwrap();
        assert_eq!(o.path, vec!["sandbox_workspace_write", "network_access"]);
    }

    #[test]
    fn malformed_overrides_are_errors() {
        assert!(
            parse_override("novalue")
                .unwrap_err()
                .to_string()
                .contains("expected key=value")
        );
        assert!(
            parse_override("=x")
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        assert!(
            parse_override("a..b=1")
                .unwrap_err()
                .to_string()
                .contains("empty part")
        );
    }

    #[test]
    fn later_overrides_win_and_replace_non_tables() {
        let mut table = toml::Table::new();
        let overrides = [
            parse_override("a=1").unwrap(),
            parse_override("a.b=2").unwrap(),
            parse_override("a.b=3").unwrap(),
        ];
        apply_overrides(&mut table, &overrides);
        assert_eq!(table["a"]["b"], toml::Value::Integer(3));
    }
}
