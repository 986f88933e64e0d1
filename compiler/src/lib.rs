//! The `.mpc` compiler: from the language of LANGUAGE.md to a
//! [`circuits::Circuit`].
//!
//! The pipeline reads as its files: `grammar.pest` and `parse.rs` turn source
//! into a syntax tree with spans; `lower/check.rs` declares the items and
//! resolves names, types, constants, cycles, and checks `match` patterns and
//! their exhaustiveness; `lower/matching.rs` lowers enums and `match`;
//! `lower.rs` types each
//! expression while it runs the program symbolically over wires of a
//! [`circuits::Builder`] (which
//! folds constants and hashes structure), unrolling loops and inlining
//! helpers; `gadgets.rs` holds the AND-optimal arithmetic. The result has dead
//! gates removed and wire slots reused ([`circuits::Circuit::compact`]).
//! Compiling the same source always gives the same circuit.
//!
//! ```
//! let src = "fn main(garbler a: u64, evaluator b: u64) -> bool { a < b }";
//! let c = compiler::compile_source(src, "millionaires.mpc").unwrap();
//! assert_eq!(c.and_count(), 64);
//! let bits = circuits::value::parse_inputs(&c, None, &["3".into(), "5".into()]).unwrap();
//! let out = c.eval_bits(&bits).unwrap();
//! assert_eq!(circuits::value::format_outputs(&c, &out), vec!["true"]);
//!
//! let err = compiler::compile_source("fn main() -> u8 { 300 }", "bad.mpc").unwrap_err();
//! assert!(err.to_string().starts_with("bad.mpc:1:19: error: the literal `300` does not fit in `u8`"));
//! ```
//!
//! Errors: every stage reports all the independent errors it finds;
//! [`CompileErrors`] prints them as `FILE:LINE:COL: error: MESSAGE`, the source
//! line and a caret under the span. No input makes the compiler panic, and its
//! memory and running time are bounded ([`MAX_SOURCE_BYTES`],
//! [`MAX_GATES`], [`MAX_VALUE_BITS`]).
//!
//! # Language notes
//!
//! Choices made where LANGUAGE.md is silent (what a Rust programmer would expect):
//! - An integer literal takes its type from context: the other operand, the
//!   declared type of a `let`, a parameter, a field, the return type. Without
//!   context it stays a public integer of no type (`let k = 5;` can later meet
//!   a `u8` or an `i64`); inside an array or tuple literal with no context it
//!   is `i32`, Rust's default. Arithmetic between untyped integers is exact,
//!   and an error if it leaves the 128-bit signed range. Untyped integers
//!   merged by a secret `if` (`let mut r = 0; if c { r = 1; }`) stay untyped,
//!   with the range of values they may hold, through `+ - *` and comparisons;
//!   the first use that gives a type checks that range.
//! - A loop variable has the type of its bounds, or no type when both bounds
//!   are untyped; `a..b` with `a >= b` runs no iteration. `.len()` is an
//!   untyped public integer.
//! - A shift amount is any unsigned value or a non-negative untyped integer;
//!   a signed amount is an error. Unary `-` on an unsigned value wraps.
//! - `==` and `!=` compare values of any type bit by bit; `< <= > >=` work on
//!   integers and `bool`; `& | ^` on `bool` as well as integers; `&&` and `||`
//!   evaluate both sides (nothing has side effects).
//! - An index is an unsigned value or a non-negative untyped integer.
//! - A helper without `-> T` returns `()`. Constants may refer to constants
//!   declared later and may call helpers; a constant defined in terms of
//!   itself is an error.
//! - With a public condition only the taken branch of an `if` is compiled;
//!   the other is still type-checked (once), without the errors that depend
//!   on public values, which its own condition usually rules out (`if i + 1 <
//!   N { a[i + 1] }`). Helpers that `main` never calls are still checked.
//! - With no party in its return type, `main`'s result is the circuit's one
//!   output, `result`, which both parties learn. `-> evaluator T` makes it
//!   the evaluator's alone; a returned tuple with a party on any element
//!   becomes one output per element (`result.0`, `result.1`, ...), each with
//!   its party, or both parties for an element without one. Only `main`'s
//!   return type may name a party.
//! - A statement that starts with `if` or `{` ends at its closing brace, as
//!   in Rust: to use such an expression in arithmetic at the start of a
//!   statement, put it in parentheses or a `let`. `while`, `loop`, `break`,
//!   `continue` and `return` are reserved words (an error says what to use);
//!   `enum` and `match` are keywords since version 2. An assignment may end
//!   a block without `;` (`if c { x = 1 } else { x = 2 }`).
//! - Parameters and results may have 0 bits (`[u8; 0]`, `()`); they take no
//!   wires, and the Bristol writer and reader both accept them.
//! - A typed literal may be any value of its type, down to the minimum of
//!   the widest signed type (`-2^1023` as `i1024`); an untyped one is limited
//!   to 128-bit signed arithmetic.
//! - Enums: the tag is the variant's index in declaration order, least
//!   significant bit first, followed by the variant's fields in order and
//!   zeros up to the largest payload (`circuits::Type::Enum`). Enum values
//!   compare with `==` bit by bit. A user's variant is always written with
//!   its path (`Sale::NoSale`), also in patterns; `Some`, `None` and
//!   `Option::None` are the prelude's. `None` needs its type from context
//!   (`let x: Option<u8> = None;`); `Some(e)` takes it from `e` otherwise.
//! - `match`: a scrutinee with no type (`match 5 { ... }`) is an `i32`. A
//!   bare name in a pattern binds the value, except a name that is a
//!   variant of the scrutinee's enum, which is an error asking for the path.
//!   Struct patterns and `|` alternatives are not part of the language;
//!   integer patterns are limited to the 128-bit signed range (a wider type
//!   needs a `_` arm for the rest). Arms that a public scrutinee never
//!   reaches are type-checked, not compiled. The exhaustiveness check names
//!   one missing value; it gives up (an error asking for a `_` arm) past
//!   200,000 steps, which only contrived patterns reach. At most 4,096 arms.
//! - `for x in arr` binds each element in turn; `x` cannot be assigned.
//!
//! # Limits
//!
//! Each limit is reported as a compile error naming it; none is reached by
//! the examples or by a program of the contract's size:
//! - source: [`MAX_SOURCE_BYTES`] (1 MiB);
//! - nesting: 200 levels of brackets, braces and parentheses, and runs of
//!   200 prefix operators (checked before parsing, so the parser's stack
//!   and time stay bounded; parsing is linear in the input);
//! - values: [`MAX_VALUE_BITS`] (16 Mi) bits in one value;
//! - unrolling: 50 million statements executed;
//! - circuit: [`MAX_GATES`] (16 million) gates built before dead-gate
//!   removal. Building takes about 70 bytes a gate, so a program over the
//!   limit is refused after about 1.2 GB and 10 seconds on one core, not
//!   after gigabytes; the 10-million-gate benchmark program stays under it.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod ast;
mod error;
pub mod gadgets;
mod lower;
mod parse;
mod types;

