//! Typed values: inputs and outputs as Rust data instead of literals.
//!
//! A `serde` serializer writes a Rust value into the bits of a declared
//! [`Type`] (the same bits [`crate::value::parse`] makes of the same value
//! written as a literal), and a `serde` deserializer reads bits of a [`Type`]
//! back into a Rust value. The mapping:
//!
//! | Language | Rust |
//! |---|---|
//! | `bool` | `bool` |
//! | `uN`, `iN`, Bristol values | any Rust integer whose value fits the width (`u8` ... `u128`, `i8` ... `i128`); beyond 128 bits, or for any width, a [`BigInt`] (or a `String` literal such as `"-0x1f"`) |
//! | `[T; N]` | `[T; N]`, `Vec<T>`, slices: exactly `N` elements |
//! | `(T, U)` | tuples, tuple structs |
//! | `struct S { .. }` | structs, by field name (any order; a missing or unknown field is an error) |
//! | `enum E { .. }` | enums, by variant name: unit, tuple and struct variants |
//! | `Option<T>` | `Option<T>` |
//!
//! Names of Rust types do not matter (only field and variant names do), so
//! `#[derive(Serialize, Deserialize)]` on plain Rust types is all it takes;
//! `#[serde(rename = "..")]` maps differing names. Maps are not values
//! (nor `#[serde(flatten)]`, which writes a struct as a map), and floats and
//! chars have no type of the language.
//!
//! Errors are [`CircuitError::Typed`]: they name the parameter or output and
//! the path inside the value, e.g. ``parameter `bids`: element 3: the value
//! does not fit u8 (0 ..= 2^8-1)``. They never contain a value, input or
//! output: serde's own messages, which quote values ("invalid value:
//! integer `300`, expected u8"), are rewritten to name the kind of value and
//! the expected type only.
//!
//! ```
//! use circuits::{typed, Type};
//! let ty = Type::Array(Box::new(Type::Signed(8)), 2);
//! let bits = typed::encode(&ty, &[-1i32, 127]).unwrap();
//! assert_eq!(bits, circuits::value::parse(&ty, "[-1, 127]").unwrap());
//! let back: Vec<i8> = typed::decode(&ty, &bits).unwrap();
//! assert_eq!(back, [-1, 127]);
//! let err = typed::encode(&ty, &[1, 128]).unwrap_err().to_string();
//! assert_eq!(err, "value: element 1: the value does not fit i8 (-2^7 ..= 2^7-1)");
//! ```

use std::fmt;
use std::str::FromStr;

use serde::de::{self, IntoDeserializer};
use serde::ser;

use crate::{tag_bits, value, Circuit, CircuitError, Input, Party, Type, VariantFields};

/// The `serde` traits typed values are bounded by, for crates that pass
/// values through without depending on `serde` themselves.
pub use serde::{de::DeserializeOwned, Serialize};

/// Encodes `value` as a value of type `ty`: its bits, laid out as
/// [`Type`] describes. Errors name the path inside the value.
pub fn encode<T: Serialize + ?Sized>(ty: &Type, value: &T) -> Result<Vec<bool>, CircuitError> {
    let mut out = Vec::new();
    value
        .serialize(Ser::new(ty, &mut out))
        .map_err(|e| e.into_error("value".into()))?;
    Ok(out)
}

/// Decodes the bits of a value of type `ty` (exactly `ty.width()` of them)
/// into a Rust value.
pub fn decode<T: DeserializeOwned>(ty: &Type, bits: &[bool]) -> Result<T, CircuitError> {
    if bits.len() != ty.width() {
        return Err(CircuitError::Typed {
            subject: "value".into(),
            msg: format!("{} bits given, {ty} has {}", bits.len(), ty.width()),
        });
    }
    T::deserialize(De { ty, bits }).map_err(|e| e.into_error("value".into()))
}

/// Encodes the inputs of `party` (all inputs when `None`) from one Rust
/// value, and returns their bits concatenated in declaration order (the same
/// bits [`crate::value::parse_inputs`] makes of the same values as literals).
///
/// `inputs` is one of:
/// - a struct with one field per parameter, named as the parameter (any
///   order; a missing or unknown parameter is an error);
/// - when there are several parameters, a tuple (or array, `Vec`) of all the
///   parameters in declaration order;
/// - when there is exactly one parameter, that parameter's value itself,
///   unless it is a struct whose fields are all parameter names;
/// - when there are none, `()` or an empty struct.
///
/// ```
/// use circuits::{typed, Party};
/// use serde::Serialize;
/// let c = compiler::compile_source(
///     "fn main(garbler a: u8, evaluator b: [u8; 2], garbler c: bool) -> u8 { a }",
///     "doc.mpc",
/// ).unwrap();
/// #[derive(Serialize)]
/// struct Garbler { c: bool, a: u8 }
/// let bits = typed::encode_inputs(&c, Some(Party::Garbler), &Garbler { a: 7, c: true }).unwrap();
/// assert_eq!(bits.len(), 9);
/// // One parameter: the value itself.
/// let bits = typed::encode_inputs(&c, Some(Party::Evaluator), &[1u8, 2]).unwrap();
/// assert_eq!(bits.len(), 16);
/// let err = typed::encode_inputs(&c, Some(Party::Evaluator), &[1u8]).unwrap_err();
/// assert_eq!(err.to_string(), "parameter `b`: expected 2 elements, found 1");
/// ```
pub fn encode_inputs<T: Serialize + ?Sized>(
    circuit: &Circuit,
    party: Option<Party>,
    inputs: &T,
) -> Result<Vec<bool>, CircuitError> {
    let params: Vec<&Input> = circuit
        .inputs
        .iter()
        .filter(|i| party.is_none_or(|p| i.party == p))
        .collect();
    let whose = match party {
        Some(p) => format!("inputs of the {p}"),
        None => "inputs".to_string(),
    };
    let all = Type::Struct {
        name: whose.clone(),
        fields: params
            .iter()
            .map(|p| (p.name.clone(), p.ty.clone()))
            .collect(),
    };
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    let mut out = Vec::new();
    let mut ser = Ser::new(&all, &mut out);
    ser.top = if params.len() == 1 {
        Top::OneParam
    } else {
        Top::Params
    };
    match inputs.serialize(ser) {
        Ok(()) => Ok(out),
        Err(e) if e.fallback && params.len() == 1 => {
            let mut out = Vec::new();
            inputs
                .serialize(Ser::new(&params[0].ty, &mut out))
                .map_err(|e| e.into_error(format!("parameter `{}`", params[0].name)))?;
            Ok(out)
        }
        Err(e) => Err(e.into_named_error(&whose, "parameter", &names)),
    }
}

