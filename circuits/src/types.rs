//! Types of input and output values, and how their bits are laid out.
//!
//! Layout (shared by the compiler, the tools and the binaries): integers are
//! `width` bits, least significant first; `bool` is one bit; arrays, tuples and
//! structs are their elements' bits concatenated in order.

use std::fmt;

/// The type of an input or output value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`: one bit.
    Bool,
    /// `uN`, 1 <= N <= 1024.
    Unsigned(u32),
    /// `iN`, two's complement, 1 <= N <= 1024.
    Signed(u32),
    /// `[T; N]`.
    Array(Box<Type>, u32),
    /// `(T, U, ...)`.
    Tuple(Vec<Type>),
    /// A struct: its name and its fields in declaration order.
    Struct {
        /// Struct name.
        name: String,
        /// Fields, in declaration order.
        fields: Vec<(String, Type)>,
    },
    /// A raw Bristol Fashion value of N bits: read as a decimal or `0x` integer,
    /// printed as zero-padded lowercase hex.
    Bits(u32),
}

/// Widest integer type of the language.
pub const MAX_INT_WIDTH: u32 = 1024;

impl Type {
    /// Number of bits in the layout of a value of this type.
    pub fn width(&self) -> usize {
        match self {
            Type::Bool => 1,
            Type::Unsigned(n) | Type::Signed(n) | Type::Bits(n) => *n as usize,
            Type::Array(t, n) => t.width().saturating_mul(*n as usize),
            Type::Tuple(ts) => ts
                .iter()
                .map(Type::width)
                .fold(0usize, usize::saturating_add),
            Type::Struct { fields, .. } => fields
                .iter()
                .map(|(_, t)| t.width())
                .fold(0usize, usize::saturating_add),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Bool => f.write_str("bool"),
            Type::Unsigned(n) => write!(f, "u{n}"),
            Type::Signed(n) => write!(f, "i{n}"),
            Type::Bits(n) => write!(f, "{n}-bit value"),
            Type::Array(t, n) => write!(f, "[{t}; {n}]"),
            Type::Tuple(ts) => {
                f.write_str("(")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{t}")?;
                }
                if ts.len() == 1 {
                    f.write_str(",")?;
                }
                f.write_str(")")
            }
            Type::Struct { name, fields } => {
                write!(f, "{name} {{ ")?;
                for (i, (n, t)) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{n}: {t}")?;
                }
                f.write_str(" }")
            }
        }
    }
}