pub use error::{CompileError, CompileErrors};
pub use lower::{MAX_GATES, MAX_VALUE_BITS};

use circuits::Circuit;
use std::path::Path;

/// Largest source file accepted.
pub const MAX_SOURCE_BYTES: usize = 1 << 20;

/// Stack for the compiling thread: deep (but bounded) syntax trees recurse.
const COMPILER_STACK: usize = 256 << 20;

/// Compiles the program in `source`; `file` is the name used in error messages.
/// The circuit is compacted (dead gates removed, wire slots reused).
pub fn compile_source(source: &str, file: &str) -> Result<Circuit, CompileErrors> {
    let fail = |errors| CompileErrors {
        file: file.to_string(),
        source: source.to_string(),
        errors,
    };
    if source.len() > MAX_SOURCE_BYTES {
        return Err(fail(vec![CompileError {
            start: 0,
            end: 0,
            message: format!("the source is larger than the limit of {MAX_SOURCE_BYTES} bytes"),
        }]));
    }
    let owned = source.to_string();
    let worker = std::thread::Builder::new()
        .stack_size(COMPILER_STACK)
        .spawn(move || compile_on_this_thread(&owned));
    let result = match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            Err(vec![CompileError {
                start: 0,
                end: 0,
                message: "internal compiler error".to_string(),
            }])
        }),
        Err(_) => compile_on_this_thread(source),
    };
    result.map_err(fail)
}

fn compile_on_this_thread(source: &str) -> Result<Circuit, Vec<CompileError>> {
    let program = parse::parse_program(source)?;
    let circuit = lower::lower(&program)?;
    Ok(circuit.compact())
}

