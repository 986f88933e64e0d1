//! The async session and the session pool against a garbler service on
//! loopback: right answers under concurrency, cancelled requests, and a
//! service that goes away and comes back.
#![cfg(feature = "async")]

mod common;

use circuits::{typed, Party};
use common::{prepared, Mine, Sum};
use evaluator::{
    AsyncSession, ClientSecurity, EvalError, PoolConfig, Prepared, SessionConfig, SessionPool,
};
use garbler::{run_link, PeerInfo, SessionConfig as GarblerConfig};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use transport::ServerSecurity;

/// A garbler service that can be stopped like a killed process: its
/// listener closed and every connection cut.
struct Service {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl Service {
    fn start(addr: &str, prepared: &Prepared) -> Service {
        Service::start_with(addr, prepared, GarblerConfig::default())
    }

    /// A service whose sessions run with `config`.
    fn start_with(addr: &str, prepared: &Prepared, config: GarblerConfig) -> Service {
        let listener = TcpListener::bind(addr).unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let conns = Arc::new(Mutex::new(Vec::new()));
        let (s, c, p) = (stop.clone(), conns.clone(), prepared.clone());
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::Acquire) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                c.lock().unwrap().push(stream.try_clone().unwrap());
                let (p, config) = (p.clone(), config.clone());
                std::thread::spawn(move || {
                    // Closed when the session ends, as a real service does
                    // (the clone kept for `kill` would hold it open).
                    let own = stream.try_clone().unwrap();
                    let peer = PeerInfo {
                        addr: stream.peer_addr().unwrap(),
                        identity: None,
                    };
                    let circuit = p.circuit.clone();
                    let Ok(link) = ServerSecurity::InsecurePlaintext.accept(stream, config.limits)
                    else {
                        return;
                    };
                    let mut inputs = move |context: &[u8]| {
                        let a = context.first().copied().unwrap_or(0);
                        typed::encode_inputs(&circuit, Some(Party::Garbler), &a)
                            .map_err(|e| e.to_string())
                    };
                    let _ = run_link(link, &peer, &p, &mut inputs, &mut |_| {}, config);
                    let _ = own.shutdown(std::net::Shutdown::Both);
                });
            }
        });
        Service {
            addr,
            stop,
            conns,
            accept: Some(accept),
        }
    }

    /// Stops accepting and cuts every connection.
    fn kill(mut self) {
        self.stop.store(true, Ordering::Release);
        let _ = TcpStream::connect(self.addr);
        if let Some(a) = self.accept.take() {
            a.join().unwrap();
        }
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
    }
}

