//! A small, namespace-agnostic XML tree over `quick-xml`, with typed getters that report
//! the element path of anything they cannot read.
//!
//! MWS documents differ in namespace (or have none), element order, whitespace and which
//! optional elements are present; reading by local name from a tree absorbs all of that.

use std::borrow::Cow;
use std::str::FromStr;

use quick_xml::Reader;
use quick_xml::events::Event;
use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::error::XmlError;

/// Deepest nesting accepted; MWS documents are a handful of levels deep.
const MAX_DEPTH: usize = 128;
const NONE: u32 = u32::MAX;

struct NodeData {
    name: Box<str>,
    text: String,
    parent: u32,
    children: Vec<u32>,
}

/// A parsed document.
pub(crate) struct Doc {
    nodes: Vec<NodeData>,
}

/// Decodes document bytes: UTF-8, or ISO-8859-1 when the bytes are not UTF-8 (old feed and
/// report bodies declare `iso-8859-1`).
pub(crate) fn decode_bytes(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

impl Doc {
    /// Parses a whole document into a tree. Errors carry the path of the open elements.
    pub(crate) fn parse(xml: &str) -> Result<Doc, XmlError> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().trim_text(false);
        let mut nodes: Vec<NodeData> = Vec::with_capacity(xml.len() / 40 + 4);
        let mut stack: Vec<u32> = Vec::with_capacity(16);
        let open_path = |nodes: &Vec<NodeData>, stack: &Vec<u32>| -> String {
            let names: Vec<&str> = stack.iter().map(|&i| &*nodes[i as usize].name).collect();
            if names.is_empty() {
                "/".to_owned()
            } else {
                names.join("/")
            }
        };
        loop {
            let event = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    return Err(XmlError::new(
                        open_path(&nodes, &stack),
                        format!("malformed XML near byte {}: {e}", reader.error_position()),
                    ));
                }
            };
            match event {
                Event::Start(ref e) | Event::Empty(ref e) => {
                    let is_empty = matches!(event, Event::Empty(_));
                    let name: Box<str> = String::from_utf8_lossy(e.local_name().as_ref()).into();
                    // Attributes are checked for well-formedness; the Orders and Feeds
                    // responses carry nothing in them that is read.
                    for attr in e.attributes() {
                        let attr = attr.map_err(|err| {
                            XmlError::new(
                                format!("{}/{name}", open_path(&nodes, &stack)),
                                format!("bad attribute: {err}"),
                            )
                        })?;
                        if attr.key.as_ref().starts_with(b"xmlns") {
                            continue;
                        }
                        attr.unescape_value().map_err(|err| {
                            XmlError::new(
                                format!("{}/{name}", open_path(&nodes, &stack)),
                                format!("bad attribute value: {err}"),
                            )
                        })?;
                    }
                    let parent = stack.last().copied();
                    if parent.is_none() && !nodes.is_empty() {
                        return Err(XmlError::new("/", "more than one root element"));
                    }
                    let idx = u32::try_from(nodes.len())
                        .map_err(|_| XmlError::new("/", "document too large"))?;
                    nodes.push(NodeData {
                        name,
                        text: String::new(),
                        parent: parent.unwrap_or(NONE),
                        children: Vec::new(),
                    });
                    if let Some(p) = parent {
                        nodes[p as usize].children.push(idx);
                    }
                    if !is_empty {
                        if stack.len() >= MAX_DEPTH {
                            return Err(XmlError::new(
                                open_path(&nodes, &stack),
                                format!("nesting deeper than {MAX_DEPTH} levels"),
                            ));
                        }
                        stack.push(idx);
                    }
                }
                Event::End(_) => {
                    stack.pop();
                }
                Event::Text(t) => {
                    if t.iter().all(u8::is_ascii_whitespace) {
                        // Indentation between elements; element text is trimmed anyway.
                        continue;
                    }
                    if let Some(&top) = stack.last() {
                        let text = t.unescape().map_err(|err| {
                            XmlError::new(open_path(&nodes, &stack), format!("bad text: {err}"))
                        })?;
                        nodes[top as usize].text.push_str(&text);
                    } else {
                        return Err(XmlError::new("/", "text outside the root element"));
                    }
                }
                Event::CData(c) => {
                    if let Some(&top) = stack.last() {
                        nodes[top as usize]
                            .text
                            .push_str(&String::from_utf8_lossy(c.as_ref()));
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !stack.is_empty() {
            return Err(XmlError::new(
                open_path(&nodes, &stack),
                "document ends before this element is closed",
            ));
        }
        if nodes.is_empty() {
            return Err(XmlError::new("/", "empty document (no root element)"));
        }
        Ok(Doc { nodes })
    }

    /// The root element.
    pub(crate) fn root(&self) -> Node<'_> {
        Node { doc: self, idx: 0 }
    }
}

/// An element of a [`Doc`].
#[derive(Clone, Copy)]
pub(crate) struct Node<'d> {
    doc: &'d Doc,
    idx: u32,
}

