//! The evaluator's session on tokio (feature `async`): [`AsyncSession`], and
//! [`SessionPool`], sessions to one garbler service shared by many tasks.
//!
//! An [`AsyncSession`] runs a blocking [`Session`] on a thread of its own:
//! requests go to it over a channel and answers come back on a oneshot, so
//! no computation blocks the runtime, and the protocol is the blocking one,
//! byte for byte. Cancel-safe: a future dropped before its answer leaves
//! the session consistent (the computation runs to its end on the thread
//! and its answer is discarded), and the next request is queued behind it.
//! Requests never wait on each other except by that queue, and every
//! computation is bounded by the session's peer timeout.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use evaluator::{ClientSecurity, PoolConfig, Prepared, SessionPool};
//! #[derive(serde::Serialize)]
//! struct Mine { b: [u32; 8] }
//! #[derive(serde::Deserialize)]
//! struct Outcome { winner: u8, price: u32 }
//! let circuit = compiler::compile_file("examples/vickrey_lean.mpc".as_ref())
//!     .map_err(|e| format!("{e:?}"))?;
//! let pool = SessionPool::new(
//!     "garbler.example:7000",
//!     ClientSecurity::InsecurePlaintext,
//!     Prepared::new(circuit)?,
//!     PoolConfig::default(),
//! );
//! let shares = [0u32; 8];
//! let outcome = pool
//!     .evaluate_typed_with_context::<Outcome>(b"auction-17", &Mine { b: shares })
//!     .await?;
//! println!("{} pays {}", outcome.winner, outcome.price);
//! # Ok(())
//! # }
//! ```

use crate::remote::{decode_typed, encode_typed};
use crate::{ClientSecurity, EvalError, Session, SessionConfig};
use circuits::{typed, Circuit, Party};
use protocol::{Prepared, ProtocolError, SessionStats, MAX_CONTEXT};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use transport::Link;

/// What the session's thread is asked to do.
enum Job {
    /// A batch of computations, with one context each.
    Batch {
        bits: Vec<Vec<bool>>,
        contexts: Vec<Vec<u8>>,
        reply: oneshot::Sender<Result<Vec<Vec<bool>>, EvalError>>,
    },
    /// The statistics so far.
    Stats(oneshot::Sender<SessionStats>),
    /// End the session politely.
    Close(oneshot::Sender<Result<SessionStats, EvalError>>),
}

/// A session with a garbler for async code: the blocking [`Session`] on a
/// dedicated thread (see the [module documentation](self)).
pub struct AsyncSession {
    jobs: mpsc::Sender<Job>,
    circuit: Arc<Circuit>,
    eval_wires: Arc<[usize]>,
    /// Set by the thread once an error has closed the session.
    broken: Arc<AtomicBool>,
}

impl AsyncSession {
    /// Connects to a garbler at `addr` as [`Session::connect`] does, on the
    /// session's own thread.
    pub async fn connect(
        addr: &str,
        security: &ClientSecurity,
        prepared: &Prepared,
        config: SessionConfig,
    ) -> Result<AsyncSession, EvalError> {
        let (addr, security, prepared_c) = (addr.to_string(), security.clone(), prepared.clone());
        AsyncSession::start(prepared, move || {
            Session::connect(&addr, &security, &prepared_c, config)
        })
        .await
    }

    /// Starts the session's thread, which makes the session with `open`
    /// and then serves requests until the handle is dropped or closed.
    async fn start(
        prepared: &Prepared,
        open: impl FnOnce() -> Result<Session<Link>, EvalError> + Send + 'static,
    ) -> Result<AsyncSession, EvalError> {
        let (opened, is_open) = oneshot::channel();
        let (jobs, queue) = mpsc::channel::<Job>();
        let broken = Arc::new(AtomicBool::new(false));
        let flag = broken.clone();
        std::thread::Builder::new()
            .name("evaluator-session".into())
            .spawn(move || match open() {
                Ok(session) => {
                    if opened.send(Ok(())).is_ok() {
                        serve_jobs(session, queue, flag);
                    } else {
                        // Nobody waits for the session any more.
                        let _ = session.close();
                    }
                }
                Err(e) => {
                    let _ = opened.send(Err(e));
                }
            })
            .map_err(|e| {
                EvalError::Transport(transport::TransportError::Config(format!(
                    "cannot start the session's thread: {e}"
                )))
            })?;
        is_open.await.map_err(|_| EvalError::SessionClosed)??;
        Ok(AsyncSession {
            jobs,
            circuit: prepared.circuit.clone(),
            eval_wires: prepared.circuit.output_bits_of(Party::Evaluator).into(),
            broken,
        })
    }

