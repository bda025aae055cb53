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

/// Where an item listing stands: what a caller stores to resume it after a crash (plain
/// data, so a caller can rebuild it from its own storage).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListingPosition {
    /// The upper bound Amazon applied to the listing (`LastUpdatedBefore` /
    /// `CreatedBefore`, echoed on every page): once the listing is complete, the next
    /// listing starts there.
    pub watermark: Option<time::OffsetDateTime>,
    /// The page token to send, with the same filters, to continue without skipping an
    /// item (`None`: from the first page). It may replay the items of one page already
    /// seen; never one that was not.
    pub page_token: Option<String>,
}

/// One page as a [`Listing`] sees it.
pub(crate) struct PageOf<T> {
    pub(crate) items: Vec<T>,
    pub(crate) next_token: Option<String>,
    pub(crate) watermark: Option<time::OffsetDateTime>,
}

/// A stream of items across pages that keeps the page token and the watermark, so a
/// caller can advance a cursor and resume a listing after a crash.
///
/// It is a `Stream<Item = Result<T>>` (and `Unpin`); between items, ask it where it
/// stands with [`position`](Self::position), [`watermark`](Self::watermark) and
/// [`is_complete`](Self::is_complete).
pub struct Listing<T> {
    pages: std::pin::Pin<Box<dyn Stream<Item = Result<PageOf<T>>> + Send>>,
    buffer: std::collections::VecDeque<T>,
    /// The token that fetched the current page (`None`: the first page).
    page_token: Option<String>,
    /// The token of the page after the current one.
    next_token: Option<String>,
    watermark: Option<time::OffsetDateTime>,
    started: bool,
    complete: bool,
}

impl<T> std::fmt::Debug for Listing<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("buffered", &self.buffer.len())
            .field("page_token", &self.page_token)
            .field("next_token", &self.next_token)
            .field("watermark", &self.watermark)
            .field("complete", &self.complete)
            .finish()
    }
}

impl<T: Send + 'static> Listing<T> {
    /// A listing over `pages`, the first of which is fetched with `first_token`.
    pub(crate) fn new<S>(pages: S, first_token: Option<String>) -> Self
    where
        S: Stream<Item = Result<PageOf<T>>> + Send + 'static,
    {
        Listing {
            pages: Box::pin(pages),
            buffer: std::collections::VecDeque::new(),
            page_token: first_token,
            next_token: None,
            watermark: None,
            started: false,
            complete: false,
        }
    }
}

impl<T> Listing<T> {
    /// The watermark Amazon echoed on the latest page (`None` before the first page, or
    /// when Amazon sent none).
    pub fn watermark(&self) -> Option<time::OffsetDateTime> {
        self.watermark
    }

    /// The token that fetched the page of the item yielded last (`None`: the first page).
    pub fn page_token(&self) -> Option<&str> {
        self.page_token.as_deref()
    }

    /// The token of the page after the current one (`None` on the last page).
    pub fn next_page_token(&self) -> Option<&str> {
        self.next_token.as_deref()
    }

    /// Whether every item of every page has been yielded: the caller may move its cursor
    /// to the [`watermark`](Self::watermark).
    pub fn is_complete(&self) -> bool {
        self.complete || (self.started && self.buffer.is_empty() && self.next_token.is_none())
    }

    /// Where to resume after the item yielded last: the next page's token once the
    /// current page is used up, else the current page's (replaying its items).
    pub fn position(&self) -> ListingPosition {
        let page_token = if self.started && self.buffer.is_empty() && self.next_token.is_some() {
            self.next_token.clone()
        } else {
            self.page_token.clone()
        };
        ListingPosition {
            watermark: self.watermark,
            page_token,
        }
    }
}

// The buffered items are never pinned: the listing only moves them out.
impl<T> Unpin for Listing<T> {}

impl<T> Stream for Listing<T> {
    type Item = Result<T>;

    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<T>>> {
        use std::task::Poll;
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if this.complete {
                return Poll::Ready(None);
            }
            match this.pages.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.complete = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => {
                    if this.started {
                        this.page_token = this.next_token.take();
                    }
                    this.started = true;
                    // A token that repeats the current one ends the listing (as in `pages`).
                    let current = this.page_token.clone();
                    this.next_token = page
                        .next_token
                        .filter(|t| !t.is_empty() && Some(t) != current.as_ref());
                    if page.watermark.is_some() {
                        this.watermark = page.watermark;
                    }
                    this.buffer.extend(page.items);
                    if this.next_token.is_none() && this.buffer.is_empty() {
                        this.complete = true;
                    }
                }
            }
        }
    }
}
