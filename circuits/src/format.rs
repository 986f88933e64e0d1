//! The project's own compiled-circuit file format: a circuit with its typed,
//! named inputs (and their parties) and outputs, in a compact, deterministic
//! binary encoding.
//!
//! A file is the magic `MPCC` (4 bytes), the format version (1 byte,
//! [`VERSION`]), then the circuit in bincode's standard encoding (integers
//! of variable length, little-endian; every list and name preceded by its
//! length):
//! - `num_wires`;
//! - the inputs, each: name, party, type; their wires are consecutive from
//!   0 in order, so an input's first wire is implied;
//! - the outputs, each: name, type, and who learns it (both, the garbler or
//!   the evaluator); an output's first bit is implied;
//! - the output wires;
//! - the gates, each: its kind (XOR, AND, INV, false, true), the wires it
//!   reads (two, one or none), then its output wire.
//!
//! A type is written as its nodes in pre-order: an array node (with its
//! length) before its element type, a tuple node (with its size) or a
//! struct node (with its name and field names) before its members' types,
//! an enum node (with its name and each variant's name and kind) before the
//! types of every variant's payload, variant after variant.
//! Decoding then needs no recursion that a hostile file could make deep.
//!
//! The same circuit always gives the same bytes. Decoding trusts no length:
//! a list is allocated only once the bytes left can hold its count, all it
//! decodes counts against a size limit, and the result passes
//! [`Circuit::validate`]. Files of version 1 (the format before this one)
//! are refused with a message saying to compile them again.
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
    bristol, Circuit, CircuitError, Gate, GateKind, Input, Output, Party, Type, Variant,
    VariantFields, WireId, MAX_INT_WIDTH,
};
use bincode::config::{Configuration, Limit, LittleEndian, Varint};
use bincode::de::{read::Reader, BorrowDecoder, Decoder};
use bincode::enc::{write::Writer, Encoder};
use bincode::error::{DecodeError, EncodeError};
use bincode::{BorrowDecode, Decode, Encode};
use std::path::Path;

/// The four bytes every compiled circuit file starts with.
pub const MAGIC: &[u8; 4] = b"MPCC";
/// The version of the encoding written by [`to_bytes`].
pub const VERSION: u8 = 2;
/// Deepest nesting of types accepted (arrays of tuples of ...).
const MAX_TYPE_DEPTH: usize = 64;
/// Wires beyond what the file's own bytes could justify are refused.
const WIRE_SLACK: u64 = 1 << 20;
/// Most memory a decoded circuit may take, in bincode's count: 4 GiB, room
/// for the compiler's largest circuits (60 million gates take 960 MB).
const MEMORY_LIMIT: usize = u32::MAX as usize;

/// bincode's standard encoding, with the size limit.
fn config() -> Configuration<LittleEndian, Varint, Limit<MEMORY_LIMIT>> {
    bincode::config::standard().with_limit::<MEMORY_LIMIT>()
}

fn invalid(msg: impl Into<String>) -> CircuitError {
    CircuitError::Invalid(msg.into())
}

/// The file after its magic and version. `G` holds the gates: a [`List`]
/// when decoding, the circuit's own slice ([`GatesOf`]) when encoding.
#[derive(Encode, Decode)]
struct File<G> {
    num_wires: u32,
    inputs: List<InputRecord>,
    outputs: List<OutputRecord>,
    output_wires: List<WireId>,
    gates: G,
}

#[derive(Encode, Decode)]
struct InputRecord {
    name: Name,
    party: Party,
    ty: List<TypeNode>,
}

#[derive(Encode, Decode)]
struct OutputRecord {
    name: Name,
    ty: List<TypeNode>,
    /// `None`: revealed to both parties.
    party: Option<Party>,
}

/// A name's UTF-8 bytes (written as bincode writes a `String`).
type Name = List<u8>;

