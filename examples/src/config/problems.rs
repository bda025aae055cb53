//! Configuration problems: every one has a key path, the bad value (never a secret) and a hint.

use std::fmt;

/// One problem in the configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigProblem {
    /// Where the problem is, e.g. `accounts[0].marketplaces[1]`; empty for the document
    /// itself (a syntax error or an unreadable file).
    pub key_path: String,
    /// The offending value as written, when there is one and it is not a secret.
    pub value: Option<String>,
    /// What is wrong.
    pub message: String,
    /// What to do about it, e.g. `did you mean "marketplaces"?`.
    pub hint: Option<String>,
}

impl ConfigProblem {
    /// A problem at `key_path`.
    pub fn new(key_path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            key_path: key_path.into(),
            value: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Records the offending value (never call this with a secret).
    pub fn value(mut self, value: impl Into<String>) -> Self {
        let mut v: String = value.into();
        if v.chars().count() > 80 {
            v = v.chars().take(77).collect::<String>() + "...";
        }
        self.value = Some(v);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.key_path.is_empty() {
            "(document)"
        } else {
            &self.key_path
        };
        write!(f, "{path}: {}", self.message)?;
        if let Some(v) = &self.value {
            // Skip the value when the message already names it.
            if !self.message.contains(v.trim_matches('"')) {
                write!(f, " (found {v})")?;
            }
        }
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

impl From<order_mapping::ConfigError> for ConfigProblem {
    fn from(e: order_mapping::ConfigError) -> Self {
        let hint = e.hint.clone();
        ConfigProblem {
            key_path: e.key_path,
            value: e.value,
            message: e.message,
            hint,
        }
    }
}

/// Every problem found in a configuration file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigErrors {
    problems: Vec<ConfigProblem>,
}

impl ConfigErrors {
    /// Wraps a non-empty list of problems.
    pub fn new(problems: Vec<ConfigProblem>) -> Self {
        Self { problems }
    }

    /// The problems, in the order they were found (document order within a section).
    pub fn problems(&self) -> &[ConfigProblem] {
        &self.problems
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.problems.len()
    }

    /// Always `false` for an error that was returned.
    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "the configuration has {n} problem{}:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// The closest candidate to `input` when it is a plausible typo of it.
pub(crate) fn closest<'a>(input: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .map(|c| c.to_ascii_lowercase())
            .collect::<String>()
    };
    let wanted = norm(input);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(&'a str, f64)> = None;
    for &c in candidates {
        let n = norm(c);
        if n == wanted {
            return Some(c);
        }
        let score = strsim::jaro_winkler(&wanted, &n);
        let threshold = if wanted.len().min(n.len()) <= 3 {
            0.9
        } else {
            0.8
        };
        if score >= threshold && best.is_none_or(|(_, b)| score > b) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean "x"?`, or the list of accepted values when nothing is close.
pub(crate) fn suggest(input: &str, candidates: &[&str]) -> String {
    match closest(input, candidates) {
        Some(c) => format!("did you mean {c:?}?"),
        None => format!(
            "expected one of {}",
            candidates
                .iter()
                .map(|c| format!("{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_path_value_and_hint() {
        let p = ConfigProblem::new("accounts[0].region", "unknown region")
            .value("\"nx\"")
            .hint("did you mean \"na\"?");
        assert_eq!(
            p.to_string(),
            "accounts[0].region: unknown region (found \"nx\"); did you mean \"na\"?"
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("marketplace", &["marketplaces", "region"]),
            Some("marketplaces")
        );
        assert_eq!(closest("zzz", &["marketplaces", "region"]), None);
        assert!(suggest("zzz", &["a", "b"]).contains("\"a\", \"b\""));
    }
}
