//! The project's own compiled-circuit file format: a circuit with its typed,
//! named inputs (and their parties) and outputs, in a compact, deterministic
//! binary encoding.
//!
//! Layout (all integers unsigned LEB128 unless said otherwise):
//! - magic `MPCC` (4 bytes), format version (1 byte, [`VERSION`]);
//! - `num_wires`;
//! - inputs: count, then each: name, party (1 byte: 0 garbler, 1 evaluator), type;
//!   their wires are consecutive from 0 in order, so `first_wire` is implied;
//! - outputs: count, then each: name, type, party (1 byte: 0 both,
//!   1 garbler, 2 evaluator); `first_bit` is implied;
//! - output wires: count, then each wire;
//! - gates: count, then each: kind (1 byte: 0 XOR, 1 AND, 2 INV, 3 false,
//!   4 true), then the input wires it reads (two, one or none), then `out`.
//!
//! A name is its byte length then UTF-8 bytes. A type is a tag byte (0 bool,
//! 1 unsigned, 2 signed, 3 array, 4 tuple, 5 struct, 6 raw bits, 7 enum)
//! followed by its width, or element type and length, or element count and
//! elements, or name, field count and (name, type) pairs; an enum is its
//! name, variant count and each variant's name, kind (0 unit, 1 tuple,
//! 2 named) and fields as a tuple's or a struct's.
//!
//! The same circuit always gives the same bytes. Decoding trusts no length:
//! every count is checked against the bytes that remain before anything is
//! allocated, and the result passes [`Circuit::validate`].
//!
//! ```
//! use circuits::{format, Builder, Party, Type};
//! let mut b = Builder::new();
//! let x = b.input("x", Party::Garbler, Type::Unsigned(1))[0];
//! let y = b.input("y", Party::Evaluator, Type::Unsigned(1))[0];
//! let z = b.and(x, y);
//! b.output("result", Type::Bool, &[z]);
//! let c = b.finish();
//! let bytes = format::to_bytes(&c);
//! assert_eq!(format::from_bytes(&bytes).unwrap(), c);
//! ```

use crate::{
    bristol, Circuit, CircuitError, Gate, GateKind, Input, Output, Party, Type, VariantFields,
    WireId, MAX_INT_WIDTH,
};
use std::path::Path;

/// The four bytes every compiled circuit file starts with.
pub const MAGIC: &[u8; 4] = b"MPCC";
/// The version of the encoding written by [`to_bytes`].
pub const VERSION: u8 = 2;
/// Deepest nesting of types accepted (arrays of tuples of ...).
const MAX_TYPE_DEPTH: usize = 64;
/// Wires beyond what the file's own bytes could justify are refused.
const WIRE_SLACK: u64 = 1 << 20;

fn invalid(msg: impl Into<String>) -> CircuitError {
    CircuitError::Invalid(msg.into())
}

