//! The `User-Agent` header in the format Amazon requires:
//! `AppName/AppVersion (Language=Rust; Platform=...; ...)`, at most 500 characters.

/// This crate's name and version.
pub const LIBRARY: &str = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));

fn escape(value: &str, extra: &[char]) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c == '\\' || extra.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn platform() -> String {
    format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
}

/// Builds the User-Agent. With no application it names the crate itself:
/// `spapi-client/0.1.0 (Language=Rust; Platform=linux-x86_64)`.
pub(crate) fn build(app: Option<(&str, &str)>) -> Result<String, String> {
    let attrs = format!(
        "Language=Rust; Platform={}",
        escape(&platform(), &['=', ')', ';'])
    );
    let ua = match app {
        None => format!("{LIBRARY} ({attrs})"),
        Some((name, version)) => {
            if name.trim().is_empty() {
                return Err("user agent application name is empty".into());
            }
            format!(
                "{}/{} ({attrs}; Library={})",
                escape(name, &['/']),
                escape(version, &['(']),
                escape(LIBRARY, &['=', ')', ';'])
            )
        }
    };
    if ua.len() > 500 {
        return Err(format!(
            "user agent is {} characters; Amazon rejects more than 500",
            ua.len()
        ));
    }
    if !ua.chars().all(|c| (' '..='~').contains(&c)) {
        return Err("user agent must be printable ASCII".into());
    }
    Ok(ua)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_the_crate() {
        let ua = build(None).expect("ua");
        assert!(
            ua.starts_with("spapi-client/0.1.0 (Language=Rust; Platform="),
            "{ua}"
        );
        assert!(ua.ends_with(')'));
    }

    #[test]
    fn app_names_are_escaped_and_bounded() {
        let ua = build(Some(("My/App", "1.0(beta"))).expect("ua");
        assert!(ua.starts_with(r"My\/App/1.0\(beta (Language=Rust;"), "{ua}");
        assert!(build(Some(("x".repeat(600).as_str(), "1"))).is_err());
    }
}
