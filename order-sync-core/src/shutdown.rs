//! A cloneable shutdown signal (a `tokio::sync::watch` underneath).

use tokio::sync::watch;

/// Asks every holder of the paired [`Shutdown`] to stop.
#[derive(Debug)]
pub struct ShutdownTrigger {
    tx: watch::Sender<bool>,
}

impl ShutdownTrigger {
    /// Requests shutdown. Idempotent.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }
}

/// Observes a shutdown request. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Shutdown {
    rx: watch::Receiver<bool>,
}

impl Shutdown {
    /// A new trigger and its signal.
    pub fn new() -> (ShutdownTrigger, Shutdown) {
        let (tx, rx) = watch::channel(false);
        (ShutdownTrigger { tx }, Shutdown { rx })
    }

    /// A signal that never fires (for one-off runs).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // With the sender gone nothing can trigger it: `is_requested()` stays false and
        // `wait()` pends forever.
        drop(tx);
        Shutdown { rx }
    }

    /// Whether shutdown has been requested.
    pub fn is_requested(&self) -> bool {
        *self.rx.borrow()
    }

    /// Completes when shutdown is requested (never, if the trigger was dropped first).
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        loop {
            if *rx.borrow_and_update() {
                return;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn wait_completes_after_trigger() {
        let (t, s) = Shutdown::new();
        assert!(!s.is_requested());
        let s2 = s.clone();
        let waiter = tokio::spawn(async move { s2.wait().await });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        t.trigger();
        waiter.await.unwrap();
        assert!(s.is_requested());
        let never = Shutdown::never();
        let r = tokio::time::timeout(std::time::Duration::from_secs(5), never.wait()).await;
        assert!(r.is_err());
    }
}
