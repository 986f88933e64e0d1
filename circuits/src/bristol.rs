//! Bristol Fashion circuits: reading and writing.
//!
//! Read quirks handled: `INV` and `NOT`; `EQ` (constant) and `EQW` (copy) gates;
//! `MAND` lines (many ANDs in one line); header lines with trailing spaces;
//! wire ids in any order; outputs on the last wires. A file that breaks the
//! format gets an error naming the line and what is wrong, never a panic, and
//! nothing is allocated beyond what the file's own size justifies.

use crate::{Circuit, CircuitError, Gate, Input, Output, Party, Type, WireId};
use std::fmt::Write as _;
use std::path::Path;

const UNSET: WireId = WireId::MAX;
/// Hard limit on the number of input or output values in a header.
const MAX_VALUES: u64 = 1 << 16;

fn err(line: usize, msg: impl Into<String>) -> CircuitError {
    CircuitError::Bristol {
        line,
        msg: msg.into(),
    }
}

/// Reads a Bristol Fashion file; the first `garbler_values` input values
/// belong to the garbler, the rest to the evaluator.
pub fn read_file(path: &Path, garbler_values: usize) -> Result<Circuit, CircuitError> {
    let read_err = |msg: String| CircuitError::Read {
        path: path.display().to_string(),
        msg,
    };
    let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| read_err(format!("not UTF-8 text: {e}")))?;
    parse(&text, garbler_values)
}

/// Lines of a file with their 1-based numbers, blank lines skipped.
fn content_lines(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.split_whitespace().collect::<Vec<_>>()))
        .filter(|(_, t)| !t.is_empty())
}

fn number(tok: &str, line: usize, what: &str) -> Result<u64, CircuitError> {
    tok.parse::<u64>()
        .map_err(|_| err(line, format!("expected {what}, found `{tok}`")))
}

/// Parses a header line `n w1 w2 ... wn` of value widths.
fn widths(line: usize, toks: &[&str], what: &str, nwires: u64) -> Result<Vec<u32>, CircuitError> {
    let n = number(toks[0], line, &format!("the number of {what} values"))?;
    if n > MAX_VALUES {
        return Err(err(
            line,
            format!("{n} {what} values is more than the limit of {MAX_VALUES}"),
        ));
    }
    if toks.len() as u64 != n + 1 {
        return Err(err(
            line,
            format!(
                "the header says {n} {what} values but gives {} widths",
                toks.len() - 1
            ),
        ));
    }
    let mut total = 0u64;
    let mut out = Vec::with_capacity(n as usize);
    for t in &toks[1..] {
        let w = number(t, line, &format!("the width of an {what} value"))?;
        // A value of 0 bits (`[u8; 0]` in a program) takes no wires; the
        // writer emits it, so the reader takes it.
        total += w;
        if total > nwires {
            return Err(err(
                line,
                format!("{what} values need more than the {nwires} wires of the circuit"),
            ));
        }
        out.push(w as u32);
    }
    Ok(out)
}