/// A gate with only the wires it reads.
#[derive(Encode, Decode)]
enum GateRecord {
    Xor(WireId, WireId, WireId),
    And(WireId, WireId, WireId),
    Inv(WireId, WireId),
    False(WireId),
    True(WireId),
}

/// One node of a type in pre-order; the member types of an array, tuple or
/// struct node follow it.
#[derive(Encode, Decode)]
enum TypeNode {
    Bool,
    Unsigned(u32),
    Signed(u32),
    /// An array of this length of the type that follows.
    Array(u32),
    /// A tuple of this many types that follow.
    Tuple(u32),
    /// A struct's name and field names; the fields' types follow.
    Struct(Name, List<Name>),
    Bits(u32),
    /// An enum's name and variants; the payload types of every variant
    /// follow, variant after variant.
    Enum(Name, List<VariantNode>),
}

/// One variant of an enum node: its name and the shape of its payload.
#[derive(Encode, Decode)]
enum VariantNode {
    /// No payload.
    Unit(Name),
    /// A payload of this many types.
    Tuple(Name, u32),
    /// A payload of these named fields.
    Named(Name, List<Name>),
}

/// A list, written as bincode writes a `Vec`, that is allocated only once
/// the bytes left can hold its count (every item takes at least one byte):
/// a count that lies costs no memory. Decodes from a slice only.
struct List<T>(Vec<T>);

impl<T: Encode> Encode for List<T> {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        self.0.encode(encoder)
    }
}

impl<C, T: Decode<C>> Decode<C> for List<T> {
    fn decode<D: Decoder<Context = C>>(decoder: &mut D) -> Result<Self, DecodeError> {
        let count = u64::decode(decoder)?;
        let len = usize::try_from(count)
            .ok()
            .filter(|&n| decoder.reader().peek_read(n).is_some())
            .ok_or_else(|| {
                DecodeError::OtherString(format!(
                    "a count of {count} is more than the bytes left can hold"
                ))
            })?;
        // The same accounting against the limit as bincode's own `Vec`.
        decoder.claim_container_read::<T>(len)?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            decoder.unclaim_bytes_read(std::mem::size_of::<T>());
            items.push(T::decode(decoder)?);
        }
        Ok(List(items))
    }
}

impl<'de, C, T: Decode<C>> BorrowDecode<'de, C> for List<T> {
    fn borrow_decode<D: BorrowDecoder<'de, Context = C>>(
        decoder: &mut D,
    ) -> Result<Self, DecodeError> {
        Self::decode(decoder)
    }
}

/// A circuit's gates, written as a [`List`] of [`GateRecord`]s without
/// copying them into one first.
struct GatesOf<'a>(&'a [Gate]);

impl Encode for GatesOf<'_> {
    fn encode<E: Encoder>(&self, encoder: &mut E) -> Result<(), EncodeError> {
        (self.0.len() as u64).encode(encoder)?;
        self.0
            .iter()
            .try_for_each(|g| GateRecord::from(g).encode(encoder))
    }
}

/// Where [`to_bytes`] writes: a `Vec`, without `std::io`'s error plumbing.
struct VecWriter<'a>(&'a mut Vec<u8>);

impl Writer for VecWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

impl From<&Gate> for GateRecord {
    fn from(g: &Gate) -> GateRecord {
        match g.kind {
            GateKind::Xor => GateRecord::Xor(g.a, g.b, g.out),
            GateKind::And => GateRecord::And(g.a, g.b, g.out),
            GateKind::Inv => GateRecord::Inv(g.a, g.out),
            GateKind::ConstFalse => GateRecord::False(g.out),
            GateKind::ConstTrue => GateRecord::True(g.out),
        }
    }
}

