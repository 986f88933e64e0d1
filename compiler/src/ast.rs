//! The syntax tree of a `.mpc` program, every node with its source span.

/// A byte range of the source, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub(crate) fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A name with where it was written.
#[derive(Clone, Debug)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole program: its items in source order.
#[derive(Debug, Default)]
pub struct Program {
    pub consts: Vec<ConstItem>,
    pub structs: Vec<StructItem>,
    pub enums: Vec<EnumItem>,
    pub fns: Vec<FnItem>,
}

/// `enum Name { Variant, Variant(T, ...), Variant { f: T, ... } }`.
#[derive(Debug)]
pub struct EnumItem {
    pub name: Ident,
    pub variants: Vec<VariantItem>,
}

#[derive(Debug)]
pub struct VariantItem {
    pub name: Ident,
    pub fields: VariantFieldsAst,
}

/// The payload of a variant as declared.
#[derive(Debug)]
pub enum VariantFieldsAst {
    Unit,
    Tuple(Vec<TypeExpr>),
    Named(Vec<(Ident, TypeExpr)>),
}

/// The payload of a variant in an expression: `V`, `V(e, ...)`, `V { f: e }`.
#[derive(Debug)]
pub enum PayloadExpr {
    Unit,
    Tuple(Vec<Expr>),
    Named(Vec<(Ident, Expr)>),
}

/// A `match` arm.
#[derive(Debug)]
pub struct Arm {
    pub pat: Pattern,
    pub body: Expr,
}

#[derive(Debug)]
pub struct Pattern {
    pub kind: PatKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum PatKind {
    /// `_`.
    Wild,
    /// A name: binds the value (or, for `None`, the prelude's variant).
    Bind(String),
    /// An integer `n` or an inclusive range `lo..=hi` (texts with sign).
    Int {
        lo: String,
        hi: Option<String>,
    },
    Bool(bool),
    Tuple(Vec<Pattern>),
    /// `Name::V`, `Name::V(p, ...)`, `Name::V { f: p, ... }`, `Some(p)`.
    Variant {
        path: Option<Ident>,
        name: Ident,
        fields: PatFields,
    },
}

#[derive(Debug)]
pub enum PatFields {
    Unit,
    Tuple(Vec<Pattern>),
    Named(Vec<(Ident, Pattern)>),
}

#[derive(Debug)]
pub struct ConstItem {
    pub name: Ident,
    pub ty: TypeExpr,
    pub value: Expr,
}

#[derive(Debug)]
pub struct StructItem {
    pub name: Ident,
    pub fields: Vec<(Ident, TypeExpr)>,
}

#[derive(Debug)]
pub struct FnItem {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    /// Who learns the result, as the return type says.
    pub ret_parties: RetParties,
    pub body: Block,
}

/// The parties written in a return type.
#[derive(Debug, Default)]
pub enum RetParties {
    /// No party written: both learn the whole result.
    #[default]
    Both,
    /// `-> evaluator T`.
    Whole(Ident),
    /// `-> (T, evaluator U, ...)`: a party (or none) per tuple element.
    Elems(Vec<Option<Ident>>),
}

#[derive(Debug)]
pub struct Param {
    /// The party keyword written before the name, if any.
    pub party: Option<Ident>,
    /// `mut x: T`: the body may assign to it.
    pub mutable: bool,
    pub name: Ident,
    pub ty: TypeExpr,
}

/// A type as written.
#[derive(Debug)]
pub enum TypeExpr {
    /// `bool`, `u8`, `i13`, or a struct name.
    Named(Ident),
    /// `[T; N]`.
    Array(Box<TypeExpr>, Box<Expr>, Span),
    /// `(T, U)`; `()` is the unit type.
    Tuple(Vec<TypeExpr>, Span),
    /// `Option<T>`: a name with type arguments.
    Generic(Ident, Vec<TypeExpr>, Span),
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Named(i) => i.span,
            TypeExpr::Array(_, _, s) | TypeExpr::Tuple(_, s) | TypeExpr::Generic(_, _, s) => *s,
        }
    }
}

#[derive(Debug)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub tail: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Debug)]
pub enum Stmt {
    Let {
        mutable: bool,
        name: Ident,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    Assign {
        place: Place,
        op: Option<BinOp>,
        value: Expr,
        span: Span,
    },
    For {
        var: Ident,
        start: Expr,
        end: Expr,
        inclusive: bool,
        body: Block,
    },
    /// `for x in arr { ... }`.
    ForEach {
        var: Ident,
        array: Expr,
        body: Block,
    },
    Expr {
        expr: Expr,
        semi: bool,
    },
}

/// The target of an assignment: a variable and a path into it.
#[derive(Debug)]
pub struct Place {
    pub var: Ident,
    pub path: Vec<PlaceStep>,
}

#[derive(Debug)]
pub enum PlaceStep {
    Field(Ident),
    Index(Expr),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    And,
    Or,
    Xor,
    Shl,
    Shr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LogicAnd,
    LogicOr,
}

impl BinOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::And => "&",
            BinOp::Or => "|",
            BinOp::Xor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::LogicAnd => "&&",
            BinOp::LogicOr => "||",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug)]
pub enum ExprKind {
    /// An integer literal, as written (digits, maybe `0x`/`0b`, underscores removed).
    Int(String),
    Bool(bool),
    Var(String),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Cast(Box<Expr>, TypeExpr),
    Method(Box<Expr>, Ident, Vec<Expr>),
    Field(Box<Expr>, Ident),
    Index(Box<Expr>, Box<Expr>),
    Call(Ident, Vec<Expr>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    Repeat(Box<Expr>, Box<Expr>),
    Struct(Ident, Vec<(Ident, Expr)>),
    If(Box<Expr>, Block, Option<Box<Expr>>),
    /// `Name::Variant ...`: the enum's name, the variant, the payload.
    Variant(Ident, Ident, PayloadExpr),
    Match(Box<Expr>, Vec<Arm>),
    Block(Block),
}