/// Encodes a circuit.
pub fn to_bytes(c: &Circuit) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + c.gates.len() * 8);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    put(&mut out, u64::from(c.num_wires));
    put(&mut out, c.inputs.len() as u64);
    for i in &c.inputs {
        put_str(&mut out, &i.name);
        out.push(matches!(i.party, Party::Evaluator) as u8);
        put_type(&mut out, &i.ty);
    }
    put(&mut out, c.outputs.len() as u64);
    for o in &c.outputs {
        put_str(&mut out, &o.name);
        put_type(&mut out, &o.ty);
        // Who learns the output: 0 both, 1 the garbler, 2 the evaluator.
        out.push(match o.party {
            None => 0,
            Some(Party::Garbler) => 1,
            Some(Party::Evaluator) => 2,
        });
    }
    put(&mut out, c.output_wires.len() as u64);
    for &w in &c.output_wires {
        put(&mut out, u64::from(w));
    }
    put(&mut out, c.gates.len() as u64);
    for g in &c.gates {
        let (tag, ins): (u8, &[WireId]) = match g.kind {
            GateKind::Xor => (0, &[g.a, g.b]),
            GateKind::And => (1, &[g.a, g.b]),
            GateKind::Inv => (2, &[g.a]),
            GateKind::ConstFalse => (3, &[]),
            GateKind::ConstTrue => (4, &[]),
        };
        out.push(tag);
        for &w in ins {
            put(&mut out, u64::from(w));
        }
        put(&mut out, u64::from(g.out));
    }
    out
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_type(out: &mut Vec<u8>, t: &Type) {
    match t {
        Type::Bool => out.push(0),
        Type::Unsigned(n) => {
            out.push(1);
            put(out, u64::from(*n));
        }
        Type::Signed(n) => {
            out.push(2);
            put(out, u64::from(*n));
        }
        Type::Array(e, n) => {
            out.push(3);
            put_type(out, e);
            put(out, u64::from(*n));
        }
        Type::Tuple(ts) => {
            out.push(4);
            put(out, ts.len() as u64);
            ts.iter().for_each(|t| put_type(out, t));
        }
        Type::Struct { name, fields } => {
            out.push(5);
            put_str(out, name);
            put(out, fields.len() as u64);
            for (f, t) in fields {
                put_str(out, f);
                put_type(out, t);
            }
        }
        Type::Bits(n) => {
            out.push(6);
            put(out, u64::from(*n));
        }
        Type::Enum { name, variants } => {
            out.push(7);
            put_str(out, name);
            put(out, variants.len() as u64);
            for v in variants {
                put_str(out, &v.name);
                match &v.fields {
                    VariantFields::Unit => out.push(0),
                    VariantFields::Tuple(ts) => {
                        out.push(1);
                        put(out, ts.len() as u64);
                        ts.iter().for_each(|t| put_type(out, t));
                    }
                    VariantFields::Named(fs) => {
                        out.push(2);
                        put(out, fs.len() as u64);
                        for (f, t) in fs {
                            put_str(out, f);
                            put_type(out, t);
                        }
                    }
                }
            }
        }
    }
}