/// Decodes what `party` learns of the outputs (`None`: all of them) into a
/// Rust value. `bits` are all the circuit's output bits, in circuit order.
///
/// The parts revealed to the party are taken in order, as the tools print
/// them: one part is decoded as itself, several as a tuple of the parts, and
/// none as `()`. Outputs revealed to both parties are parts for either.
pub fn decode_outputs<T: DeserializeOwned>(
    circuit: &Circuit,
    bits: &[bool],
    party: Option<Party>,
) -> Result<T, CircuitError> {
    let expected = circuit.output_wires.len();
    if bits.len() != expected {
        return Err(CircuitError::Typed {
            subject: "outputs".into(),
            msg: format!("{} bits given, the circuit has {expected}", bits.len()),
        });
    }
    let parts: Vec<_> = circuit
        .outputs
        .iter()
        .filter(|o| party.is_none() || o.party.is_none() || o.party == party)
        .collect();
    let slice = |first: usize, ty: &Type| {
        bits.get(first..first.saturating_add(ty.width()))
            .ok_or_else(|| CircuitError::Invalid(format!("output bits beyond {expected}")))
    };
    match parts.as_slice() {
        [one] => {
            let b = slice(one.first_bit, &one.ty)?;
            T::deserialize(De {
                ty: &one.ty,
                bits: b,
            })
            .map_err(|e| e.into_error(format!("output `{}`", one.name)))
        }
        _ => {
            let ty = Type::Tuple(parts.iter().map(|o| o.ty.clone()).collect());
            let mut all = Vec::with_capacity(ty.width());
            for o in &parts {
                all.extend_from_slice(slice(o.first_bit, &o.ty)?);
            }
            let names: Vec<&str> = parts.iter().map(|o| o.name.as_str()).collect();
            T::deserialize(De {
                ty: &ty,
                bits: &all,
            })
            .map_err(|e| e.into_named_error("outputs", "output", &names))
        }
    }
}

/// An integer of any width, for values beyond `u128`/`i128` (or any other).
///
/// It serializes as its decimal text and deserializes from text (decimal,
/// `0x` hex or `0b` binary, with an optional `-`; `_` separators allowed)
/// or from any Rust integer. Values are limited to what a 1025-bit signed
/// integer holds, which covers every `u1024` and `i1024`.
///
/// ```
/// use circuits::typed::BigInt;
/// let x: BigInt = "-0x10".parse().unwrap();
/// assert_eq!(x.to_string(), "-16");
/// assert_eq!(BigInt::from(u128::MAX).to_string(), "340282366920938463463374607431768211455");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BigInt {
    /// Canonical decimal text.
    text: String,
}

/// Width of the two's complement form every [`BigInt`] fits.
const BIG_WIDTH: u32 = crate::MAX_INT_WIDTH + 1;

impl BigInt {
    /// Its two's complement bits, least significant first, [`BIG_WIDTH`] of them.
    fn wide_bits(text: &str) -> Option<Vec<bool>> {
        value::parse(&Type::Signed(BIG_WIDTH), text).ok()
    }

    /// The decimal text.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// A text that is not an integer of at most 1024 bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseBigIntError;

impl fmt::Display for ParseBigIntError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not an integer of at most 1024 bits (decimal, 0x or 0b, optional -)")
    }
}

impl std::error::Error for ParseBigIntError {}

impl FromStr for BigInt {
    type Err = ParseBigIntError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bits = BigInt::wide_bits(s).ok_or(ParseBigIntError)?;
        Ok(BigInt {
            text: value::format(&Type::Signed(BIG_WIDTH), &bits),
        })
    }
}

impl fmt::Display for BigInt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

macro_rules! bigint_from {
    ($($t:ty),*) => {$(
        impl From<$t> for BigInt {
            fn from(v: $t) -> Self {
                BigInt { text: v.to_string() }
            }
        }
    )*};
}
bigint_from!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl Serialize for BigInt {
    fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> de::Deserialize<'de> for BigInt {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = BigInt;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or its text")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<BigInt, E> {
                Ok(v.into())
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<BigInt, E> {
                Ok(v.into())
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<BigInt, E> {
                Ok(v.into())
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<BigInt, E> {
                Ok(v.into())
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<BigInt, E> {
                // The text is not quoted back: it may be a secret value.
                v.parse().map_err(|_| {
                    E::invalid_value(
                        de::Unexpected::Other("text"),
                        &"an integer of at most 1024 bits (decimal, 0x or 0b, optional -)",
                    )
                })
            }
        }
        d.deserialize_str(V)
    }
}

/// One step of the path inside a value.
#[derive(Debug)]
enum Seg {
    /// Array element.
    Elem(usize),
    /// Tuple (or tuple variant) position.
    Pos(usize),
    /// Struct (or struct variant) field.
    Field(String),
    /// Enum variant.
    Variant(String),
}

impl fmt::Display for Seg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seg::Elem(i) => write!(f, "element {i}"),
            Seg::Pos(i) => write!(f, "field {i}"),
            Seg::Field(n) => write!(f, "field `{n}`"),
            Seg::Variant(n) => write!(f, "variant `{n}`"),
        }
    }
}

