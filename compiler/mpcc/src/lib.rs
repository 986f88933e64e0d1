//! The library half of the `mpcc` package: the in-memory speed test behind
//! `mpcc bench`, which the criterion benchmarks share.
//!
//! It garbles and evaluates in one process, so it needs both parties'
//! libraries; it lives here, beside the tool, so that neither of them
//! depends on the other.
//!
//! ```
//! use circuits::bristol;
//! use std::time::Duration;
//! let circuit = bristol::parse("1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n", 1).unwrap();
//! let report = mpcc::speed::run(&circuit, Duration::from_millis(1)).unwrap();
//! assert_eq!(report.and_gates, 1);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod speed;