impl<'d> Node<'d> {
    fn data(&self) -> &'d NodeData {
        &self.doc.nodes[self.idx as usize]
    }

    /// Local name (namespace prefix dropped).
    pub(crate) fn name(&self) -> &'d str {
        &self.data().name
    }

    /// Text content, trimmed.
    pub(crate) fn text(&self) -> &'d str {
        self.data().text.trim()
    }

    /// All child elements, in document order.
    pub(crate) fn children(&self) -> impl Iterator<Item = Node<'d>> + 'd {
        let doc = self.doc;
        self.data()
            .children
            .iter()
            .map(move |&idx| Node { doc, idx })
    }

    /// Child elements with the given local name.
    pub(crate) fn children_named(&self, name: &'d str) -> impl Iterator<Item = Node<'d>> + 'd {
        self.children().filter(move |c| c.name() == name)
    }

    /// The first child with the given local name.
    pub(crate) fn child(&self, name: &str) -> Option<Node<'d>> {
        self.children().find(|c| c.name() == name)
    }

    /// Whether the element has child elements.
    pub(crate) fn has_children(&self) -> bool {
        !self.data().children.is_empty()
    }

    /// The element path, e.g. `ListOrdersResponse/ListOrdersResult/Orders/Order[2]`.
    /// An index is shown when the element has same-named siblings.
    pub(crate) fn path(&self) -> String {
        let mut parts = Vec::new();
        let mut idx = self.idx;
        while idx != NONE {
            let data = &self.doc.nodes[idx as usize];
            let mut part = data.name.to_string();
            if data.parent != NONE {
                let siblings = &self.doc.nodes[data.parent as usize].children;
                let same: Vec<u32> = siblings
                    .iter()
                    .copied()
                    .filter(|&s| self.doc.nodes[s as usize].name == data.name)
                    .collect();
                if same.len() > 1 {
                    let pos = same.iter().position(|&s| s == idx).unwrap_or(0) + 1;
                    part = format!("{part}[{pos}]");
                }
            }
            parts.push(part);
            idx = data.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// An error located at this element.
    pub(crate) fn error(&self, message: impl Into<String>) -> XmlError {
        XmlError::new(self.path(), message)
    }

    /// A required child is missing.
    pub(crate) fn missing(&self, name: &str) -> XmlError {
        XmlError::new(
            format!("{}/{name}", self.path()),
            "required element is missing",
        )
    }

    /// A required child.
    pub(crate) fn req(&self, name: &str) -> Result<Node<'d>, XmlError> {
        self.child(name).ok_or_else(|| self.missing(name))
    }

    /// The trimmed text of this element, `None` when empty.
    pub(crate) fn opt_text(&self) -> Option<String> {
        let t = self.text();
        (!t.is_empty()).then(|| t.to_owned())
    }

    /// Text of an optional child (`None` when missing or empty).
    pub(crate) fn opt_str(&self, name: &str) -> Option<String> {
        self.child(name).and_then(|c| c.opt_text())
    }

    /// Text of a required child (may be empty).
    pub(crate) fn req_str(&self, name: &str) -> Result<String, XmlError> {
        Ok(self.req(name)?.text().to_owned())
    }

    /// Parses this element's text with `f`, reporting failures at this element.
    pub(crate) fn parse_with<T>(&self, f: fn(&str) -> Result<T, String>) -> Result<T, XmlError> {
        f(self.text()).map_err(|m| self.error(m))
    }

    /// Parses this element's text, `None` when empty.
    pub(crate) fn parse_opt<T>(
        &self,
        f: fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, XmlError> {
        if self.text().is_empty() {
            Ok(None)
        } else {
            self.parse_with(f).map(Some)
        }
    }

    /// Parses an optional child.
    pub(crate) fn child_opt<T>(
        &self,
        name: &str,
        f: fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, XmlError> {
        match self.child(name) {
            Some(c) => c.parse_opt(f),
            None => Ok(None),
        }
    }

    /// Parses a required child.
    pub(crate) fn child_req<T>(
        &self,
        name: &str,
        f: fn(&str) -> Result<T, String>,
    ) -> Result<T, XmlError> {
        self.req(name)?.parse_with(f)
    }
}

/// Checks that the root has one of the expected names.
pub(crate) fn expect_root<'d>(doc: &'d Doc, names: &[&str]) -> Result<Node<'d>, XmlError> {
    let root = doc.root();
    if names.contains(&root.name()) {
        Ok(root)
    } else {
        Err(root.error(format!(
            "unexpected root element, expected {}",
            names.join(" or ")
        )))
    }
}

// ---------------------------------------------------------------- scalar parsers