/// The error inside the serializer and deserializer, turned into a
/// [`CircuitError`] at the API boundary.
#[derive(Debug)]
struct Mismatch {
    /// Outermost step first.
    path: Vec<Seg>,
    msg: String,
    /// The value is not in the form of a parameter struct (so a single
    /// parameter's value is tried instead).
    fallback: bool,
}

impl Mismatch {
    fn new(msg: impl Into<String>) -> Self {
        Mismatch {
            path: Vec::new(),
            msg: msg.into(),
            fallback: false,
        }
    }

    fn at(mut self, seg: Seg) -> Self {
        self.path.insert(0, seg);
        self
    }

    fn text(&self, skip: usize) -> String {
        let mut s = String::new();
        for seg in self.path.iter().skip(skip) {
            s.push_str(&seg.to_string());
            s.push_str(": ");
        }
        s.push_str(&self.msg);
        s
    }

    fn into_error(self, subject: String) -> CircuitError {
        CircuitError::Typed {
            msg: self.text(0),
            subject,
        }
    }

    /// For a value whose outermost level lists the parameters or outputs:
    /// the first step names the `kind` (`parameter`, `output`).
    fn into_named_error(self, whole: &str, kind: &str, names: &[&str]) -> CircuitError {
        let name = match self.path.first() {
            Some(Seg::Field(n)) => Some(n.clone()),
            Some(Seg::Pos(i) | Seg::Elem(i)) => names.get(*i).map(|n| n.to_string()),
            _ => None,
        };
        match name {
            Some(n) => CircuitError::Typed {
                subject: format!("{kind} `{n}`"),
                msg: self.text(1),
            },
            None => self.into_error(whole.to_string()),
        }
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text(0))
    }
}

impl std::error::Error for Mismatch {}

impl ser::Error for Mismatch {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Mismatch::new(msg.to_string())
    }
}

/// Errors met reading bits into a Rust type. serde's own messages quote the
/// value ("invalid value: integer `300`, expected u8"), and an output value
/// must not reach an error (it may be logged), so each is rewritten to name
/// the kind of value and what was expected, never the value.
impl de::Error for Mismatch {
    /// A Rust type's own message may quote the value: only that it refused
    /// one is kept.
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Mismatch::new(
            "the Rust type refused the value (its message is not shown: it may quote the value)",
        )
    }

    fn invalid_type(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Mismatch::new(format!("expected {exp}, found {}", unexpected_kind(&unexp)))
    }

    fn invalid_value(unexp: de::Unexpected<'_>, exp: &dyn de::Expected) -> Self {
        Mismatch::new(format!(
            "{} that the Rust type does not take: expected {exp}",
            unexpected_kind(&unexp)
        ))
    }

    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Mismatch::new(format!("{len} elements, expected {exp}"))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> Self {
        Mismatch::new(format!(
            "unknown variant, not named (it is the value); the Rust enum has {}",
            names_list(expected)
        ))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Mismatch::new(format!(
            "field `{field}` that the Rust type does not have (it has {})",
            names_list(expected)
        ))
    }

    fn missing_field(field: &'static str) -> Self {
        Mismatch::new(format!("missing field `{field}`"))
    }

    fn duplicate_field(field: &'static str) -> Self {
        Mismatch::new(format!("field `{field}` given twice"))
    }
}

/// What kind of value serde found, without the value.
fn unexpected_kind(u: &de::Unexpected<'_>) -> &'static str {
    use de::Unexpected as U;
    match u {
        U::Bool(_) => "a bool",
        U::Unsigned(_) | U::Signed(_) => "an integer",
        U::Float(_) => "a float",
        U::Char(_) => "a char",
        U::Str(_) => "a string",
        U::Bytes(_) => "bytes",
        U::Unit => "()",
        U::Option => "an option",
        U::NewtypeStruct => "a newtype struct",
        U::Seq => "a sequence",
        U::Map => "a map",
        U::Enum => "an enum",
        U::UnitVariant => "a unit variant",
        U::NewtypeVariant => "a newtype variant",
        U::TupleVariant => "a tuple variant",
        U::StructVariant => "a struct variant",
        U::Other(_) => "a value",
    }
}

/// `` `a`, `b` `` (or "none").
fn names_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A type as error messages name it: structs and enums by name.
fn short(ty: &Type) -> String {
    match ty {
        Type::Struct { name, .. } => format!("struct `{name}`"),
        Type::Enum { name, .. } if name != "Option" => format!("enum `{name}`"),
        Type::Bits(n) => format!("a {n}-bit value"),
        t => t.to_string(),
    }
}

/// The range of an integer type, for messages.
fn range(width: u32, signed: bool) -> String {
    if signed {
        format!("-2^{0} ..= 2^{0}-1", width - 1)
    } else {
        format!("0 ..= 2^{width}-1")
    }
}

/// Width and signedness of an integer type (Bristol values are unsigned).
fn int_type(ty: &Type) -> Option<(u32, bool)> {
    match ty {
        // A zero width is no type of the language (only a tampered
        // circuit has one): no value is written to it.
        Type::Unsigned(w) | Type::Bits(w) if *w > 0 => Some((*w, false)),
        Type::Signed(w) if *w > 0 => Some((*w, true)),
        _ => None,
    }
}

/// Who is being written: a plain value, or the parameter list of
/// [`encode_inputs`] (for one parameter or several).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Top {
    Value,
    Params,
    OneParam,
}