impl From<GateRecord> for Gate {
    fn from(g: GateRecord) -> Gate {
        match g {
            GateRecord::Xor(a, b, out) => Gate::xor(a, b, out),
            GateRecord::And(a, b, out) => Gate::and(a, b, out),
            GateRecord::Inv(a, out) => Gate::inv(a, out),
            GateRecord::False(out) => Gate::constant(false, out),
            GateRecord::True(out) => Gate::constant(true, out),
        }
    }
}

fn name(s: &str) -> Name {
    List(s.as_bytes().to_vec())
}

fn text(name: Name, what: &str) -> Result<String, CircuitError> {
    String::from_utf8(name.0).map_err(|_| invalid(format!("{what} is not UTF-8")))
}

fn type_nodes(t: &Type) -> List<TypeNode> {
    fn push(t: &Type, out: &mut Vec<TypeNode>) {
        match t {
            Type::Bool => out.push(TypeNode::Bool),
            Type::Unsigned(n) => out.push(TypeNode::Unsigned(*n)),
            Type::Signed(n) => out.push(TypeNode::Signed(*n)),
            Type::Bits(n) => out.push(TypeNode::Bits(*n)),
            Type::Array(e, n) => {
                out.push(TypeNode::Array(*n));
                push(e, out);
            }
            Type::Tuple(ts) => {
                out.push(TypeNode::Tuple(ts.len() as u32));
                ts.iter().for_each(|t| push(t, out));
            }
            Type::Struct { name: n, fields } => {
                let names = fields.iter().map(|(f, _)| name(f)).collect();
                out.push(TypeNode::Struct(name(n), List(names)));
                fields.iter().for_each(|(_, t)| push(t, out));
            }
            Type::Enum { name: n, variants } => {
                let heads = variants
                    .iter()
                    .map(|v| match &v.fields {
                        VariantFields::Unit => VariantNode::Unit(name(&v.name)),
                        VariantFields::Tuple(ts) => {
                            VariantNode::Tuple(name(&v.name), ts.len() as u32)
                        }
                        VariantFields::Named(fs) => VariantNode::Named(
                            name(&v.name),
                            List(fs.iter().map(|(f, _)| name(f)).collect()),
                        ),
                    })
                    .collect();
                out.push(TypeNode::Enum(name(n), List(heads)));
                for v in variants {
                    v.fields.types().into_iter().for_each(|t| push(t, out));
                }
            }
        }
    }
    let mut out = Vec::new();
    push(t, &mut out);
    List(out)
}

/// Rebuilds a type from all of its nodes.
fn build_type(nodes: Vec<TypeNode>) -> Result<Type, CircuitError> {
    let mut nodes = nodes.into_iter();
    let t = build(&mut nodes, 0)?;
    if nodes.len() > 0 {
        return Err(invalid(format!(
            "a type has {} nodes left over",
            nodes.len()
        )));
    }
    // Arrays of zero-bit elements cost no wires, so the wire count does not
    // bound them: without this, `[[(); 2^32]; 2^32]` would make printing a
    // value loop for ever.
    let values = value_count(&t);
    if values > MAX_VALUES {
        return Err(invalid(format!(
            "a type of more than {MAX_VALUES} values (arrays of zero-bit elements?)"
        )));
    }
    Ok(t)
}

/// Most values (array elements, members and scalars, nested) in one type.
const MAX_VALUES: u64 = 1 << 24;

/// How many values printing a value of `t` visits (saturating).
fn value_count(t: &Type) -> u64 {
    match t {
        Type::Bool | Type::Unsigned(_) | Type::Signed(_) | Type::Bits(_) => 1,
        Type::Array(e, n) => u64::from(*n).saturating_mul(value_count(e).max(1)),
        Type::Tuple(ts) => ts
            .iter()
            .fold(1u64, |a, t| a.saturating_add(value_count(t))),
        Type::Struct { fields, .. } => fields
            .iter()
            .fold(1u64, |a, (_, t)| a.saturating_add(value_count(t))),
        Type::Enum { variants, .. } => variants.iter().fold(1u64, |a, v| {
            v.fields
                .types()
                .into_iter()
                .fold(a, |a, t| a.saturating_add(value_count(t)))
        }),
    }
}