struct Reader<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn remaining(&self) -> usize {
        self.s.len() - self.pos
    }

    fn byte(&mut self, what: &str) -> Result<u8, CircuitError> {
        let b = *self
            .s
            .get(self.pos)
            .ok_or_else(|| invalid(format!("the file ends inside {what}")))?;
        self.pos += 1;
        Ok(b)
    }

    fn uint(&mut self, what: &str) -> Result<u64, CircuitError> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte(what)?;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(invalid(format!("{what} does not fit in 64 bits")));
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                // Only the shortest encoding is accepted, so bytes are canonical.
                if b == 0 && shift > 0 {
                    return Err(invalid(format!("{what} is not minimally encoded")));
                }
                return Ok(v);
            }
        }
        Err(invalid(format!("{what} does not fit in 64 bits")))
    }

    fn u32(&mut self, what: &str) -> Result<u32, CircuitError> {
        let v = self.uint(what)?;
        u32::try_from(v).map_err(|_| invalid(format!("{what} {v} does not fit in 32 bits")))
    }

    /// A count of items that take at least `min_bytes` each: refused if the
    /// bytes that remain cannot hold that many.
    fn count(&mut self, what: &str, min_bytes: usize) -> Result<usize, CircuitError> {
        let n = self.uint(what)?;
        if n > (self.remaining() / min_bytes.max(1)) as u64 {
            return Err(invalid(format!(
                "{what} says {n}, more than the {} bytes left can hold",
                self.remaining()
            )));
        }
        Ok(n as usize)
    }

    fn string(&mut self, what: &str) -> Result<String, CircuitError> {
        let n = self.count(what, 1)?;
        let bytes = &self.s[self.pos..self.pos + n];
        self.pos += n;
        String::from_utf8(bytes.to_vec()).map_err(|_| invalid(format!("{what} is not UTF-8")))
    }

    fn int_width(&mut self) -> Result<u32, CircuitError> {
        let n = self.u32("an integer width")?;
        if n == 0 || n > MAX_INT_WIDTH {
            return Err(invalid(format!(
                "an integer width of {n} bits (1 to {MAX_INT_WIDTH} allowed)"
            )));
        }
        Ok(n)
    }

    fn ty(&mut self, depth: usize) -> Result<Type, CircuitError> {
        if depth > MAX_TYPE_DEPTH {
            return Err(invalid(format!(
                "types nested deeper than {MAX_TYPE_DEPTH} levels"
            )));
        }
        Ok(match self.byte("a type")? {
            0 => Type::Bool,
            1 => Type::Unsigned(self.int_width()?),
            2 => Type::Signed(self.int_width()?),
            3 => {
                let e = self.ty(depth + 1)?;
                Type::Array(Box::new(e), self.u32("an array length")?)
            }
            4 => {
                let n = self.count("a tuple's element count", 1)?;
                let mut ts = Vec::with_capacity(n);
                for _ in 0..n {
                    ts.push(self.ty(depth + 1)?);
                }
                Type::Tuple(ts)
            }
            5 => {
                let name = self.string("a struct name")?;
                let n = self.count("a struct's field count", 2)?;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let f = self.string("a field name")?;
                    fields.push((f, self.ty(depth + 1)?));
                }
                Type::Struct { name, fields }
            }
            6 => {
                let n = self.u32("a bit width")?;
                if n == 0 {
                    return Err(invalid("a value of 0 bits"));
                }
                Type::Bits(n)
            }
            7 => {
                let name = self.string("an enum name")?;
                let n = self.count("an enum's variant count", 2)?;
                let mut variants = Vec::with_capacity(n);
                for _ in 0..n {
                    let vname = self.string("a variant name")?;
                    let fields = match self.byte("a variant kind")? {
                        0 => VariantFields::Unit,
                        1 => {
                            let k = self.count("a variant's field count", 1)?;
                            let mut ts = Vec::with_capacity(k);
                            for _ in 0..k {
                                ts.push(self.ty(depth + 1)?);
                            }
                            VariantFields::Tuple(ts)
                        }
                        2 => {
                            let k = self.count("a variant's field count", 2)?;
                            let mut fs = Vec::with_capacity(k);
                            for _ in 0..k {
                                let f = self.string("a field name")?;
                                fs.push((f, self.ty(depth + 1)?));
                            }
                            VariantFields::Named(fs)
                        }
                        k => return Err(invalid(format!("unknown variant kind {k}"))),
                    };
                    variants.push(crate::Variant {
                        name: vname,
                        fields,
                    });
                }
                Type::Enum { name, variants }
            }
            t => return Err(invalid(format!("unknown type tag {t}"))),
        })
    }

    fn wire(&mut self, num_wires: u32, what: &str) -> Result<WireId, CircuitError> {
        let w = self.u32(what)?;
        if w >= num_wires {
            return Err(invalid(format!(
                "{what} {w} is beyond the {num_wires} wires"
            )));
        }
        Ok(w)
    }
}