/// Writes one value of type `ty` to `out`.
struct Ser<'a> {
    ty: &'a Type,
    out: &'a mut Vec<bool>,
    top: Top,
}

impl<'a> Ser<'a> {
    fn new(ty: &'a Type, out: &'a mut Vec<bool>) -> Self {
        Ser {
            ty,
            out,
            top: Top::Value,
        }
    }

    fn mismatch(&self, found: &str) -> Mismatch {
        let mut e = match self.top {
            Top::Value => Mismatch::new(format!("expected {}, found {found}", short(self.ty))),
            Top::Params | Top::OneParam => Mismatch::new(format!(
                "expected a struct of the parameters by name{}, found {found}",
                if self.top == Top::Params {
                    " or a tuple of them in order"
                } else {
                    ""
                }
            )),
        };
        e.fallback = self.top == Top::OneParam;
        e
    }

    /// An integer that is `v` (non-negative) or `neg` (negative).
    fn int(self, v: Result<u128, i128>) -> Result<(), Mismatch> {
        let Some((w, signed)) = int_type(self.ty).filter(|_| self.top == Top::Value) else {
            return Err(self.mismatch("an integer"));
        };
        let fits = match (v, signed) {
            (Ok(u), false) => w >= 128 || u >> w == 0,
            (Ok(u), true) => w > 128 || u >> (w - 1) == 0,
            (Err(_), false) => false,
            (Err(i), true) => w >= 128 || i >> (w - 1) == -1,
        };
        if !fits {
            let what = if v.is_err() && !signed {
                "a negative value does not fit"
            } else {
                "the value does not fit"
            };
            return Err(Mismatch::new(format!(
                "{what} {} ({})",
                short(self.ty),
                range(w, signed)
            )));
        }
        let w = w as usize;
        match v {
            Ok(u) => self.out.extend((0..w).map(|i| i < 128 && u >> i & 1 == 1)),
            Err(i) => self.out.extend((0..w).map(|k| i >> k.min(127) & 1 == 1)),
        }
        Ok(())
    }

    fn signed(self, v: i128) -> Result<(), Mismatch> {
        self.int(if v < 0 { Err(v) } else { Ok(v as u128) })
    }

    /// The enum variant `vname` of the type: its tag and payload.
    fn variant(&self, vname: &str) -> Result<(usize, &'a VariantFields), Mismatch> {
        let ty: &'a Type = self.ty;
        let Type::Enum { name, variants } = ty else {
            return Err(self.mismatch(&format!("variant `{vname}`")));
        };
        if self.top != Top::Value {
            return Err(self.mismatch(&format!("variant `{vname}`")));
        }
        match variants.iter().position(|v| v.name == vname) {
            Some(tag) => Ok((tag, &variants[tag].fields)),
            None => {
                let names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
                Err(Mismatch::new(format!(
                    "`{name}` has no variant `{vname}` (it has {})",
                    names.join(", ")
                )))
            }
        }
    }

    fn write_tag(&mut self, tag: usize) {
        if let Type::Enum { variants, .. } = self.ty {
            let tb = tag_bits(variants.len());
            self.out.extend((0..tb).map(|i| tag >> i & 1 == 1));
        }
    }

    /// A variant with one value: the single field of a tuple variant, or
    /// all fields of a variant (as a tuple or struct).
    fn one_value_variant<T: Serialize + ?Sized>(
        mut self,
        vname: &str,
        value: &T,
    ) -> Result<(), Mismatch> {
        let (tag, fields) = self.variant(vname)?;
        let start = self.out.len();
        let width = self.ty.width();
        self.write_tag(tag);
        let err = |e: Mismatch| e.at(Seg::Variant(vname.to_string()));
        match fields {
            VariantFields::Unit => {
                return Err(err(Mismatch::new(
                    "the variant has no fields, found a value",
                )))
            }
            VariantFields::Tuple(ts) if ts.len() == 1 => value
                .serialize(Ser::new(&ts[0], self.out))
                .map_err(|e| err(e.at(Seg::Pos(0))))?,
            VariantFields::Tuple(ts) => value
                .serialize(Ser::new(&Type::Tuple(ts.clone()), self.out))
                .map_err(err)?,
            VariantFields::Named(fs) => {
                let ty = Type::Struct {
                    name: vname.to_string(),
                    fields: fs.clone(),
                };
                value.serialize(Ser::new(&ty, self.out)).map_err(err)?
            }
        }
        self.out.resize(start + width, false);
        Ok(())
    }

    fn seq(self, len: Option<usize>) -> Result<SeqSer<'a>, Mismatch> {
        let start = self.out.len();
        let (elems, expected) = match (self.ty, self.top) {
            (Type::Array(t, n), Top::Value) => (Elems::Same(t), *n as usize),
            (Type::Tuple(ts), Top::Value) => (Elems::Each(ts), ts.len()),
            (Type::Struct { fields, .. }, Top::Params) => (Elems::Fields(fields), fields.len()),
            _ => return Err(self.mismatch("a sequence")),
        };
        if let Some(found) = len.filter(|&l| l != expected) {
            return Err(Mismatch::new(format!(
                "expected {expected} elements, found {found}"
            )));
        }
        Ok(SeqSer {
            elems,
            expected,
            count: 0,
            width: self.ty.width(),
            out: self.out,
            start,
            variant: None,
        })
    }
}

