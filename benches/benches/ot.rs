//! Oblivious transfer: 128 base OTs (session set-up), correlated OTs in memory
//! (both parties on one core, one after the other) and over loopback TCP (one
//! thread per party), against raw fixed-key AES as the baseline.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use crypto::{Block, FixedKeyAes};
use ot::driver::{receive_correlated, send_correlated, setup_receiver, setup_sender};
use ot::{ExtendMsg, OtReceiver, OtSender, Security};
use std::io::{BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

fn session(security: Security) -> (OtSender, OtReceiver) {
    let delta = Block(Block::random().0 | 1);
    let (setup, hello) = OtReceiver::setup(security);
    let (sender, reply) = OtSender::setup(delta, security, &hello).unwrap();
    (sender, setup.finish(&reply).unwrap())
}

fn choices(n: usize) -> Vec<bool> {
    (0..n)
        .map(|j| (j.wrapping_mul(2654435761) >> 9) & 1 == 1)
        .collect()
}

fn base_ots(c: &mut Criterion) {
    let mut g = c.benchmark_group("ot_base");
    g.sample_size(20);
    g.bench_function("128_base_ots_both_parties", |b| {
        b.iter(|| session(Security::Malicious))
    });
    let (_, hello) = OtReceiver::setup(Security::Malicious);
    g.bench_function("128_base_ots_garbler_side", |b| {
        b.iter(|| OtSender::setup(Block(3), Security::Malicious, &hello).unwrap())
    });
    g.finish();
}

fn raw_aes(c: &mut Criterion) {
    let mut g = c.benchmark_group("ot_baseline");
    let pi = FixedKeyAes::new(Block(7));
    let mut blocks = vec![Block(1); 1 << 16];
    g.throughput(Throughput::Elements(blocks.len() as u64));
    g.bench_function("fixed_key_aes_blocks", |b| {
        b.iter(|| pi.encrypt_blocks(&mut blocks))
    });
    g.finish();
}

fn in_memory(c: &mut Criterion) {
    let mut g = c.benchmark_group("ot_cot_in_memory");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    for security in [Security::SemiHonest, Security::Malicious] {
        let (mut sender, mut receiver) = session(security);
        for n in [1_000_000usize, 10_000_000] {
            let r = choices(n);
            g.throughput(Throughput::Elements(n as u64));
            // The plain API: fresh message and label vectors every call.
            g.bench_with_input(
                BenchmarkId::new(format!("{security:?}_fresh"), n),
                &n,
                |b, &n| {
                    b.iter(|| {
                        let (msg, labels) = receiver.extend(&r).unwrap();
                        let zeros = sender.extend(n, &msg).unwrap();
                        (labels.len(), zeros.len())
                    })
                },
            );
            // `extend_into`: the caller's buffers are reused across calls.
            let (mut msg, mut labels, mut zeros) = (ExtendMsg::new(), Vec::new(), Vec::new());
            g.bench_with_input(
                BenchmarkId::new(format!("{security:?}_reused"), n),
                &n,
                |b, &n| {
                    b.iter(|| {
                        receiver.extend_into(&r, &mut msg, &mut labels).unwrap();
                        sender.extend_into(n, &msg, &mut zeros).unwrap();
                    })
                },
            );
        }
    }
    let (_, mut receiver) = session(Security::Malicious);
    let n = 1_000_000;
    let r = choices(n);
    let (mut msg, mut labels, mut zeros) = (ExtendMsg::new(), Vec::new(), Vec::new());
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function(BenchmarkId::new("Malicious_receiver_only_reused", n), |b| {
        b.iter(|| receiver.extend_into(&r, &mut msg, &mut labels).unwrap())
    });
    // A fresh session: the receiver-only loop above ran ahead of its sender.
    let (mut sender, mut receiver) = session(Security::Malicious);
    let mut msgs = Vec::new();
    g.bench_function(BenchmarkId::new("Malicious_sender_only_reused", n), |b| {
        b.iter_custom(|iters| {
            // Each message can be consumed once: prepare them untimed.
            msgs.clear();
            for _ in 0..iters {
                msgs.push(receiver.extend(&r).unwrap().0);
            }
            let start = Instant::now();
            for m in &msgs {
                sender.extend_into(n, m, &mut zeros).unwrap();
            }
            start.elapsed()
        })
    });
    g.finish();
}

struct Chan {
    r: BufReader<TcpStream>,
    w: BufWriter<TcpStream>,
}

impl Read for Chan {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.r.read(buf)
    }
}

impl Write for Chan {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

fn chan(s: TcpStream) -> Chan {
    s.set_nodelay(true).unwrap();
    // Default-sized buffers: frames of a chunk are larger, so they bypass the
    // buffers instead of being copied through them.
    Chan {
        r: BufReader::new(s.try_clone().unwrap()),
        w: BufWriter::new(s),
    }
}

fn loopback(c: &mut Criterion) {
    let mut g = c.benchmark_group("ot_cot_loopback_tcp");
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(8));
    for security in [Security::SemiHonest, Security::Malicious] {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let delta = Block(Block::random().0 | 1);
        let garbler = std::thread::spawn(move || {
            let mut c = chan(listener.accept().unwrap().0);
            let s = setup_sender(&mut c, delta, security).unwrap();
            (c, s)
        });
        let mut rc = chan(TcpStream::connect(addr).unwrap());
        let mut receiver = setup_receiver(&mut rc, security).unwrap();
        let (mut sc, mut sender) = garbler.join().unwrap();
        for n in [1_000_000usize, 10_000_000] {
            let r = choices(n);
            g.throughput(Throughput::Elements(n as u64));
            g.bench_with_input(BenchmarkId::new(format!("{security:?}"), n), &n, |b, &n| {
                b.iter_custom(|iters| {
                    std::thread::scope(|scope| {
                        let garbler = scope.spawn(|| {
                            for _ in 0..iters {
                                send_correlated(&mut sc, &mut sender, n).unwrap();
                            }
                        });
                        let start = Instant::now();
                        for _ in 0..iters {
                            receive_correlated(&mut rc, &mut receiver, &r).unwrap();
                        }
                        garbler.join().unwrap();
                        start.elapsed()
                    })
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, base_ots, raw_aes, in_memory, loopback);
criterion_main!(benches);