/// Decodes a circuit written by [`to_bytes`]. Never panics and allocates no
/// more than the input's size justifies; the circuit is validated.
pub fn from_bytes(bytes: &[u8]) -> Result<Circuit, CircuitError> {
    if bytes.len() < 5 || &bytes[..4] != MAGIC {
        return Err(invalid(
            "not a compiled circuit (the file does not start with `MPCC`)",
        ));
    }
    if bytes[4] != VERSION {
        return Err(invalid(format!(
            "compiled circuit format version {} is not supported (this build reads {VERSION})",
            bytes[4]
        )));
    }
    let mut r = Reader { s: bytes, pos: 5 };
    let num_wires = r.u32("the number of wires")?;
    if u64::from(num_wires) > WIRE_SLACK + 8 * bytes.len() as u64 {
        return Err(invalid(format!(
            "{num_wires} wires is more than a file of {} bytes can use",
            bytes.len()
        )));
    }
    let n_in = r.count("the number of inputs", 3)?;
    let mut inputs = Vec::with_capacity(n_in);
    let mut next: u64 = 0;
    for _ in 0..n_in {
        let name = r.string("an input name")?;
        let party = match r.byte("an input's party")? {
            0 => Party::Garbler,
            1 => Party::Evaluator,
            p => return Err(invalid(format!("unknown party {p} for input `{name}`"))),
        };
        let ty = r.ty(0)?;
        let first_wire = next;
        next = next.saturating_add(ty.width() as u64);
        if next > u64::from(num_wires) {
            return Err(invalid(format!(
                "input `{name}` needs more than the {num_wires} wires"
            )));
        }
        inputs.push(Input {
            name,
            party,
            ty,
            first_wire: first_wire as WireId,
        });
    }
    let n_out = r.count("the number of outputs", 2)?;
    let mut outputs = Vec::with_capacity(n_out);
    let mut bit: u64 = 0;
    for _ in 0..n_out {
        let name = r.string("an output name")?;
        let ty = r.ty(0)?;
        let party = match r.byte("an output's party")? {
            0 => None,
            1 => Some(Party::Garbler),
            2 => Some(Party::Evaluator),
            p => return Err(invalid(format!("output `{name}` has an unknown party {p}"))),
        };
        let first_bit = bit;
        bit = bit.saturating_add(ty.width() as u64);
        if bit > bytes.len() as u64 {
            return Err(invalid(format!(
                "output `{name}` has more bits than the file has bytes"
            )));
        }
        outputs.push(Output {
            name,
            ty,
            party,
            first_bit: first_bit as usize,
        });
    }
    let n_ow = r.count("the number of output wires", 1)?;
    let mut output_wires = Vec::with_capacity(n_ow);
    for _ in 0..n_ow {
        output_wires.push(r.wire(num_wires, "an output wire")?);
    }
    let n_gates = r.count("the number of gates", 2)?;
    let mut gates = Vec::with_capacity(n_gates);
    for _ in 0..n_gates {
        let g = match r.byte("a gate")? {
            t @ (0 | 1) => {
                let a = r.wire(num_wires, "a gate input")?;
                let b = r.wire(num_wires, "a gate input")?;
                let out = r.wire(num_wires, "a gate output")?;
                if t == 0 {
                    Gate::xor(a, b, out)
                } else {
                    Gate::and(a, b, out)
                }
            }
            2 => {
                let a = r.wire(num_wires, "a gate input")?;
                Gate::inv(a, r.wire(num_wires, "a gate output")?)
            }
            t @ (3 | 4) => Gate::constant(t == 4, r.wire(num_wires, "a gate output")?),
            t => return Err(invalid(format!("unknown gate kind {t}"))),
        };
        gates.push(g);
    }
    if r.remaining() != 0 {
        return Err(invalid(format!(
            "{} bytes after the last gate",
            r.remaining()
        )));
    }
    let c = Circuit {
        num_wires,
        inputs,
        outputs,
        gates,
        output_wires,
    };
    c.validate()?;
    Ok(c)
}