/// The element types of a sequence being written or read.
#[derive(Clone, Copy)]
enum Elems<'a> {
    /// An array's.
    Same(&'a Type),
    /// A tuple's.
    Each(&'a [Type]),
    /// The parameters, in order.
    Fields(&'a [(String, Type)]),
}

impl<'a> Elems<'a> {
    fn get(self, i: usize) -> Option<&'a Type> {
        match self {
            Elems::Same(t) => Some(t),
            Elems::Each(ts) => ts.get(i),
            Elems::Fields(fs) => fs.get(i).map(|(_, t)| t),
        }
    }

    fn seg(self, i: usize) -> Seg {
        match self {
            Elems::Same(_) => Seg::Elem(i),
            Elems::Each(_) | Elems::Fields(_) => Seg::Pos(i),
        }
    }
}

/// Writes an array, a tuple, a tuple variant or positional parameters.
struct SeqSer<'a> {
    elems: Elems<'a>,
    expected: usize,
    count: usize,
    out: &'a mut Vec<bool>,
    start: usize,
    /// Bits from `start` when done (enum values are padded).
    width: usize,
    /// The variant being written, for error paths.
    variant: Option<String>,
}

impl SeqSer<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Mismatch> {
        let i = self.count;
        self.count += 1;
        if i >= self.expected {
            // Counted only, for the error of `finish`.
            return Ok(());
        }
        let Some(t) = self.elems.get(i) else {
            return Ok(());
        };
        let seg = self.elems.seg(i);
        value
            .serialize(Ser::new(t, self.out))
            .map_err(|e| self.in_variant(e.at(seg)))
    }

    fn in_variant(&self, e: Mismatch) -> Mismatch {
        match &self.variant {
            Some(v) => e.at(Seg::Variant(v.clone())),
            None => e,
        }
    }

    fn finish(self) -> Result<(), Mismatch> {
        if self.count != self.expected {
            let e = Mismatch::new(format!(
                "expected {} elements, found {}",
                self.expected, self.count
            ));
            return Err(self.in_variant(e));
        }
        self.out.resize(self.start + self.width, false);
        Ok(())
    }
}

/// What a struct being written is.
enum Owner {
    Struct(String),
    Variant(String),
    Params,
}

/// Writes a struct, a struct variant or parameters by name.
struct FieldsSer<'a> {
    fields: &'a [(String, Type)],
    parts: Vec<Option<Vec<bool>>>,
    out: &'a mut Vec<bool>,
    start: usize,
    width: usize,
    owner: Owner,
}

impl FieldsSer<'_> {
    fn in_variant(&self, e: Mismatch) -> Mismatch {
        match &self.owner {
            Owner::Variant(v) => e.at(Seg::Variant(v.clone())),
            _ => e,
        }
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Mismatch> {
        let Some(idx) = self.fields.iter().position(|(n, _)| n == key) else {
            let names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
            let e = match &self.owner {
                Owner::Struct(s) | Owner::Variant(s) => Mismatch::new(format!(
                    "`{s}` has no field `{key}` (it has {})",
                    names.join(", ")
                )),
                Owner::Params => {
                    let mut e = Mismatch::new(format!(
                        "there is no parameter `{key}` (the parameters are {})",
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ));
                    e.fallback = true;
                    e
                }
            };
            return Err(self.in_variant(e));
        };
        let mut bits = Vec::new();
        value
            .serialize(Ser::new(&self.fields[idx].1, &mut bits))
            .map_err(|e| self.in_variant(e.at(Seg::Field(key.to_string()))))?;
        if self.parts[idx].replace(bits).is_some() {
            return Err(self.in_variant(Mismatch::new(format!("field `{key}` given twice"))));
        }
        Ok(())
    }

    fn finish(self) -> Result<(), Mismatch> {
        for ((name, _), part) in self.fields.iter().zip(&self.parts) {
            let Some(bits) = part else {
                let e = match self.owner {
                    Owner::Params => Mismatch::new(format!("missing parameter `{name}`")),
                    _ => Mismatch::new(format!("missing field `{name}`")),
                };
                return Err(self.in_variant(e));
            };
            self.out.extend_from_slice(bits);
        }
        self.out.resize(self.start + self.width, false);
        Ok(())
    }
}

macro_rules! ser_signed {
    ($($f:ident: $t:ty),*) => {$(
        fn $f(self, v: $t) -> Result<(), Mismatch> {
            self.signed(i128::from(v))
        }
    )*};
}

macro_rules! ser_unsigned {
    ($($f:ident: $t:ty),*) => {$(
        fn $f(self, v: $t) -> Result<(), Mismatch> {
            self.int(Ok(u128::from(v)))
        }
    )*};
}

impl<'a> ser::Serializer for Ser<'a> {
    type Ok = ();
    type Error = Mismatch;
    type SerializeSeq = SeqSer<'a>;
    type SerializeTuple = SeqSer<'a>;
    type SerializeTupleStruct = SeqSer<'a>;
    type SerializeTupleVariant = SeqSer<'a>;
    type SerializeMap = ser::Impossible<(), Mismatch>;
    type SerializeStruct = FieldsSer<'a>;
    type SerializeStructVariant = FieldsSer<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Mismatch> {
        if *self.ty != Type::Bool || self.top != Top::Value {
            return Err(self.mismatch("a bool"));
        }
        self.out.push(v);
        Ok(())
    }

