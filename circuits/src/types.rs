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
    /// An enum (a sum type): a tag of [`tag_bits`] bits (the variant's
    /// index, least significant bit first), then the variant's fields
    /// concatenated in order, padded with zeros to the largest variant's
    /// payload. The prelude's `Option<T>` is the enum named `Option` with
    /// variants `None` and `Some(T)`, written without the `Option::` path.
    Enum {
        /// Enum name (`Option` for the prelude's).
        name: String,
        /// Variants in declaration order; a variant's index is its tag.
        variants: Vec<Variant>,
    },
}

/// One variant of an enum type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Variant name.
    pub name: String,
    /// Its payload.
    pub fields: VariantFields,
}

/// The payload of an enum variant.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum VariantFields {
    /// `Variant`: no payload.
    Unit,
    /// `Variant(T, U)`.
    Tuple(Vec<Type>),
    /// `Variant { f: T, g: U }`.
    Named(Vec<(String, Type)>),
}

impl VariantFields {
    /// The payload's field types, in layout order.
    pub fn types(&self) -> Vec<&Type> {
        match self {
            VariantFields::Unit => Vec::new(),
            VariantFields::Tuple(ts) => ts.iter().collect(),
            VariantFields::Named(fs) => fs.iter().map(|(_, t)| t).collect(),
        }
    }

    /// Bits of the payload.
    pub fn width(&self) -> usize {
        self.types()
            .iter()
            .map(|t| t.width())
            .fold(0usize, usize::saturating_add)
    }
}

/// Bits of the tag of an enum with `variants` variants: ceil(log2(variants)).
pub fn tag_bits(variants: usize) -> usize {
    if variants <= 1 {
        0
    } else {
        (usize::BITS - (variants - 1).leading_zeros()) as usize
    }
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
            Type::Enum { variants, .. } => variants
                .iter()
                .map(|v| v.fields.width())
                .max()
                .unwrap_or(0)
                .saturating_add(tag_bits(variants.len())),
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
            Type::Enum { name, variants } => {
                let some = variants.iter().find(|v| v.name == "Some");
                if let ("Option", Some(ts)) = (name.as_str(), some.map(|v| v.fields.types())) {
                    if ts.len() == 1 {
                        return write!(f, "Option<{}>", ts[0]);
                    }
                }
                // The whole shape, as for a struct: the type says how its
                // bits read (and a circuit's digest hashes this text).
                write!(f, "enum {name} {{ ")?;
                for (i, v) in variants.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&v.name)?;
                    match &v.fields {
                        VariantFields::Unit => {}
                        VariantFields::Tuple(ts) => {
                            f.write_str("(")?;
                            for (k, t) in ts.iter().enumerate() {
                                if k > 0 {
                                    f.write_str(", ")?;
                                }
                                write!(f, "{t}")?;
                            }
                            f.write_str(")")?;
                        }
                        VariantFields::Named(fs) => {
                            f.write_str(" { ")?;
                            for (k, (n, t)) in fs.iter().enumerate() {
                                if k > 0 {
                                    f.write_str(", ")?;
                                }
                                write!(f, "{n}: {t}")?;
                            }
                            f.write_str(" }")?;
                        }
                    }
                }
                f.write_str(" }")
            }
        }
    }
}
