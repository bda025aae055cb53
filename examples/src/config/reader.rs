//! A small checked reader over a TOML table: every unknown key, wrong type and bad value
//! becomes a [`ConfigProblem`] with its key path, and reading goes on.

use toml::{Table, Value};

use super::problems::{ConfigProblem, closest};

/// Collects problems while a document is read.
#[derive(Debug, Default)]
pub(crate) struct Problems(pub(crate) Vec<ConfigProblem>);

impl Problems {
    pub(crate) fn push(&mut self, p: ConfigProblem) {
        self.0.push(p);
    }
}

/// The TOML type name of a value, for "expected X, found Y".
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// The value as written in TOML (short), for error messages.
pub(crate) fn show(v: &Value) -> String {
    match v {
        Value::Table(_) => "{ ... }".to_owned(),
        other => other.to_string(),
    }
}

/// Joins a key onto a path, quoting keys that are not bare.
pub(crate) fn join(path: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    };
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// One table being read, with its path.
pub(crate) struct TableReader<'a> {
    pub(crate) path: String,
    pub(crate) table: &'a Table,
}

impl<'a> TableReader<'a> {
    pub(crate) fn new(path: impl Into<String>, table: &'a Table) -> Self {
        Self {
            path: path.into(),
            table,
        }
    }

    pub(crate) fn key_path(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// Reports every key not in `allowed`, with a did-you-mean hint. Keys listed in
    /// `secret` are reported as secrets that do not belong in the file (value hidden).
    pub(crate) fn check_keys(&self, allowed: &[&str], problems: &mut Problems) {
        for (key, value) in self.table {
            if allowed.contains(&key.as_str()) {
                continue;
            }
            let mut p = ConfigProblem::new(self.key_path(key), format!("unknown key {key:?}"));
            if !matches!(value, Value::Table(_) | Value::Array(_)) {
                p = p.value(show(value));
            }
            p = match closest(key, allowed) {
                Some(c) => p.hint(format!("did you mean {c:?}?")),
                None => p.hint(format!("the keys allowed here are {}", allowed.join(", "))),
            };
            problems.push(p);
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, v: &Value) -> ConfigProblem {
        let mut p = ConfigProblem::new(
            self.key_path(key),
            format!("expected {expected}, found {}", type_name(v)),
        );
        if !matches!(v, Value::Table(_)) {
            p = p.value(show(v));
        }
        p
    }

    pub(crate) fn string(&self, key: &str, problems: &mut Problems) -> Option<String> {
        match self.table.get(key)? {
            Value::String(s) => Some(s.clone()),
            v => {
                problems.push(self.wrong_type(key, "a string", v));
                None
            }
        }
    }

    /// A required non-empty string.
    pub(crate) fn required_string(
        &self,
        key: &str,
        hint: &str,
        problems: &mut Problems,
    ) -> Option<String> {
        if !self.table.contains_key(key) {
            problems.push(ConfigProblem::new(self.key_path(key), "missing").hint(hint));
            return None;
        }
        let s = self.string(key, problems)?;
        if s.trim().is_empty() {
            problems.push(
                ConfigProblem::new(self.key_path(key), "must not be empty")
                    .value("\"\"")
                    .hint(hint),
            );
            return None;
        }
        Some(s)
    }

    pub(crate) fn bool(&self, key: &str, problems: &mut Problems) -> Option<bool> {
        match self.table.get(key)? {
            Value::Boolean(b) => Some(*b),
            v => {
                problems.push(self.wrong_type(key, "true or false", v));
                None
            }
        }
    }

    pub(crate) fn integer(
        &self,
        key: &str,
        min: i64,
        max: i64,
        problems: &mut Problems,
    ) -> Option<i64> {
        match self.table.get(key)? {
            Value::Integer(i) if (min..=max).contains(i) => Some(*i),
            Value::Integer(i) => {
                problems.push(
                    ConfigProblem::new(self.key_path(key), format!("out of range {min}..={max}"))
                        .value(i.to_string()),
                );
                None
            }
            v => {
                problems.push(self.wrong_type(key, "an integer", v));
                None
            }
        }
    }

    pub(crate) fn table(&self, key: &str, problems: &mut Problems) -> Option<&'a Table> {
        match self.table.get(key)? {
            Value::Table(t) => Some(t),
            v => {
                problems.push(self.wrong_type(key, "a table", v));
                None
            }
        }
    }

    pub(crate) fn strings(
        &self,
        key: &str,
        problems: &mut Problems,
    ) -> Option<Vec<(String, String)>> {
        match self.table.get(key)? {
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("{}[{i}]", self.key_path(key));
                    match item {
                        Value::String(s) => out.push((path, s.clone())),
                        v => problems.push(
                            ConfigProblem::new(
                                path,
                                format!("expected a string, found {}", type_name(v)),
                            )
                            .value(show(v)),
                        ),
                    }
                }
                Some(out)
            }
            v => {
                problems.push(self.wrong_type(key, "an array of strings", v));
                None
            }
        }
    }

    pub(crate) fn raw(&self, key: &str) -> Option<&'a Value> {
        self.table.get(key)
    }
}