    ser_signed!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64, serialize_i128: i128);
    ser_unsigned!(serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_u128: u128);

    fn serialize_f32(self, _: f32) -> Result<(), Mismatch> {
        Err(self.mismatch("a float"))
    }

    fn serialize_f64(self, _: f64) -> Result<(), Mismatch> {
        Err(self.mismatch("a float"))
    }

    fn serialize_char(self, _: char) -> Result<(), Mismatch> {
        Err(self.mismatch("a char"))
    }

    /// Integer text (a [`BigInt`]), for integer types.
    fn serialize_str(self, v: &str) -> Result<(), Mismatch> {
        let Some((w, signed)) = int_type(self.ty).filter(|_| self.top == Top::Value) else {
            return Err(self.mismatch("a string"));
        };
        let Some(wide) = BigInt::wide_bits(v) else {
            return Err(Mismatch::new(format!(
                "expected {}, found a string that is {ParseBigIntError}",
                short(self.ty)
            )));
        };
        let w = w as usize;
        let negative = wide[wide.len() - 1];
        // Sign-extended past its own width: a Bristol value may be wider
        // than the widest integer the text holds.
        let bit = |i: usize| wide.get(i).copied().unwrap_or(negative);
        let fits = if signed {
            (w - 1..wide.len().max(w)).all(|i| bit(i) == negative)
        } else {
            !negative && (w..wide.len().max(w)).all(|i| !bit(i))
        };
        if !fits {
            let what = if negative && !signed {
                "a negative value does not fit"
            } else {
                "the value does not fit"
            };
            return Err(Mismatch::new(format!(
                "{what} {} ({})",
                short(self.ty),
                range(w as u32, signed)
            )));
        }
        self.out.extend((0..w).map(bit));
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Mismatch> {
        let mut seq = self.seq(Some(v.len()))?;
        for b in v {
            seq.element(b)?;
        }
        seq.finish()
    }

    fn serialize_none(self) -> Result<(), Mismatch> {
        self.serialize_unit_variant("Option", 0, "None")
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Mismatch> {
        self.one_value_variant("Some", value)
    }

    fn serialize_unit(self) -> Result<(), Mismatch> {
        match self.ty {
            Type::Tuple(ts) if ts.is_empty() && self.top == Top::Value => Ok(()),
            Type::Struct { fields, .. } if fields.is_empty() && self.top != Top::Value => Ok(()),
            _ => Err(self.mismatch("()")),
        }
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Mismatch> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<(), Mismatch> {
        let (tag, fields) = self.variant(variant)?;
        if *fields != VariantFields::Unit {
            return Err(Mismatch::new("the variant has fields, found none")
                .at(Seg::Variant(variant.into())));
        }
        let start = self.out.len();
        let width = self.ty.width();
        self.write_tag(tag);
        self.out.resize(start + width, false);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Mismatch> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Mismatch> {
        self.one_value_variant(variant, value)
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSer<'a>, Mismatch> {
        if self.top == Top::OneParam {
            return Err(self.mismatch("a sequence"));
        }
        self.seq(len)
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'a>, Mismatch> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<SeqSer<'a>, Mismatch> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqSer<'a>, Mismatch> {
        let (tag, fields) = self.variant(variant)?;
        let VariantFields::Tuple(ts) = fields else {
            return Err(
                Mismatch::new("the variant has no tuple fields, found a tuple variant")
                    .at(Seg::Variant(variant.into())),
            );
        };
        if ts.len() != len {
            return Err(
                Mismatch::new(format!("expected {} fields, found {len}", ts.len()))
                    .at(Seg::Variant(variant.into())),
            );
        }
        let start = self.out.len();
        let width = self.ty.width();
        self.write_tag(tag);
        Ok(SeqSer {
            elems: Elems::Each(ts),
            expected: ts.len(),
            count: 0,
            out: self.out,
            start,
            width,
            variant: Some(variant.into()),
        })
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Mismatch> {
        Err(self.mismatch("a map (use a struct)"))
    }

    fn serialize_struct(self, name: &'static str, _: usize) -> Result<FieldsSer<'a>, Mismatch> {
        let Type::Struct { fields, .. } = self.ty else {
            return Err(self.mismatch(&format!("struct `{name}`")));
        };
        let owner = match self.top {
            Top::Value => Owner::Struct(name.into()),
            Top::Params | Top::OneParam => Owner::Params,
        };
        Ok(FieldsSer {
            fields,
            parts: vec![None; fields.len()],
            start: self.out.len(),
            width: self.ty.width(),
            out: self.out,
            owner,
        })
    }

    fn serialize_struct_variant(
        mut self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<FieldsSer<'a>, Mismatch> {
        let (tag, fields) = self.variant(variant)?;
        let VariantFields::Named(fs) = fields else {
            return Err(
                Mismatch::new("the variant has no named fields, found a struct variant")
                    .at(Seg::Variant(variant.into())),
            );
        };
        let start = self.out.len();
        let width = self.ty.width();
        self.write_tag(tag);
        Ok(FieldsSer {
            fields: fs,
            parts: vec![None; fs.len()],
            out: self.out,
            start,
            width,
            owner: Owner::Variant(variant.into()),
        })
    }
}

macro_rules! seq_impl {
    ($($tr:ident :: $f:ident),*) => {$(
        impl ser::$tr for SeqSer<'_> {
            type Ok = ();
            type Error = Mismatch;
            fn $f<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Mismatch> {
                self.element(value)
            }
            fn end(self) -> Result<(), Mismatch> {
                self.finish()
            }
        }
    )*};
}
seq_impl!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

macro_rules! fields_impl {
    ($($tr:ident),*) => {$(
        impl ser::$tr for FieldsSer<'_> {
            type Ok = ();
            type Error = Mismatch;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Mismatch> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Mismatch> {
                self.finish()
            }
        }
    )*};
}
fields_impl!(SerializeStruct, SerializeStructVariant);

/// Reads one value of type `ty` from exactly its bits.
struct De<'a> {
    ty: &'a Type,
    bits: &'a [bool],
}

/// Bits (least significant first, at most 128) as an unsigned number.
fn to_u128(bits: &[bool]) -> u128 {
    bits.iter()
        .take(128)
        .enumerate()
        .fold(0, |acc, (i, &b)| acc | u128::from(b) << i)
}

/// Two's complement bits (at most 128, sign-extended) as a signed number.
fn to_i128(bits: &[bool]) -> i128 {
    let mut v = to_u128(bits) as i128;
    let n = bits.len().min(128);
    if n < 128 && bits.last() == Some(&true) {
        v |= -1i128 << n;
    }
    v
}

impl De<'_> {
    fn tuple_len(&self, len: usize) -> Result<(), Mismatch> {
        let found = match self.ty {
            Type::Array(_, n) => *n as usize,
            Type::Tuple(ts) => ts.len(),
            _ => return Ok(()),
        };
        if found != len {
            return Err(Mismatch::new(format!(
                "{} has {found} elements, the Rust type {len}",
                short(self.ty)
            )));
        }
        Ok(())
    }
}

/// Every field of the language struct (or variant) has a place in the Rust one.
fn check_fields(
    owner: &str,
    fields: &[(String, Type)],
    rust: &'static [&'static str],
) -> Result<(), Mismatch> {
    match fields.iter().find(|(f, _)| !rust.contains(&f.as_str())) {
        Some((f, _)) => Err(Mismatch::new(format!(
            "field `{f}` of `{owner}` has no place in the Rust type (it has {})",
            rust.join(", ")
        ))),
        None => Ok(()),
    }
}

