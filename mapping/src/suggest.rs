//! "Did you mean …?" helper shared by the vocabulary and the config validation.

/// Returns the candidate closest to `input`, if one is close enough to be a plausible typo.
///
/// Comparison ignores ASCII case, spaces, `_` and `-`, so `"royalmail"` finds `"Royal Mail"`
/// and `"next_day"` finds `"NextDay"`. An exact normalised match always wins; otherwise the
/// best Jaro-Winkler score above a fixed threshold is returned (ties go to the earlier
/// candidate, so the answer is deterministic).
pub(crate) fn closest<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let wanted = normalise(input);
    if wanted.is_empty() {
        return None;
    }
    let mut best: Option<(&'a str, f64)> = None;
    for candidate in candidates {
        let norm = normalise(candidate);
        if norm == wanted {
            return Some(candidate);
        }
        let score = strsim::jaro_winkler(&wanted, &norm);
        // Short strings score high by chance; require a closer match for them.
        let threshold = if wanted.len().min(norm.len()) <= 3 {
            0.9
        } else {
            0.84
        };
        if score >= threshold && best.is_none_or(|(_, b)| score > b) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::closest;

    const CANDIDATES: &[&str] = &["FedEx", "UPS", "USPS", "Royal Mail", "DHL", "NextDay"];

    #[test]
    fn finds_typos_and_case_variants() {
        let c = || CANDIDATES.iter().copied();
        assert_eq!(closest("Fedx", c()), Some("FedEx"));
        assert_eq!(closest("fedex", c()), Some("FedEx"));
        assert_eq!(closest("royalmail", c()), Some("Royal Mail"));
        assert_eq!(closest("ups", c()), Some("UPS"));
        assert_eq!(closest("NEXT_DAY", c()), Some("NextDay"));
    }

    #[test]
    fn rejects_unrelated_input() {
        let c = || CANDIDATES.iter().copied();
        assert_eq!(closest("Quux Parcel Company", c()), None);
        assert_eq!(closest("", c()), None);
        assert_eq!(closest("---", c()), None);
    }
}