fn build(nodes: &mut std::vec::IntoIter<TypeNode>, depth: usize) -> Result<Type, CircuitError> {
    if depth > MAX_TYPE_DEPTH {
        return Err(invalid(format!(
            "types nested deeper than {MAX_TYPE_DEPTH} levels"
        )));
    }
    let node = nodes
        .next()
        .ok_or_else(|| invalid("a type ends before its element types"))?;
    Ok(match node {
        TypeNode::Bool => Type::Bool,
        TypeNode::Unsigned(n) => Type::Unsigned(int_width(n)?),
        TypeNode::Signed(n) => Type::Signed(int_width(n)?),
        TypeNode::Bits(0) => return Err(invalid("a value of 0 bits")),
        TypeNode::Bits(n) => Type::Bits(n),
        TypeNode::Array(n) => Type::Array(Box::new(build(nodes, depth + 1)?), n),
        TypeNode::Tuple(n) => {
            // Each member takes a node at least: a larger count is a lie.
            let n = n as usize;
            if n > nodes.len() {
                return Err(invalid(format!(
                    "a tuple of {n} types with {} type nodes left",
                    nodes.len()
                )));
            }
            let mut ts = Vec::with_capacity(n);
            for _ in 0..n {
                ts.push(build(nodes, depth + 1)?);
            }
            Type::Tuple(ts)
        }
        TypeNode::Struct(name, List(field_names)) => {
            let mut fields = Vec::with_capacity(field_names.len());
            for f in field_names {
                fields.push((text(f, "a field name")?, build(nodes, depth + 1)?));
            }
            Type::Struct {
                name: text(name, "a struct name")?,
                fields,
            }
        }
        TypeNode::Enum(name, List(heads)) => {
            let mut variants = Vec::with_capacity(heads.len());
            for head in heads {
                let (vname, fields) = match head {
                    VariantNode::Unit(v) => (v, VariantFields::Unit),
                    VariantNode::Tuple(v, n) => {
                        // Each member takes a node at least: a larger count is a lie.
                        let n = n as usize;
                        if n > nodes.len() {
                            return Err(invalid(format!(
                                "a variant of {n} types with {} type nodes left",
                                nodes.len()
                            )));
                        }
                        let mut ts = Vec::with_capacity(n);
                        for _ in 0..n {
                            ts.push(build(nodes, depth + 1)?);
                        }
                        (v, VariantFields::Tuple(ts))
                    }
                    VariantNode::Named(v, List(field_names)) => {
                        let mut fs = Vec::with_capacity(field_names.len());
                        for f in field_names {
                            fs.push((text(f, "a field name")?, build(nodes, depth + 1)?));
                        }
                        (v, VariantFields::Named(fs))
                    }
                };
                variants.push(Variant {
                    name: text(vname, "a variant name")?,
                    fields,
                });
            }
            Type::Enum {
                name: text(name, "an enum name")?,
                variants,
            }
        }
    })
}

fn int_width(n: u32) -> Result<u32, CircuitError> {
    if n == 0 || n > MAX_INT_WIDTH {
        return Err(invalid(format!(
            "an integer width of {n} bits (1 to {MAX_INT_WIDTH} allowed)"
        )));
    }
    Ok(n)
}

/// Encodes a circuit.
pub fn to_bytes(c: &Circuit) -> Vec<u8> {
    let file = File {
        num_wires: c.num_wires,
        inputs: List(
            c.inputs
                .iter()
                .map(|i| InputRecord {
                    name: name(&i.name),
                    party: i.party,
                    ty: type_nodes(&i.ty),
                })
                .collect(),
        ),
        outputs: List(
            c.outputs
                .iter()
                .map(|o| OutputRecord {
                    name: name(&o.name),
                    ty: type_nodes(&o.ty),
                    party: o.party,
                })
                .collect(),
        ),
        output_wires: List(c.output_wires.clone()),
        gates: GatesOf(&c.gates),
    };
    // A gate takes 4 to 16 bytes, most often 10 to 13.
    let mut out = Vec::with_capacity(16 + c.gates.len() * 13);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    // Writing to memory has no I/O to fail, and every value here encodes.
    bincode::encode_into_writer(&file, VecWriter(&mut out), config())
        .expect("encoding a circuit into memory cannot fail");
    out
}