/// Where the AND gates of a program come from: the cost of each source line.
#[derive(Clone, Debug)]
pub struct Explanation {
    /// The compiled circuit (compacted, as [`compile_source`] gives it).
    pub circuit: Circuit,
    /// Per source line (index 0 is line 1): AND gates made while lowering
    /// that line, and the AND depth the line adds on its own (the longest
    /// chain of its AND gates through gates of the same line).
    pub lines: Vec<LineCost>,
}

/// The cost of one source line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LineCost {
    /// AND gates of the circuit made by this line (each gate counted once,
    /// at the line that first made it: a helper's gates count at its lines).
    pub ands: usize,
    /// AND depth of the longest chain of this line's own AND gates.
    pub depth: u32,
}

impl Explanation {
    /// The source listed with each line's AND gates and depth, then the
    /// totals: what `mpcc explain` prints.
    pub fn render(&self, source: &str) -> String {
        use std::fmt::Write as _;
        let mut out = String::from("   ANDs depth | source\n");
        for (k, text) in source.lines().enumerate() {
            let c = self.lines.get(k).copied().unwrap_or_default();
            if c.ands == 0 {
                let _ = writeln!(out, "             | {text}");
            } else {
                let _ = writeln!(out, "{:>7} {:>5} | {text}", c.ands, c.depth);
            }
        }
        let s = self.circuit.stats();
        let _ = write!(
            out,
            "total: {} AND gates, AND depth {}, {} XOR, {} INV",
            s.and, s.and_depth, s.xor, s.inv
        );
        out
    }
}

/// Compiles `source` and attributes every AND gate to the source line that
/// made it (`mpcc explain`).
pub fn explain_source(source: &str, file: &str) -> Result<Explanation, CompileErrors> {
    let fail = |errors| CompileErrors {
        file: file.to_string(),
        source: source.to_string(),
        errors,
    };
    if source.len() > MAX_SOURCE_BYTES {
        return compile_source(source, file).map(|circuit| Explanation {
            circuit,
            lines: Vec::new(),
        });
    }
    let owned = source.to_string();
    let worker = std::thread::Builder::new()
        .stack_size(COMPILER_STACK)
        .spawn(move || {
            let program = parse::parse_program(&owned)?;
            lower::lower_tagged(&program, true)
        });
    let (tagged, tags) = match worker {
        Ok(handle) => handle.join().unwrap_or_else(|_| {
            Err(vec![CompileError {
                start: 0,
                end: 0,
                message: "internal compiler error".to_string(),
            }])
        }),
        Err(_) => parse::parse_program(source).and_then(|p| lower::lower_tagged(&p, true)),
    }
    .map_err(fail)?;
    // Line of each byte offset.
    let starts: Vec<usize> = std::iter::once(0)
        .chain(source.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |t: u32| -> Option<usize> {
        (t != u32::MAX).then(|| {
            starts
                .partition_point(|&s| s <= t as usize)
                .saturating_sub(1)
        })
    };
    let mut lines = vec![LineCost::default(); starts.len()];
    let n = tagged.num_wires as usize;
    let mut wire_line = vec![usize::MAX; n];
    let mut local = vec![0u32; n];
    for (g, &t) in tagged.gates.iter().zip(&tags) {
        let Some(line) = line_of(t) else { continue };
        let is_and = g.kind == circuits::GateKind::And;
        let same = |w: u32| {
            if wire_line[w as usize] == line {
                local[w as usize]
            } else {
                0
            }
        };
        let d = same(g.a).max(same(g.b)) + u32::from(is_and);
        wire_line[g.out as usize] = line;
        local[g.out as usize] = d;
        if is_and {
            lines[line].ands += 1;
        }
        lines[line].depth = lines[line].depth.max(d);
    }
    Ok(Explanation {
        circuit: tagged.compact(),
        lines,
    })
}

/// Reads and compiles a `.mpc` file; errors name the file as given.
pub fn compile_file(path: &Path) -> Result<Circuit, CompileErrors> {
    let name = path.display().to_string();
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => compile_source(&text, &name),
            Err(e) => Err(CompileErrors {
                file: name,
                source: String::new(),
                errors: vec![CompileError {
                    start: 0,
                    end: 0,
                    message: format!("the file is not UTF-8 text: {e}"),
                }],
            }),
        },
        Err(e) => Err(CompileErrors {
            file: name,
            source: String::new(),
            errors: vec![CompileError {
                start: 0,
                end: 0,
                message: format!("cannot read the file: {e}"),
            }],
        }),
    }
}
