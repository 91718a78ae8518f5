//! Tasks that run beside the server until asked to stop: the search indexer and the outbox
//! dispatcher.

use std::future::Future;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What a task watches to learn that it should stop: it turns `true`.
pub type StopSignal = watch::Receiver<bool>;

/// A task on the current runtime. Dropping the handle leaves the task running until
/// [`Background::stop`] or the end of the process.
pub struct Background {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Background {
    pub fn spawn<F, Fut>(task: F) -> Self
    where
        F: FnOnce(StopSignal) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (stop, stopped) = watch::channel(false);
        Background {
            stop,
            task: tokio::spawn(task(stopped)),
        }
    }

    /// Asks the task to finish the round it is in and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
