//! Small XML tools shared by the MWS answers and the feed processing: an escaping writer
//! and a tolerant reader of feed documents. No HTTP here.

use rust_decimal::Decimal;

use crate::model::SimOrder;

pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// A tiny XML writer.
pub(crate) struct X(pub(crate) String);

impl X {
    pub(crate) fn new() -> Self {
        X(String::from("<?xml version=\"1.0\"?>\n"))
    }
    pub(crate) fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    pub(crate) fn open_ns(&mut self, tag: &str, ns: &str) -> &mut Self {
        self.0.push_str(&format!("<{tag} xmlns=\"{ns}\">"));
        self
    }
    pub(crate) fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }
    pub(crate) fn leaf(&mut self, tag: &str, text: impl AsRef<str>) -> &mut Self {
        self.0
            .push_str(&format!("<{tag}>{}</{tag}>", esc(text.as_ref())));
        self
    }
    pub(crate) fn money(&mut self, tag: &str, o: &SimOrder, d: Decimal) -> &mut Self {
        self.open(tag)
            .leaf("CurrencyCode", o.mp.currency)
            .leaf("Amount", o.money_str(d))
            .close(tag)
    }
    pub(crate) fn meta(&mut self, request_id: &str) -> &mut Self {
        self.open("ResponseMetadata")
            .leaf("RequestId", request_id)
            .close("ResponseMetadata")
    }
}

/// A parsed XML element (enough for feed documents).
#[derive(Debug, Default)]
pub(crate) struct Node {
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) children: Vec<Node>,
}

impl Node {
    pub(crate) fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
    pub(crate) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    pub(crate) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
}

pub(crate) fn parse_xml(text: &str) -> Result<Node, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => stack.push(Node {
                name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                ..Node::default()
            }),
            Event::Empty(e) => {
                let n = Node {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Node::default()
                };
                if let Some(top) = stack.last_mut() {
                    top.children.push(n);
                }
            }
            Event::Text(t) => {
                let t = t.unescape().map_err(|e| e.to_string())?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::End(_) => {
                let n = stack.pop().ok_or("unbalanced end tag")?;
                match stack.last_mut() {
                    Some(top) => top.children.push(n),
                    None => return Err("unbalanced end tag".into()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("unexpected end of document".into());
    }
    stack
        .pop()
        .and_then(|mut root| root.children.pop())
        .ok_or_else(|| "empty document".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_tree() {
        let n = parse_xml("<?xml version=\"1.0\"?><A><B>x &amp; y</B><C/><B>z</B></A>").unwrap();
        assert_eq!(n.name, "A");
        assert_eq!(n.all("B").count(), 2);
        assert_eq!(n.text_of("B"), Some("x & y"));
        assert!(parse_xml("<A><B></A>").is_err());
        assert_eq!(esc("a<&>'\""), "a&lt;&amp;&gt;&apos;&quot;");
    }
}