    /// The circuit of this session.
    pub fn circuit(&self) -> &Circuit {
        &self.circuit
    }

    /// Whether an earlier error closed the session (every later call fails).
    pub fn is_closed(&self) -> bool {
        self.broken.load(Ordering::Acquire)
    }

    /// [`Session::evaluate`]: one computation, with an empty context.
    pub fn evaluate(
        &self,
        bits: Vec<bool>,
    ) -> impl Future<Output = Result<Vec<bool>, EvalError>> + Send + 'static {
        self.evaluate_with_context(&[], bits)
    }

    /// [`Session::evaluate_with_context`]: one computation with a public
    /// context.
    pub fn evaluate_with_context(
        &self,
        context: &[u8],
        bits: Vec<bool>,
    ) -> impl Future<Output = Result<Vec<bool>, EvalError>> + Send + 'static {
        let batch = self.evaluate_batch_with_contexts(vec![bits], vec![context.to_vec()]);
        async move { Ok(batch.await?.pop().unwrap_or_default()) }
    }

    /// [`Session::evaluate_batch`]: many computations in one flight, with
    /// empty contexts.
    pub fn evaluate_batch(
        &self,
        batch: Vec<Vec<bool>>,
    ) -> impl Future<Output = Result<Vec<Vec<bool>>, EvalError>> + Send + 'static {
        let contexts = vec![Vec::new(); batch.len()];
        self.evaluate_batch_with_contexts(batch, contexts)
    }

    /// [`Session::evaluate_batch_with_contexts`]: many computations in one
    /// flight, one public context each.
    pub fn evaluate_batch_with_contexts(
        &self,
        batch: Vec<Vec<bool>>,
        contexts: Vec<Vec<u8>>,
    ) -> impl Future<Output = Result<Vec<Vec<bool>>, EvalError>> + Send + 'static {
        let (reply, answer) = oneshot::channel();
        let sent = self
            .jobs
            .send(Job::Batch {
                bits: batch,
                contexts,
                reply,
            })
            .map_err(|_| EvalError::SessionClosed);
        async move {
            sent?;
            answer.await.map_err(|_| EvalError::SessionClosed)?
        }
    }

    /// [`Session::evaluate_typed`]: Rust data in, Rust data out, with an
    /// empty context. The inputs are encoded before this returns, so the
    /// future does not borrow them.
    pub fn evaluate_typed<O: typed::DeserializeOwned + Send + 'static>(
        &self,
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> impl Future<Output = Result<O, EvalError>> + Send + 'static {
        self.evaluate_typed_with_context(&[], inputs)
    }

    /// [`Session::evaluate_typed_with_context`]: Rust data in and out, with
    /// a public context.
    pub fn evaluate_typed_with_context<O: typed::DeserializeOwned + Send + 'static>(
        &self,
        context: &[u8],
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> impl Future<Output = Result<O, EvalError>> + Send + 'static {
        let run = encode_typed(&self.circuit, inputs)
            .map(|bits| self.evaluate_with_context(context, bits));
        let (circuit, wires) = (self.circuit.clone(), self.eval_wires.clone());
        async move {
            let learned = run?.await?;
            decode_typed(&circuit, &wires, &learned)
        }
    }

    /// The session's statistics so far.
    pub async fn stats(&self) -> Result<SessionStats, EvalError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Stats(reply))
            .map_err(|_| EvalError::SessionClosed)?;
        answer.await.map_err(|_| EvalError::SessionClosed)
    }

    /// Ends the session politely once the requests already made are done;
    /// returns the final statistics. Dropping the handle ends it too.
    pub async fn close(self) -> Result<SessionStats, EvalError> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job::Close(reply))
            .map_err(|_| EvalError::SessionClosed)?;
        answer.await.map_err(|_| EvalError::SessionClosed)?
    }
}

/// The session's thread: one request at a time, in order, until the handle
/// is gone; then the session ends politely.
fn serve_jobs(mut session: Session<Link>, queue: mpsc::Receiver<Job>, broken: Arc<AtomicBool>) {
    while let Ok(job) = queue.recv() {
        match job {
            Job::Batch {
                bits,
                contexts,
                reply,
            } => {
                let result = session.evaluate_batch_with_contexts(&bits, &contexts);
                broken.store(session.is_closed(), Ordering::Release);
                // A dropped future no longer wants the answer.
                let _ = reply.send(result);
            }
            Job::Stats(reply) => {
                let _ = reply.send(session.stats());
            }
            Job::Close(reply) => {
                broken.store(true, Ordering::Release);
                let _ = reply.send(session.close());
                return;
            }
        }
    }
    broken.store(true, Ordering::Release);
    let _ = session.close();
}

