//! The framing driver over real sockets and over hostile byte streams.

use crypto::Block;
use ot::driver::{
    read_frame, receive_correlated, send_correlated, setup_receiver, setup_sender, MAX_FRAME_BYTES,
};
use ot::{OtError, Security};
use std::io::{BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};

/// A TCP stream with buffered reads and writes in one `Read + Write`.
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
    Chan {
        r: BufReader::new(s.try_clone().unwrap()),
        w: BufWriter::new(s),
    }
}

#[test]
fn correlated_ots_over_loopback_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let delta = Block(Block::random().0 | 1);
    let n = 100_000;
    let choices: Vec<bool> = (0..n)
        .map(|j| (j * 2654435761usize) >> 7 & 1 == 1)
        .collect();
    let garbler = std::thread::spawn(move || {
        let mut c = chan(listener.accept().unwrap().0);
        let mut sender = setup_sender(&mut c, delta, Security::Malicious).unwrap();
        let a = send_correlated(&mut c, &mut sender, n).unwrap();
        let b = send_correlated(&mut c, &mut sender, 3).unwrap();
        (a, b)
    });
    let mut c = chan(TcpStream::connect(addr).unwrap());
    let mut receiver = setup_receiver(&mut c, Security::Malicious).unwrap();
    let labels = receive_correlated(&mut c, &mut receiver, &choices).unwrap();
    let more = receive_correlated(&mut c, &mut receiver, &[true, true, false]).unwrap();
    let (zeros, zeros2) = garbler.join().unwrap();
    for j in 0..n {
        assert_eq!(labels[j], zeros[j] ^ delta.select(choices[j]));
    }
    assert_eq!(more[0], zeros2[0] ^ delta);
    assert_eq!(more[2], zeros2[2]);
}

#[test]
fn oversized_length_prefix_is_refused_before_allocating() {
    let mut bytes = u32::MAX.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[0; 8]);
    assert!(matches!(
        read_frame(&mut &bytes[..], MAX_FRAME_BYTES),
        Err(OtError::TooLarge { .. })
    ));
}

#[test]
fn truncated_frames_are_errors() {
    // Claims 1000 bytes, delivers 3: an error, and only 3 bytes were buffered.
    let mut bytes = 1000u32.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[1, 2, 3]);
    assert!(matches!(
        read_frame(&mut &bytes[..], MAX_FRAME_BYTES),
        Err(OtError::Truncated { .. })
    ));
    assert!(matches!(
        read_frame(&mut &[1u8, 0][..], MAX_FRAME_BYTES),
        Err(OtError::Io(_))
    ));
}

#[test]
fn setup_fails_cleanly_on_a_hostile_peer() {
    // The "evaluator" sends the identity point as its hello.
    let identity = [0u8; 32];
    let mut input = (identity.len() as u32).to_le_bytes().to_vec();
    input.extend_from_slice(&identity);
    let mut duplex = Duplex {
        input: &input[..],
        output: Vec::new(),
    };
    let err = setup_sender(&mut duplex, Block(1), Security::Malicious).unwrap_err();
    assert!(matches!(err, OtError::IdentityPoint { index: 0 }));
    // A hello of 5 bytes.
    let input = [5u8, 0, 0, 0, 1, 2, 3, 4, 5];
    let mut duplex = Duplex {
        input: &input[..],
        output: Vec::new(),
    };
    assert!(setup_sender(&mut duplex, Block(1), Security::Malicious).is_err());
}

struct Duplex<'a> {
    input: &'a [u8],
    output: Vec<u8>,
}

impl Read for Duplex<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Duplex<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.output.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn in_process_session() -> (ot::OtSender, ot::OtReceiver) {
    let (setup, hello) = ot::OtReceiver::setup(Security::Malicious);
    let (s, reply) =
        ot::OtSender::setup(Block(Block::random().0 | 1), Security::Malicious, &hello).unwrap();
    (s, setup.finish(&reply).unwrap())
}

fn framed(msgs: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in msgs {
        out.extend_from_slice(&(m.len() as u32).to_le_bytes());
        out.extend_from_slice(m);
    }
    out
}

#[test]
fn streamed_chunks_from_a_hostile_receiver_are_errors() {
    let (mut s, mut r) = in_process_session();
    let (good, _) = r.extend(&[true; 100]).unwrap();
    let good = good.encode();
    // Header shorter than 10 bytes, a length prefix past the body, a body
    // that does not match its count, and a frame cut short.
    let mut cases = vec![
        framed(&[good[..6].to_vec()]),
        framed(&[good[..good.len() - 1].to_vec()]),
    ];
    let mut lying = (good.len() as u32 + 100).to_le_bytes().to_vec();
    lying.extend_from_slice(&good);
    cases.push(lying);
    let mut cut = (good.len() as u32).to_le_bytes().to_vec();
    cut.extend_from_slice(&good[..good.len() / 2]);
    cases.push(cut);
    for input in &cases {
        let mut duplex = Duplex {
            input,
            output: Vec::new(),
        };
        assert!(send_correlated(&mut duplex, &mut s, 100).is_err());
    }
    // The session is still in step: none of the above consumed PRG output.
    let mut duplex = Duplex {
        input: &framed(&[good]),
        output: Vec::new(),
    };
    assert_eq!(
        send_correlated(&mut duplex, &mut s, 100).unwrap().len(),
        100
    );
}

#[test]
fn a_cheating_second_chunk_aborts_the_stream() {
    let (mut s, mut r) = in_process_session();
    let per = ot::CHUNK_ROWS - 256;
    let (first, _) = r.extend(&vec![false; per]).unwrap();
    let (second, _) = r.extend(&[true; 10]).unwrap();
    let mut second = second.encode();
    second[10] ^= 1; // column 0 always meets Delta bit 1
    let input = framed(&[first.encode(), second]);
    let mut duplex = Duplex {
        input: &input,
        output: Vec::new(),
    };
    let err = send_correlated(&mut duplex, &mut s, per + 10).unwrap_err();
    assert!(matches!(err, OtError::ConsistencyCheckFailed { chunk: 1 }));
}