impl<'de> de::Deserializer<'de> for De<'_> {
    type Error = Mismatch;

    fn deserialize_any<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        match self.ty {
            Type::Bool => v.visit_bool(self.bits[0]),
            Type::Unsigned(w) | Type::Bits(w) => {
                if *w <= 64 {
                    v.visit_u64(to_u128(self.bits) as u64)
                } else if self.bits.iter().skip(128).all(|&b| !b) {
                    v.visit_u128(to_u128(self.bits))
                } else {
                    v.visit_string(value::format(&Type::Unsigned(*w), self.bits))
                }
            }
            Type::Signed(w) => {
                let sign = self.bits.last().copied().unwrap_or(false);
                if *w <= 64 {
                    v.visit_i64(to_i128(self.bits) as i64)
                } else if self.bits.iter().skip(127).all(|&b| b == sign) {
                    v.visit_i128(to_i128(self.bits))
                } else {
                    v.visit_string(value::format(self.ty, self.bits))
                }
            }
            Type::Array(t, n) => v.visit_seq(SeqDe {
                elems: Elems::Same(t),
                len: *n as usize,
                i: 0,
                bits: self.bits,
            }),
            Type::Tuple(ts) if ts.is_empty() => v.visit_unit(),
            Type::Tuple(ts) => v.visit_seq(SeqDe {
                elems: Elems::Each(ts),
                len: ts.len(),
                i: 0,
                bits: self.bits,
            }),
            Type::Struct { fields, .. } => v.visit_map(MapDe {
                fields,
                i: 0,
                bits: self.bits,
            }),
            Type::Enum { .. } => v.visit_enum(self),
        }
    }

    fn deserialize_str<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        match self.ty {
            Type::Unsigned(w) | Type::Bits(w) => {
                v.visit_string(value::format(&Type::Unsigned(*w), self.bits))
            }
            Type::Signed(_) => v.visit_string(value::format(self.ty, self.bits)),
            _ => self.deserialize_any(v),
        }
    }

    fn deserialize_string<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        self.deserialize_str(v)
    }

    fn deserialize_option<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        if let Type::Enum { variants, .. } = self.ty {
            let has = |n: &str| variants.iter().any(|x| x.name == n);
            if has("None") && has("Some") {
                let tb = tag_bits(variants.len());
                let tag = to_u128(&self.bits[..tb]) as usize;
                return match variants.get(tag).map(|x| (x.name.as_str(), &x.fields)) {
                    Some(("None", VariantFields::Unit)) => v.visit_none(),
                    Some(("Some", VariantFields::Tuple(ts))) if ts.len() == 1 => {
                        let w = ts[0].width();
                        v.visit_some(De {
                            ty: &ts[0],
                            bits: &self.bits[tb..tb + w],
                        })
                        .map_err(|e| e.at(Seg::Variant("Some".into())))
                    }
                    _ => Err(Mismatch::new(format!(
                        "{} does not read as an Option",
                        short(self.ty)
                    ))),
                };
            }
        }
        Err(Mismatch::new(format!(
            "expected an Option, found {}",
            short(self.ty)
        )))
    }

    fn deserialize_unit<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        self.deserialize_any(v)
    }

    fn deserialize_unit_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Mismatch> {
        self.deserialize_any(v)
    }

    fn deserialize_newtype_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, Mismatch> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_tuple<V: de::Visitor<'de>>(
        self,
        len: usize,
        v: V,
    ) -> Result<V::Value, Mismatch> {
        self.tuple_len(len)?;
        self.deserialize_any(v)
    }

    fn deserialize_tuple_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, Mismatch> {
        self.tuple_len(len)?;
        self.deserialize_any(v)
    }

    fn deserialize_struct<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        rust: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Mismatch> {
        if let Type::Struct { name, fields } = self.ty {
            check_fields(name, fields, rust)?;
        }
        self.deserialize_any(v)
    }

    fn deserialize_enum<V: de::Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Mismatch> {
        match self.ty {
            Type::Enum { .. } => v.visit_enum(self),
            _ => Err(Mismatch::new(format!(
                "expected an enum, found {}",
                short(self.ty)
            ))),
        }
    }

    fn deserialize_ignored_any<V: de::Visitor<'de>>(self, v: V) -> Result<V::Value, Mismatch> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        seq map identifier
    }
}