/// Parses an `xs:dateTime` leniently and returns it in UTC.
///
/// Accepted: RFC 3339 with `Z` or an offset, with or without fractional seconds; a date-time
/// without offset (taken as UTC); a bare date (midnight UTC); percent-encoded colons (seen in
/// Amazon's own documentation examples). Anything else is an error naming the value.
pub(crate) fn parse_datetime(s: &str) -> Result<OffsetDateTime, String> {
    let trimmed = s.trim();
    let decoded: Cow<'_, str> = if trimmed.contains('%') {
        percent_encoding::percent_decode_str(trimmed).decode_utf8_lossy()
    } else {
        Cow::Borrowed(trimmed)
    };
    let v = decoded.as_ref();
    if let Ok(t) = OffsetDateTime::parse(v, &Rfc3339) {
        return Ok(t.to_offset(UtcOffset::UTC));
    }
    let looks_like_local = v
        .as_bytes()
        .get(10)
        .is_some_and(|b| *b == b'T' || *b == b't')
        && v.get(19..)
            .is_some_and(|rest| !rest.contains(['+', '-', 'Z', 'z']));
    if looks_like_local {
        if let Ok(t) = OffsetDateTime::parse(&format!("{v}Z"), &Rfc3339) {
            return Ok(t);
        }
    }
    if v.len() == 10 {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        if let Ok(d) = Date::parse(v, &fmt) {
            return Ok(PrimitiveDateTime::new(d, Time::MIDNIGHT).assume_utc());
        }
    }
    Err(format!("{trimmed:?} is not a valid xs:dateTime"))
}

/// Parses `true`/`false` (any case) or `1`/`0`.
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    let s = s.trim();
    if s.eq_ignore_ascii_case("true") || s == "1" {
        Ok(true)
    } else if s.eq_ignore_ascii_case("false") || s == "0" {
        Ok(false)
    } else {
        Err(format!("{s:?} is not a boolean"))
    }
}

/// Parses an unsigned 32-bit integer.
pub(crate) fn parse_u32(s: &str) -> Result<u32, String> {
    u32::from_str(s.trim()).map_err(|e| format!("{:?} is not a whole number: {e}", s.trim()))
}

/// Parses an unsigned 64-bit integer.
pub(crate) fn parse_u64(s: &str) -> Result<u64, String> {
    u64::from_str(s.trim()).map_err(|e| format!("{:?} is not a whole number: {e}", s.trim()))
}

/// Parses a decimal amount (`25.00`, `-3.5`).
pub(crate) fn parse_decimal(s: &str) -> Result<Decimal, String> {
    Decimal::from_str(s.trim()).map_err(|e| format!("{:?} is not a decimal number: {e}", s.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_and_paths() {
        let doc = Doc::parse(
            r#"<?xml version="1.0"?><a:R xmlns:a="urn:x" xmlns="urn:y"><L><I>1</I><I k="v">2</I></L><E/></a:R>"#,
        )
        .unwrap();
        let root = doc.root();
        assert_eq!(root.name(), "R");
        let l = root.req("L").unwrap();
        let items: Vec<_> = l.children_named("I").collect();
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].text(), "2");
        assert_eq!(items[1].path(), "R/L/I[2]");
        assert_eq!(root.req("E").unwrap().opt_text(), None);
        let err = root.req("Nope").err().unwrap();
        assert_eq!(err.path, "R/Nope");
    }

    #[test]
    fn malformed_documents_are_errors_not_panics() {
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "text",
            "<a>&bogus;</a>",
            "<a x='1' x='2'/>",
        ] {
            assert!(Doc::parse(bad).is_err(), "{bad:?} parsed");
        }
        let err = Doc::parse("<R><L><I>1</I></L>").err().unwrap();
        assert!(err.path.starts_with('R'), "{err:?}");
    }

    #[test]
    fn datetimes() {
        let p = |s: &str| parse_datetime(s).map(|t| t.unix_timestamp());
        assert_eq!(p("2020-06-24T14:10:37.462Z"), Ok(1_593_007_837));
        assert_eq!(p("2020-06-24T11:54:04+00:00"), p("2020-06-24T11:54:04Z"));
        assert_eq!(p("2013-10-23T14:44:11-03:00"), p("2013-10-23T17:44:11Z"));
        assert_eq!(p("2009-07-22T23:59:59"), p("2009-07-22T23:59:59Z"));
        assert_eq!(p("2015-01-01"), p("2015-01-01T00:00:00Z"));
        assert_eq!(
            p(" 2017-02-05T00%3A06%3A07.000Z "),
            p("2017-02-05T00:06:07Z")
        );
        assert_eq!(
            parse_datetime("2013-09-01T00:00:00+02:00")
                .unwrap()
                .offset(),
            UtcOffset::UTC
        );
        for bad in [
            "20178-02-20T19:49:35Z",
            "2013-09-071T02:00:00.000-06:00",
            "2013-22-10T13:22:33",
            "String",
            "",
        ] {
            assert!(parse_datetime(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn scalars() {
        assert_eq!(parse_bool(" False "), Ok(false));
        assert_eq!(parse_bool("true"), Ok(true));
        assert!(parse_bool("yes").is_err());
        assert_eq!(parse_decimal("25.00").unwrap().to_string(), "25.00");
        assert!(parse_decimal("FILTERED").is_err());
        assert_eq!(parse_u32(" 12 "), Ok(12));
        assert!(parse_u32("-1").is_err());
    }
}