/// Settings of a [`SessionPool`].
#[derive(Clone, Copy, Debug)]
pub struct PoolConfig {
    /// Most sessions open at once (requests beyond them wait for one).
    pub size: usize,
    /// Each session's settings; `limits.timeout` also bounds connecting.
    pub session: SessionConfig,
    /// Wait after a failed connection before the next attempt, doubled
    /// after each failure up to [`PoolConfig::max_backoff`]; requests in
    /// between fail at once, naming the last failure.
    pub min_backoff: Duration,
    /// The longest wait between connection attempts.
    pub max_backoff: Duration,
}

impl Default for PoolConfig {
    fn default() -> PoolConfig {
        PoolConfig {
            size: 4,
            session: SessionConfig::default(),
            min_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// Sessions to one garbler service, shared by many tasks (clones share
/// the pool). Each request takes an idle session, or connects a new one
/// while fewer than [`PoolConfig::size`] are open, or waits for one.
///
/// A session that fails is dropped, and a new one connects on next use. A
/// request on a reused session whose connection turns out to be gone (the
/// service restarted, say) is run again once on a new session. While the
/// service cannot be reached, requests fail with
/// [`EvalError::Unreachable`] ("garbler service at ADDR unreachable: ...")
/// within the session timeout, and connection attempts back off.
#[derive(Clone)]
pub struct SessionPool {
    inner: Arc<PoolInner>,
}

struct PoolInner {
    addr: String,
    security: ClientSecurity,
    prepared: Prepared,
    config: PoolConfig,
    idle: Mutex<Vec<AsyncSession>>,
    slots: Arc<Semaphore>,
    backoff: Mutex<Backoff>,
}

/// The state of connection attempts.
#[derive(Default)]
struct Backoff {
    /// Failures in a row.
    failures: u32,
    /// No attempt before then.
    next: Option<Instant>,
    /// What the last attempt said.
    last: String,
}

/// A session taken from the pool, with the slot it holds; it goes back to
/// the pool when dropped, unless it failed. A future dropped mid-request
/// returns it too: its thread finishes the computation first, in order.
struct Lease {
    pool: Arc<PoolInner>,
    session: Option<AsyncSession>,
    /// Whether it was idle in the pool (its connection may be stale).
    reused: bool,
    _slot: OwnedSemaphorePermit,
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            if !s.is_closed() {
                self.pool
                    .idle
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(s);
            }
        }
    }
}

impl Lease {
    fn session(&self) -> &AsyncSession {
        // Set at creation, taken only by drop.
        self.session
            .as_ref()
            .expect("a lease holds its session until dropped")
    }
}

/// Whether an error says the connection was gone rather than that the
/// request failed: only then is running it again on a new session right.
fn connection_gone(e: &EvalError) -> bool {
    matches!(
        e,
        EvalError::SessionClosed
            | EvalError::Protocol(ProtocolError::Closed { .. } | ProtocolError::Io { .. })
    )
}

impl SessionPool {
    /// A pool of sessions to the garbler service at `addr` (`HOST:PORT`),
    /// secured as `security` says, running `prepared`. Connects lazily, on
    /// the first requests.
    pub fn new(
        addr: impl Into<String>,
        security: ClientSecurity,
        prepared: Prepared,
        config: PoolConfig,
    ) -> SessionPool {
        SessionPool {
            inner: Arc::new(PoolInner {
                addr: addr.into(),
                security,
                prepared,
                slots: Arc::new(Semaphore::new(config.size.max(1))),
                config,
                idle: Mutex::new(Vec::new()),
                backoff: Mutex::new(Backoff::default()),
            }),
        }
    }

    /// The garbler service's address.
    pub fn addr(&self) -> &str {
        &self.inner.addr
    }

    /// The circuit the pool's sessions run.
    pub fn circuit(&self) -> &Circuit {
        &self.inner.prepared.circuit
    }

