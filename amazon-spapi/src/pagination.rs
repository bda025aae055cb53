//! Paging as a `Stream`: a page operation is executed, the next page's operation is derived
//! from the response's token, until there is none.

use crate::client::Client;
use crate::error::Result;
use crate::operation::Operation;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use std::sync::Arc;

/// Streams every page of `first` and its successors. `next` builds the next page's
/// operation from the current one and its page (`None` on the last page). A token that
/// repeats the previous one ends the stream instead of looping forever.
pub(crate) fn pages<Op, F>(
    client: Client,
    first: Op,
    next: F,
) -> impl Stream<Item = Result<Op::Output>> + Send + 'static
where
    Op: Operation + Send + Sync + 'static,
    Op::Output: Send + 'static,
    F: Fn(&Op, &Op::Output) -> Option<Op> + Send + Sync + 'static,
{
    let next = Arc::new(next);
    stream::try_unfold(Some(first), move |state| {
        let client = client.clone();
        let next = Arc::clone(&next);
        async move {
            let Some(op) = state else { return Ok(None) };
            let page = client.execute(&op).await?;
            let following = next(&op, &page);
            Ok(Some((page, following)))
        }
    })
}

/// Flattens a stream of pages into a stream of items.
pub(crate) fn items<P, T, S, F>(pages: S, take: F) -> impl Stream<Item = Result<T>> + Send + 'static
where
    S: Stream<Item = Result<P>> + Send + 'static,
    P: Send + 'static,
    T: Send + 'static,
    F: Fn(P) -> Vec<T> + Send + Sync + 'static,
{
    pages
        .map_ok(move |page| stream::iter(take(page).into_iter().map(Ok)))
        .try_flatten()
        .boxed()
}

/// The token to ask for the next page with: the page's token when it is present, not
/// empty and not the one just sent (a repeated token would page forever); `None` ends the
/// stream.
pub(crate) fn fresh_token<'a>(sent: Option<&str>, received: Option<&'a str>) -> Option<&'a str> {
    received.filter(|t| !t.is_empty() && sent != Some(*t))
}