/// Parses Bristol Fashion text; the first `garbler_values` input values belong
/// to the garbler, the rest to the evaluator.
pub fn parse(text: &str, garbler_values: usize) -> Result<Circuit, CircuitError> {
    let mut lines = content_lines(text);
    let (l1, h1) = lines
        .next()
        .ok_or_else(|| err(1, "empty file: expected `<gates> <wires>`"))?;
    if h1.len() != 2 {
        return Err(err(l1, "expected `<gates> <wires>` on the first line"));
    }
    let ngates = number(h1[0], l1, "the number of gates")?;
    let nwires = number(h1[1], l1, "the number of wires")?;
    // Nothing is allocated from the header's word alone: the gate vector grows
    // with the lines actually present, and the wire map is bounded by the size
    // of the file (every wire that is used needs an id written somewhere).
    let budget = text.len() as u64;
    if nwires > (1 << 20) + 4 * budget || nwires >= u64::from(UNSET) {
        return Err(err(
            l1,
            format!(
                "the header declares {nwires} wires, more than a file of {budget} bytes can use"
            ),
        ));
    }
    let (l2, h2) = lines
        .next()
        .ok_or_else(|| err(l1 + 1, "missing the input line `<values> <width>...`"))?;
    let in_widths = widths(l2, &h2, "input", nwires)?;
    let (l3, h3) = lines
        .next()
        .ok_or_else(|| err(l2 + 1, "missing the output line `<values> <width>...`"))?;
    let out_widths = widths(l3, &h3, "output", nwires)?;
    if garbler_values > in_widths.len() {
        return Err(CircuitError::Invalid(format!(
            "{garbler_values} garbler values requested but the circuit has {} input values",
            in_widths.len()
        )));
    }
    let n_in: u32 = in_widths.iter().sum();
    let n_out: u64 = out_widths.iter().map(|&w| u64::from(w)).sum();

    // map[file wire] = our wire; inputs are ours 0..n_in.
    let mut map = vec![UNSET; nwires as usize];
    for (i, m) in map.iter_mut().enumerate().take(n_in as usize) {
        *m = i as WireId;
    }
    let mut next: WireId = n_in;
    let mut gates: Vec<Gate> = Vec::with_capacity(ngates.min(budget / 8) as usize);
    let mut count = 0u64;
    let mut last_line = l3;
    for (ln, toks) in lines {
        last_line = ln;
        count += 1;
        if count > ngates {
            return Err(err(
                ln,
                format!("more gate lines than the {ngates} the header declares"),
            ));
        }
        let name = *toks.last().unwrap_or(&"");
        if toks.len() < 3 || name.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err(ln, "truncated gate line: it ends without a gate name"));
        }
        let nin = number(toks[0], ln, "the gate's number of inputs")?;
        let nout = number(toks[1], ln, "the gate's number of outputs")?;
        let (want_in, want_out) = match name {
            "XOR" | "AND" => (2, 1),
            "INV" | "NOT" | "EQ" | "EQW" => (1, 1),
            "MAND" => {
                if nout == 0 || nin != 2 * nout {
                    return Err(err(
                        ln,
                        format!("MAND needs 2k inputs and k outputs, found {nin} and {nout}"),
                    ));
                }
                (nin, nout)
            }
            other => {
                return Err(err(
                    ln,
                    format!(
                        "unknown gate `{other}` (expected XOR, AND, INV, NOT, EQ, EQW or MAND)"
                    ),
                ))
            }
        };
        if (nin, nout) != (want_in, want_out) {
            return Err(err(ln, format!("{name} takes {want_in} inputs and {want_out} outputs, the line says {nin} and {nout}")));
        }
        if toks.len() as u64 != 3 + nin + nout {
            return Err(err(
                ln,
                format!(
                    "{name} line should have {} fields, found {}",
                    3 + nin + nout,
                    toks.len()
                ),
            ));
        }
        let wire = |tok: &str| -> Result<usize, CircuitError> {
            let w = number(tok, ln, "a wire id")?;
            if w >= nwires {
                return Err(err(
                    ln,
                    format!("wire {w} is out of range (the circuit has {nwires} wires)"),
                ));
            }
            Ok(w as usize)
        };
        let args = &toks[2..toks.len() - 1];
        let (ins, outs) = args.split_at(nin as usize);
        let mut read = Vec::with_capacity(ins.len());
        if name == "EQ" {
            read.push(match ins[0] {
                "0" => 0,
                "1" => 1,
                v => {
                    return Err(err(
                        ln,
                        format!("EQ takes the constant 0 or 1, found `{v}`"),
                    ))
                }
            });
        } else {
            for t in ins {
                let w = wire(t)?;
                if map[w] == UNSET {
                    return Err(err(ln, format!("wire {w} is used before it is set (gates must be in topological order)")));
                }
                read.push(map[w]);
            }
        }
        for (k, t) in outs.iter().enumerate() {
            let w = wire(t)?;
            if map[w] != UNSET {
                return Err(err(ln, format!("wire {w} is set twice")));
            }
            let ours = match name {
                "EQW" => read[0],
                _ => {
                    let g = match name {
                        "XOR" => Gate::xor(read[0], read[1], next),
                        "AND" => Gate::and(read[0], read[1], next),
                        "MAND" => Gate::and(read[k], read[k + outs.len()], next),
                        "EQ" => Gate::constant(read[0] == 1, next),
                        _ => Gate::inv(read[0], next),
                    };
                    gates.push(g);
                    next += 1;
                    next - 1
                }
            };
            map[w] = ours;
        }
    }
    if count < ngates {
        return Err(err(
            last_line + 1,
            format!("truncated file: the header declares {ngates} gates, found {count}"),
        ));
    }
    let first_out = nwires - n_out;
    let mut output_wires = Vec::with_capacity(n_out as usize);
    for w in first_out..nwires {
        let ours = map[w as usize];
        if ours == UNSET {
            return Err(err(
                last_line,
                format!("output wire {w} is never set (outputs are the last {n_out} wires)"),
            ));
        }
        output_wires.push(ours);
    }
    let mut inputs = Vec::with_capacity(in_widths.len());
    let mut at = 0;
    for (i, &w) in in_widths.iter().enumerate() {
        let party = if i < garbler_values {
            Party::Garbler
        } else {
            Party::Evaluator
        };
        inputs.push(Input {
            name: format!("input {}", i + 1),
            party,
            ty: Type::Bits(w),
            first_wire: at,
        });
        at += w;
    }
    let mut outputs = Vec::with_capacity(out_widths.len());
    let mut bit = 0;
    for (i, &w) in out_widths.iter().enumerate() {
        outputs.push(Output {
            party: None,
            name: format!("output {}", i + 1),
            ty: Type::Bits(w),
            first_bit: bit,
        });
        bit += w as usize;
    }
    let c = Circuit {
        num_wires: next,
        inputs,
        outputs,
        gates,
        output_wires,
    };
    c.validate()?;
    Ok(c)
}