fn pool(addr: SocketAddr, prepared: &Prepared, size: usize) -> SessionPool {
    SessionPool::new(
        addr.to_string(),
        ClientSecurity::InsecurePlaintext,
        prepared.clone(),
        PoolConfig {
            size,
            min_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(200),
            ..PoolConfig::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_through_the_pool_are_right() {
    let prepared = prepared();
    let service = Service::start("127.0.0.1:0", &prepared);
    let pool = pool(service.addr, &prepared, 4);
    let mut tasks = Vec::new();
    for i in 0..64u32 {
        let pool = pool.clone();
        tasks.push(tokio::spawn(async move {
            let a = (i * 3 % 256) as u8;
            let b = (i % 200) as u8;
            let context = [a, b'#', i as u8];
            let sum: Sum = pool
                .evaluate_typed_with_context(&context, &Mine { b })
                .await
                .unwrap();
            assert_eq!(sum.total, u16::from(a) + u16::from(b), "request {i}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(pool.idle() <= 4 && pool.idle() >= 1, "{}", pool.idle());
    // A batch, in order.
    let bits: Vec<Vec<bool>> = (0..10u8)
        .map(|b| typed::encode_inputs(pool.circuit(), Some(Party::Evaluator), &b).unwrap())
        .collect();
    let contexts: Vec<Vec<u8>> = (0..10u8).map(|a| vec![a * 10]).collect();
    let out = pool
        .evaluate_batch_with_contexts(bits, contexts)
        .await
        .unwrap();
    for (i, o) in out.iter().enumerate() {
        let sum: u16 = typed::decode(&circuits::Type::Unsigned(16), o).unwrap();
        assert_eq!(usize::from(sum), i * 11);
    }
    // A caller's mistake leaves the pool alone.
    let e = pool
        .evaluate_typed_with_context::<Sum>(&[0; 300], &Mine { b: 1 })
        .await
        .unwrap_err();
    assert!(e.to_string().contains("300 bytes is too long"), "{e}");
    service.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_future_leaves_sessions_working() {
    let prepared = prepared();
    let service = Service::start("127.0.0.1:0", &prepared);
    // One session: cancel a request while it runs, then use the session.
    let session = AsyncSession::connect(
        &service.addr.to_string(),
        &ClientSecurity::InsecurePlaintext,
        &prepared,
        SessionConfig::default(),
    )
    .await
    .unwrap();
    for round in 0..20u8 {
        let cancelled = session.evaluate_typed_with_context::<Sum>(&[100], &Mine { b: round });
        // Dropped at once, or after a little while: before its answer.
        let _ = tokio::time::timeout(Duration::from_micros(u64::from(round) * 50), cancelled).await;
        let sum: Sum = session
            .evaluate_typed_with_context(&[round], &Mine { b: 1 })
            .await
            .unwrap();
        assert_eq!(sum.total, u16::from(round) + 1);
    }
    assert!(!session.is_closed());
    let stats = session.close().await.unwrap();
    assert_eq!(stats.computations, 40);

    // The pool: cancelled requests return their sessions, which go on.
    let pool = pool(service.addr, &prepared, 2);
    for round in 0..20u8 {
        let cancelled = pool.evaluate_typed_with_context::<Sum>(&[7], &Mine { b: round });
        let _ =
            tokio::time::timeout(Duration::from_micros(u64::from(round) * 100), cancelled).await;
        let sum: Sum = pool
            .evaluate_typed_with_context(&[round], &Mine { b: 2 })
            .await
            .unwrap();
        assert_eq!(sum.total, u16::from(round) + 2);
    }
    service.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_service_is_an_error_then_works_again() {
    let prepared = prepared();
    let service = Service::start("127.0.0.1:0", &prepared);
    let addr = service.addr;
    let pool = pool(addr, &prepared, 2);
    let sum: Sum = pool
        .evaluate_typed_with_context(&[1], &Mine { b: 1 })
        .await
        .unwrap();
    assert_eq!(sum.total, 2);
    service.kill();
    // Down: a clear error, soon.
    let start = Instant::now();
    let e = pool
        .evaluate_typed_with_context::<Sum>(&[1], &Mine { b: 1 })
        .await
        .unwrap_err();
    assert!(matches!(e, EvalError::Unreachable { .. }), "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("garbler service at {addr} unreachable: ")),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    // While backing off, requests fail at once with the same cause.
    let e = pool.evaluate(vec![false; 8]).await.unwrap_err();
    assert!(e.to_string().contains("unreachable"), "{e}");
    // Back on the same address: the pool reconnects.
    let service = Service::start(&addr.to_string(), &prepared);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match pool
            .evaluate_typed_with_context::<Sum>(&[40], &Mine { b: 2 })
            .await
        {
            Ok(sum) => {
                assert_eq!(sum.total, 42);
                break;
            }
            Err(e) if Instant::now() < deadline => {
                assert!(matches!(e, EvalError::Unreachable { .. }), "{e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("no reconnection: {e}"),
        }
    }
    service.kill();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_the_garbler_ended_while_idle_are_replaced() {
    let prepared = prepared();
    // The garbler ends a session whose evaluator is silent for 200 ms.
    let config = GarblerConfig {
        limits: protocol::Limits {
            timeout: Duration::from_millis(200),
            ..Default::default()
        },
        ..GarblerConfig::default()
    };
    let service = Service::start_with("127.0.0.1:0", &prepared, config);
    let pool = pool(service.addr, &prepared, 1);
    for round in 0..3u8 {
        let sum: Sum = pool
            .evaluate_typed_with_context(&[round], &Mine { b: 5 })
            .await
            .unwrap();
        assert_eq!(sum.total, u16::from(round) + 5);
        // Idle past the garbler's timeout: the next request finds the
        // connection gone and runs on a new session.
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    service.kill();
}