    /// Sessions open and idle now.
    pub fn idle(&self) -> usize {
        self.inner
            .idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Takes an idle session, or connects one (`fresh`: never an idle one).
    async fn lease(&self, fresh: bool) -> Result<Lease, EvalError> {
        let inner = &self.inner;
        let slot = inner
            .slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| EvalError::SessionClosed)?;
        if !fresh {
            let mut idle = inner.idle.lock().unwrap_or_else(|e| e.into_inner());
            while let Some(s) = idle.pop() {
                if !s.is_closed() {
                    return Ok(Lease {
                        pool: inner.clone(),
                        session: Some(s),
                        reused: true,
                        _slot: slot,
                    });
                }
            }
        }
        let unreachable = |msg: String| EvalError::Unreachable {
            addr: inner.addr.clone(),
            msg,
        };
        {
            let b = inner.backoff.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(next) = b.next {
                let now = Instant::now();
                if now < next {
                    return Err(unreachable(format!(
                        "{} (next attempt in {} ms)",
                        b.last,
                        (next - now).as_millis()
                    )));
                }
            }
        }
        match AsyncSession::connect(
            &inner.addr,
            &inner.security,
            &inner.prepared,
            inner.config.session,
        )
        .await
        {
            Ok(s) => {
                *inner.backoff.lock().unwrap_or_else(|e| e.into_inner()) = Backoff::default();
                Ok(Lease {
                    pool: inner.clone(),
                    session: Some(s),
                    reused: false,
                    _slot: slot,
                })
            }
            Err(e) => {
                let mut b = inner.backoff.lock().unwrap_or_else(|e| e.into_inner());
                let wait = inner
                    .config
                    .min_backoff
                    .saturating_mul(1 << b.failures.min(16))
                    .min(inner.config.max_backoff);
                b.failures = b.failures.saturating_add(1);
                b.next = Some(Instant::now() + wait);
                b.last = e.to_string();
                Err(unreachable(b.last.clone()))
            }
        }
    }

    /// [`Session::evaluate_batch_with_contexts`] on a session of the pool.
    pub async fn evaluate_batch_with_contexts(
        &self,
        batch: Vec<Vec<bool>>,
        contexts: Vec<Vec<u8>>,
    ) -> Result<Vec<Vec<bool>>, EvalError> {
        // Caller errors are reported before any session is taken.
        if contexts.len() != batch.len() {
            return Err(EvalError::Contexts {
                computations: batch.len(),
                contexts: contexts.len(),
            });
        }
        if let Some(c) = contexts.iter().find(|c| c.len() > MAX_CONTEXT) {
            return Err(ProtocolError::ContextTooLong { len: c.len() }.into());
        }
        let lease = self.lease(false).await?;
        // Kept only when a stale connection may make a second run needed.
        let again = lease.reused.then(|| (batch.clone(), contexts.clone()));
        let first = lease
            .session()
            .evaluate_batch_with_contexts(batch, contexts)
            .await;
        match (first, again) {
            (Err(e), Some((batch, contexts))) if connection_gone(&e) => {
                drop(lease);
                let lease = self.lease(true).await?;
                let run = lease
                    .session()
                    .evaluate_batch_with_contexts(batch, contexts);
                run.await
            }
            (done, _) => done,
        }
    }

    /// [`Session::evaluate_batch`] on a session of the pool.
    pub async fn evaluate_batch(&self, batch: Vec<Vec<bool>>) -> Result<Vec<Vec<bool>>, EvalError> {
        let contexts = vec![Vec::new(); batch.len()];
        self.evaluate_batch_with_contexts(batch, contexts).await
    }

    /// [`Session::evaluate_with_context`] on a session of the pool.
    pub async fn evaluate_with_context(
        &self,
        context: &[u8],
        bits: Vec<bool>,
    ) -> Result<Vec<bool>, EvalError> {
        let mut out = self
            .evaluate_batch_with_contexts(vec![bits], vec![context.to_vec()])
            .await?;
        Ok(out.pop().unwrap_or_default())
    }

    /// [`Session::evaluate`] on a session of the pool.
    pub async fn evaluate(&self, bits: Vec<bool>) -> Result<Vec<bool>, EvalError> {
        self.evaluate_with_context(&[], bits).await
    }

    /// [`Session::evaluate_typed_with_context`] on a session of the pool.
    /// The inputs are encoded before this returns.
    pub fn evaluate_typed_with_context<O: typed::DeserializeOwned + Send + 'static>(
        &self,
        context: &[u8],
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> impl Future<Output = Result<O, EvalError>> + Send + 'static {
        let bits = encode_typed(&self.inner.prepared.circuit, inputs);
        let (pool, context) = (self.clone(), context.to_vec());
        async move {
            let learned = pool.evaluate_with_context(&context, bits?).await?;
            let circuit = &pool.inner.prepared.circuit;
            decode_typed(circuit, &circuit.output_bits_of(Party::Evaluator), &learned)
        }
    }

    /// [`Session::evaluate_typed`] on a session of the pool.
    pub fn evaluate_typed<O: typed::DeserializeOwned + Send + 'static>(
        &self,
        inputs: &(impl typed::Serialize + ?Sized),
    ) -> impl Future<Output = Result<O, EvalError>> + Send + 'static {
        self.evaluate_typed_with_context(&[], inputs)
    }
}
