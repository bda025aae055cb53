//! What the API modules share to answer a request: the request context, the JSON answer
//! before headers, query parameters and small body helpers. The server builds the context
//! and turns the answer into HTTP.

use axum::body::Bytes;
use axum::http::Method;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::state::Shared;

/// `expr?` for handlers that answer a [`Reply`]: the `Ok` value, or the error reply
/// returned from the handler at once.
macro_rules! or_reply {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(reply) => return reply,
        }
    };
}
pub(crate) use or_reply;

/// An answer before headers are added.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

impl Reply {
    pub(crate) fn ok(body: Value) -> Self {
        Reply {
            status: 200,
            body: Some(body),
        }
    }
    pub(crate) fn empty(status: u16) -> Self {
        Reply { status, body: None }
    }
    pub(crate) fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Reply {
            status,
            body: Some(json!({"errors": [{"code": code, "message": message.into()}]})),
        }
    }
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Reply::error(400, "InvalidInput", message)
    }
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Reply::error(404, "NotFound", message)
    }
}

/// Everything a handler needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub(crate) shared: &'a Shared,
    pub(crate) caller: Caller,
    pub(crate) method: &'a Method,
    pub(crate) path: &'a str,
    pub(crate) query: &'a str,
    pub(crate) body: &'a Bytes,
    pub(crate) order_id: Option<&'a str>,
    /// Index of the caller's seller world.
    pub(crate) seller: usize,
}

/// Query parameters; arrays are comma-separated (Swagger `csv`) and may also repeat.
pub(crate) struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    pub(crate) fn parse(q: &str) -> Result<Self, Reply> {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .map(|pairs| Params { pairs })
            .map_err(|_| Reply::invalid("The query string could not be parsed."))
    }
    pub(crate) fn one(&self, k: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(a, _)| a == k)
            .map(|(_, v)| v.as_str())
    }
    pub(crate) fn has(&self, k: &str) -> bool {
        self.pairs.iter().any(|(a, _)| a == k)
    }
    pub(crate) fn list(&self, k: &str) -> Option<Vec<String>> {
        let v: Vec<String> = self
            .pairs
            .iter()
            .filter(|(a, _)| a == k)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        self.has(k).then_some(v)
    }
    /// A canonical form of the filters (for checking that a page token is resent with the
    /// same filters).
    pub(crate) fn canonical(&self, exclude: &[&str]) -> String {
        let mut v: Vec<String> = self
            .pairs
            .iter()
            .filter(|(k, _)| !exclude.contains(&k.as_str()))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        v.sort();
        v.join("&")
    }
}

/// A string field of a JSON object.
pub(crate) fn str_field<'a>(v: &'a Value, k: &str) -> Option<&'a str> {
    v.get(k).and_then(Value::as_str)
}