/// Reads the elements of an array or a tuple.
struct SeqDe<'a> {
    elems: Elems<'a>,
    len: usize,
    i: usize,
    bits: &'a [bool],
}

impl<'de> de::SeqAccess<'de> for SeqDe<'_> {
    type Error = Mismatch;

    fn next_element_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Mismatch> {
        if self.i >= self.len {
            return Ok(None);
        }
        let Some(ty) = self.elems.get(self.i) else {
            return Ok(None);
        };
        let (here, rest) = self.bits.split_at(ty.width());
        self.bits = rest;
        let seg = self.elems.seg(self.i);
        self.i += 1;
        seed.deserialize(De { ty, bits: here })
            .map(Some)
            .map_err(|e| e.at(seg))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len - self.i)
    }
}

/// Reads the fields of a struct or a struct variant, by name.
struct MapDe<'a> {
    fields: &'a [(String, Type)],
    i: usize,
    bits: &'a [bool],
}

impl<'de> de::MapAccess<'de> for MapDe<'_> {
    type Error = Mismatch;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Mismatch> {
        match self.fields.get(self.i) {
            Some((name, _)) => seed
                .deserialize(name.as_str().into_deserializer())
                .map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<T: de::DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<T::Value, Mismatch> {
        let Some((name, ty)) = self.fields.get(self.i) else {
            return Err(Mismatch::new("no field left to read"));
        };
        self.i += 1;
        let (here, rest) = self.bits.split_at(ty.width());
        self.bits = rest;
        seed.deserialize(De { ty, bits: here })
            .map_err(|e| e.at(Seg::Field(name.clone())))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.fields.len() - self.i)
    }
}

impl<'de, 'a> de::EnumAccess<'de> for De<'a> {
    type Error = Mismatch;
    type Variant = VariantDe<'a>;

    fn variant_seed<V: de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, VariantDe<'a>), Mismatch> {
        let Type::Enum { name, variants } = self.ty else {
            return Err(Mismatch::new(format!(
                "expected an enum, found {}",
                short(self.ty)
            )));
        };
        let tb = tag_bits(variants.len());
        let tag = to_u128(&self.bits[..tb]) as usize;
        let Some(var) = variants.get(tag) else {
            return Err(Mismatch::new(format!(
                "invalid tag {tag} for enum `{name}`"
            )));
        };
        let v = seed.deserialize(var.name.as_str().into_deserializer())?;
        Ok((
            v,
            VariantDe {
                name: &var.name,
                fields: &var.fields,
                bits: &self.bits[tb..],
            },
        ))
    }
}

/// Reads the payload of one enum variant.
struct VariantDe<'a> {
    name: &'a str,
    fields: &'a VariantFields,
    /// The payload and its padding.
    bits: &'a [bool],
}

impl VariantDe<'_> {
    fn wrong(&self, rust: &str) -> Mismatch {
        let has = match self.fields {
            VariantFields::Unit => "no fields",
            VariantFields::Tuple(_) => "tuple fields",
            VariantFields::Named(_) => "named fields",
        };
        Mismatch::new(format!("the variant has {has}, the Rust variant {rust}"))
            .at(Seg::Variant(self.name.to_string()))
    }
}

impl<'de> de::VariantAccess<'de> for VariantDe<'_> {
    type Error = Mismatch;

    fn unit_variant(self) -> Result<(), Mismatch> {
        match self.fields {
            VariantFields::Unit => Ok(()),
            _ => Err(self.wrong("none")),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, Mismatch> {
        let at = |e: Mismatch| e.at(Seg::Variant(self.name.to_string()));
        match self.fields {
            VariantFields::Unit => Err(self.wrong("one")),
            VariantFields::Tuple(ts) if ts.len() == 1 => seed
                .deserialize(De {
                    ty: &ts[0],
                    bits: &self.bits[..ts[0].width()],
                })
                .map_err(|e| at(e.at(Seg::Pos(0)))),
            VariantFields::Tuple(ts) => {
                let ty = Type::Tuple(ts.clone());
                seed.deserialize(De {
                    bits: &self.bits[..ty.width()],
                    ty: &ty,
                })
                .map_err(at)
            }
            VariantFields::Named(fs) => {
                let ty = Type::Struct {
                    name: self.name.to_string(),
                    fields: fs.clone(),
                };
                seed.deserialize(De {
                    bits: &self.bits[..ty.width()],
                    ty: &ty,
                })
                .map_err(at)
            }
        }
    }

    fn tuple_variant<V: de::Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, Mismatch> {
        let VariantFields::Tuple(ts) = self.fields else {
            return Err(self.wrong("tuple fields"));
        };
        if ts.len() != len {
            return Err(Mismatch::new(format!(
                "the variant has {} fields, the Rust one {len}",
                ts.len()
            ))
            .at(Seg::Variant(self.name.to_string())));
        }
        v.visit_seq(SeqDe {
            elems: Elems::Each(ts),
            len,
            i: 0,
            bits: self.bits,
        })
        .map_err(|e| e.at(Seg::Variant(self.name.to_string())))
    }

    fn struct_variant<V: de::Visitor<'de>>(
        self,
        rust: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Mismatch> {
        let VariantFields::Named(fs) = self.fields else {
            return Err(self.wrong("named fields"));
        };
        let at = |e: Mismatch| e.at(Seg::Variant(self.name.to_string()));
        check_fields(self.name, fs, rust).map_err(at)?;
        v.visit_map(MapDe {
            fields: fs,
            i: 0,
            bits: self.bits,
        })
        .map_err(at)
    }
}