/// What a bincode error means in a circuit file.
fn describe(e: DecodeError) -> String {
    match e {
        DecodeError::UnexpectedEnd { .. } => "the file ends before the circuit does".into(),
        DecodeError::LimitExceeded => {
            format!("the circuit would take more than {MEMORY_LIMIT} bytes of memory")
        }
        DecodeError::UnexpectedVariant {
            type_name, found, ..
        } => {
            let what = match type_name {
                "GateRecord" => "gate kind",
                "TypeNode" => "type tag",
                "VariantNode" => "variant kind",
                "Party" => "party",
                other => other,
            };
            format!("unknown {what} {found}")
        }
        DecodeError::InvalidIntegerType { .. } => "a number too large for its field".into(),
        DecodeError::OtherString(msg) => msg,
        other => other.to_string(),
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
    match bytes[4] {
        VERSION => {}
        1 => {
            return Err(invalid(format!(
                "compiled circuit format version 1 is no longer read (this build reads \
                 {VERSION}): compile the program again with `mpcc compile`"
            )))
        }
        v => {
            return Err(invalid(format!(
                "compiled circuit format version {v} is not supported (this build reads {VERSION})"
            )))
        }
    }
    let body = &bytes[5..];
    let (file, used): (File<List<GateRecord>>, usize) =
        bincode::decode_from_slice(body, config()).map_err(|e| invalid(describe(e)))?;
    if used != body.len() {
        return Err(invalid(format!(
            "{} bytes after the last gate",
            body.len() - used
        )));
    }
    let num_wires = file.num_wires;
    if u64::from(num_wires) > WIRE_SLACK + 8 * bytes.len() as u64 {
        return Err(invalid(format!(
            "{num_wires} wires is more than a file of {} bytes can use",
            bytes.len()
        )));
    }
    let mut inputs = Vec::with_capacity(file.inputs.0.len());
    let mut next: u64 = 0;
    for i in file.inputs.0 {
        let name = text(i.name, "an input name")?;
        let ty = build_type(i.ty.0)?;
        let first_wire = next;
        next = next.saturating_add(ty.width() as u64);
        if next > u64::from(num_wires) {
            return Err(invalid(format!(
                "input `{name}` needs more than the {num_wires} wires"
            )));
        }
        inputs.push(Input {
            name,
            party: i.party,
            ty,
            first_wire: first_wire as WireId,
        });
    }
    let output_wires = file.output_wires.0;
    let mut outputs = Vec::with_capacity(file.outputs.0.len());
    let mut bit: usize = 0;
    for o in file.outputs.0 {
        let name = text(o.name, "an output name")?;
        let ty = build_type(o.ty.0)?;
        let first_bit = bit;
        bit = bit.saturating_add(ty.width());
        if bit > output_wires.len() {
            return Err(invalid(format!(
                "output `{name}` needs more than the {} output wires",
                output_wires.len()
            )));
        }
        outputs.push(Output {
            name,
            ty,
            party: o.party,
            first_bit,
        });
    }
    // Same size and alignment: the gates are converted in place.
    let gates = file.gates.0.into_iter().map(Gate::from).collect();
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
        assert!(from_bytes(b"MPCX\x02").is_err());
        let mut v3 = bytes.clone();
        v3[4] = 3;
        assert!(from_bytes(&v3)
            .unwrap_err()
            .to_string()
            .contains("version 3"));
        let mut v1 = bytes.clone();
        v1[4] = 1;
        assert!(from_bytes(&v1)
            .unwrap_err()
            .to_string()
            .contains("compile the program again"));
        for n in 0..bytes.len() {
            assert!(from_bytes(&bytes[..n]).is_err(), "truncated to {n} bytes");
        }
        let mut extra = bytes.clone();
        extra.push(0);
        assert!(from_bytes(&extra).is_err());
    }

    /// A file of `MAGIC`, `VERSION` and `body` in the format's encoding.
    fn file_of(body: impl Encode) -> Vec<u8> {
        let mut v = MAGIC.to_vec();
        v.push(VERSION);
        v.extend(bincode::encode_to_vec(body, config()).unwrap());
        v
    }

    fn empty(num_wires: u32) -> File<List<GateRecord>> {
        File {
            num_wires,
            inputs: List(vec![]),
            outputs: List(vec![]),
            output_wires: List(vec![]),
            gates: List(vec![]),
        }
    }

    #[test]
    fn huge_counts_are_refused_without_allocating() {
        // 100 wires, then a count of 2^40 inputs.
        let v = file_of((100u32, 1u64 << 40));
        assert!(from_bytes(&v)
            .unwrap_err()
            .to_string()
            .contains("more than the bytes left can hold"));
        // A name of u64::MAX bytes.
        let v = file_of((100u32, 1u64, u64::MAX));
        assert!(from_bytes(&v)
            .unwrap_err()
            .to_string()
            .contains("more than the bytes left can hold"));
        let v = file_of(empty(u32::MAX - 5));
        assert!(from_bytes(&v).unwrap_err().to_string().contains("wires"));
        assert!(from_bytes(&file_of(empty(0))).is_ok());
    }

    /// A one-input file whose input has these type nodes.
    fn with_type(nodes: Vec<TypeNode>) -> Vec<u8> {
        let mut f = empty(1 << 10);
        f.inputs = List(vec![InputRecord {
            name: name("x"),
            party: Party::Garbler,
            ty: List(nodes),
        }]);
        file_of(f)
    }

    #[test]
    fn types_are_rebuilt_without_deep_recursion_or_lies() {
        // Far deeper than any stack would take recursively.
        let mut deep: Vec<TypeNode> = (0..200_000).map(|_| TypeNode::Array(1)).collect();
        deep.push(TypeNode::Bool);
        assert!(from_bytes(&with_type(deep))
            .unwrap_err()
            .to_string()
            .contains("nested deeper"));
        let liar = vec![TypeNode::Tuple(u32::MAX), TypeNode::Bool];
        assert!(from_bytes(&with_type(liar))
            .unwrap_err()
            .to_string()
            .contains("a tuple of"));
        let cut = vec![TypeNode::Array(2)];
        assert!(from_bytes(&with_type(cut)).is_err());
        let extra = vec![TypeNode::Bool, TypeNode::Bool];
        assert!(from_bytes(&with_type(extra))
            .unwrap_err()
            .to_string()
            .contains("left over"));
        let wide = vec![TypeNode::Unsigned(MAX_INT_WIDTH + 1)];
        assert!(from_bytes(&with_type(wide))
            .unwrap_err()
            .to_string()
            .contains("integer width"));
        assert!(from_bytes(&with_type(vec![TypeNode::Unsigned(8)])).is_ok());
        // Zero-bit elements take no wires: their count is bounded on its own.
        let empties = vec![
            TypeNode::Array(u32::MAX),
            TypeNode::Array(u32::MAX),
            TypeNode::Tuple(0),
        ];
        assert!(from_bytes(&with_type(empties))
            .unwrap_err()
            .to_string()
            .contains("zero-bit elements"));
        let few = vec![TypeNode::Array(3), TypeNode::Tuple(0)];
        assert!(from_bytes(&with_type(few)).is_ok());
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