/// Reads a circuit file in either format: a compiled circuit (it starts with
/// [`MAGIC`]) or Bristol Fashion text, whose first `garbler_values` input
/// values belong to the garbler and the rest to the evaluator.
pub fn read_file(path: &Path, garbler_values: usize) -> Result<Circuit, CircuitError> {
    let read_err = |msg: String| CircuitError::Read {
        path: path.display().to_string(),
        msg,
    };
    let bytes = std::fs::read(path).map_err(|e| read_err(e.to_string()))?;
    if bytes.starts_with(MAGIC) {
        return from_bytes(&bytes);
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        read_err(format!(
            "neither a compiled circuit nor Bristol Fashion text ({e})"
        ))
    })?;
    bristol::parse(&text, garbler_values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Builder;
    use proptest::prelude::*;

    fn sample() -> Circuit {
        let mut b = Builder::new();
        let s = Type::Struct {
            name: "P".into(),
            fields: vec![
                ("x".into(), Type::Signed(3)),
                ("t".into(), Type::Tuple(vec![Type::Bool, Type::Bits(2)])),
            ],
        };
        let x = b.input(
            "x",
            Party::Garbler,
            Type::Array(Box::new(Type::Unsigned(4)), 2),
        );
        let y = b.input("y", Party::Evaluator, s);
        let mut out = Vec::new();
        for i in 0..6 {
            let a = b.and(x[i], y[i]);
            let o = b.xor(a, x[i + 1]);
            out.push(b.not(o));
        }
        out.push(Builder::TRUE);
        out.push(Builder::FALSE);
        b.output(
            "result",
            Type::Tuple(vec![Type::Unsigned(6), Type::Bool, Type::Bool]),
            &out,
        );
        b.finish().compact()
    }

    #[test]
    fn round_trip_and_deterministic() {
        let c = sample();
        let bytes = to_bytes(&c);
        assert_eq!(&bytes[..4], MAGIC);
        assert_eq!(from_bytes(&bytes).unwrap(), c);
        assert_eq!(to_bytes(&from_bytes(&bytes).unwrap()), bytes);
    }

    #[test]
    fn rejects_bad_headers_and_truncation() {
        let bytes = to_bytes(&sample());
        assert!(from_bytes(b"").is_err());
        assert!(from_bytes(b"MPCX\x01").is_err());
        let mut v2 = bytes.clone();
        v2[4] = VERSION + 1;
        assert!(from_bytes(&v2)
            .unwrap_err()
            .to_string()
            .contains(&format!("version {}", VERSION + 1)));
        for n in 0..bytes.len() {
            assert!(from_bytes(&bytes[..n]).is_err(), "truncated to {n} bytes");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(from_bytes(&extra).is_err());
    }

    #[test]
    fn huge_counts_are_refused_without_allocating() {
        let mut v = MAGIC.to_vec();
        v.push(VERSION);
        put(&mut v, 100);
        put(&mut v, u64::from(u32::MAX)); // inputs
        assert!(from_bytes(&v)
            .unwrap_err()
            .to_string()
            .contains("bytes left"));
        let mut v = MAGIC.to_vec();
        v.push(VERSION);
        put(&mut v, u64::from(u32::MAX - 5)); // wires
        assert!(from_bytes(&v).unwrap_err().to_string().contains("wires"));
    }

    #[test]
    fn read_file_sniffs_the_format() {
        let dir = std::env::temp_dir().join(format!("circuits-format-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = sample();
        let compiled = dir.join("c.mpcc");
        std::fs::write(&compiled, to_bytes(&c)).unwrap();
        assert_eq!(read_file(&compiled, 1).unwrap(), c);
        let text = dir.join("c.txt");
        std::fs::write(&text, "1 3\n2 1 1\n1 1\n\n2 1 0 1 2 AND\n").unwrap();
        let b = read_file(&text, 2).unwrap();
        assert_eq!(b.inputs[1].party, Party::Garbler);
        assert_eq!(
            read_file(&text, 1).unwrap().inputs[1].party,
            Party::Evaluator
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..200)) {
            let mut v = MAGIC.to_vec();
            v.push(VERSION);
            v.extend(tail);
            let _ = from_bytes(&v);
        }

        #[test]
        fn mutated_circuits_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
            let mut v = to_bytes(&sample());
            for (at, byte) in edits {
                let i = at % v.len();
                v[i] = byte;
            }
            if let Ok(c) = from_bytes(&v) {
                // Whatever decodes is a valid circuit that evaluates.
                prop_assert!(c.validate().is_ok());
                let n = c.num_inputs() as usize;
                prop_assert!(c.eval_sliced(&vec![0u64; n]).is_ok());
            }
        }
    }
}