/// Writes `c` as Bristol Fashion: inputs on the first wires, outputs on the
/// last wires, one value per input and output of `c`. An output that is not
/// the final value of a gate of its own (an input, or the same wire twice)
/// gets an `EQW` copy.
pub fn write(c: &Circuit) -> String {
    let n_in = c.num_inputs();
    let n_out = c.output_wires.len();
    // Which gate writes the final value of each wire.
    let mut final_writer = vec![usize::MAX; c.num_wires as usize];
    for (i, g) in c.gates.iter().enumerate() {
        final_writer[g.out as usize] = i;
    }
    // claim[gate] = output position whose wire the gate's output becomes.
    let mut claim = vec![usize::MAX; c.gates.len()];
    let mut copies = Vec::new();
    for (k, &w) in c.output_wires.iter().enumerate() {
        let g = final_writer[w as usize];
        if g != usize::MAX && claim[g] == usize::MAX {
            claim[g] = k;
        } else {
            copies.push((k, w));
        }
    }
    let total_gates = c.gates.len() + copies.len();
    let nwires = n_in as usize + total_gates;
    let first_out = nwires - n_out;
    let mut id: Vec<usize> = (0..c.num_wires as usize).collect();
    let mut next = n_in as usize;
    let mut body = String::new();
    for (i, g) in c.gates.iter().enumerate() {
        let (a, b) = (id[g.a as usize], id[g.b as usize]);
        let out = if claim[i] != usize::MAX {
            first_out + claim[i]
        } else {
            next += 1;
            next - 1
        };
        id[g.out as usize] = out;
        let _ = match g.kind {
            crate::GateKind::Xor => writeln!(body, "2 1 {a} {b} {out} XOR"),
            crate::GateKind::And => writeln!(body, "2 1 {a} {b} {out} AND"),
            crate::GateKind::Inv => writeln!(body, "1 1 {a} {out} INV"),
            crate::GateKind::ConstFalse => writeln!(body, "1 1 0 {out} EQ"),
            crate::GateKind::ConstTrue => writeln!(body, "1 1 1 {out} EQ"),
        };
    }
    for (k, w) in copies {
        let _ = writeln!(body, "1 1 {} {} EQW", id[w as usize], first_out + k);
    }
    let mut s = format!("{total_gates} {nwires}\n{}", c.inputs.len());
    for i in &c.inputs {
        let _ = write!(s, " {}", i.ty.width());
    }
    let _ = write!(s, "\n{}", c.outputs.len());
    for o in &c.outputs {
        let _ = write!(s, " {}", o.ty.width());
    }
    s.push_str("\n\n");
    s.push_str(&body);
    s
}
