//! Source text to syntax tree: the pest grammar (`grammar.pest`) and a Pratt
//! parser for operator precedence (Rust's order).

use crate::ast::*;
use crate::error::CompileError;
use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser as _;
use std::sync::OnceLock;

#[derive(pest_derive::Parser)]
#[grammar = "grammar.pest"]
struct MpcParser;

/// Deepest nesting of brackets and longest run of prefix operators accepted:
/// deeper input would only exhaust the stack of a recursive parser.
const MAX_NESTING: usize = 200;

fn pratt() -> &'static PrattParser<Rule> {
    static P: OnceLock<PrattParser<Rule>> = OnceLock::new();
    P.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::or_op, Assoc::Left))
            .op(Op::infix(Rule::and_op, Assoc::Left))
            .op(Op::infix(Rule::eq_op, Assoc::Left)
                | Op::infix(Rule::ne_op, Assoc::Left)
                | Op::infix(Rule::lt_op, Assoc::Left)
                | Op::infix(Rule::gt_op, Assoc::Left)
                | Op::infix(Rule::le_op, Assoc::Left)
                | Op::infix(Rule::ge_op, Assoc::Left))
            .op(Op::infix(Rule::bitor_op, Assoc::Left))
            .op(Op::infix(Rule::bitxor_op, Assoc::Left))
            .op(Op::infix(Rule::bitand_op, Assoc::Left))
            .op(Op::infix(Rule::shl_op, Assoc::Left) | Op::infix(Rule::shr_op, Assoc::Left))
            .op(Op::infix(Rule::add_op, Assoc::Left) | Op::infix(Rule::sub_op, Assoc::Left))
            .op(Op::infix(Rule::mul_op, Assoc::Left)
                | Op::infix(Rule::div_op, Assoc::Left)
                | Op::infix(Rule::rem_op, Assoc::Left))
            .op(Op::postfix(Rule::cast))
            .op(Op::prefix(Rule::neg) | Op::prefix(Rule::not))
            .op(Op::postfix(Rule::method_call)
                | Op::postfix(Rule::field_access)
                | Op::postfix(Rule::index))
    })
}

/// Rejects input nested deeper than [`MAX_NESTING`] before the recursive parser sees it.
fn check_nesting(src: &str) -> Result<(), CompileError> {
    let mut depth = 0usize;
    let mut run = 0usize;
    for (i, c) in src.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        match c {
            '!' | '-' => run += 1,
            c if c.is_whitespace() => {}
            _ => run = 0,
        }
        if depth > MAX_NESTING || run > MAX_NESTING {
            return Err(CompileError::new(
                Span::new(i, i + c.len_utf8()),
                format!("nesting deeper than {MAX_NESTING} levels is not supported"),
            ));
        }
    }
    Ok(())
}

/// Errors found while building the syntax tree from a successful parse.
pub(crate) struct Cx {
    errors: std::cell::RefCell<Vec<CompileError>>,
}

impl Cx {
    fn push(&self, e: CompileError) {
        self.errors.borrow_mut().push(e);
    }
}

/// `src` with every comment replaced by spaces (line breaks kept), so byte
/// offsets and line numbers are unchanged. `/* */` comments nest, as in Rust;
/// an unclosed one is an error at its opening.
fn blank_comments(src: &str) -> Result<String, CompileError> {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for c in &mut out[from..to] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
    };
    while i < b.len() {
        if b[i..].starts_with(b"//") {
            let end = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |k| i + k);
            blank(&mut out, i, end);
            i = end;
        } else if b[i..].starts_with(b"/*") {
            let start = i;
            let mut depth = 0usize;
            loop {
                if i >= b.len() {
                    return Err(CompileError::new(
                        Span::new(start, start + 2),
                        "this comment is never closed: `/*` needs a matching `*/` (they nest)",
                    ));
                }
                if b[i..].starts_with(b"/*") {
                    depth += 1;
                    i += 2;
                } else if b[i..].starts_with(b"*/") {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            blank(&mut out, start, i);
        } else {
            i += 1;
        }
    }
    // Only ASCII bytes were replaced, and only whole comments (which start
    // and end on ASCII), so the text is still UTF-8.
    String::from_utf8(out)
        .map_err(|_| CompileError::new(Span::new(0, 0), "the source is not UTF-8"))
}

/// Parses a whole program.
pub fn parse_program(src: &str) -> Result<Program, Vec<CompileError>> {
    let blanked = blank_comments(src).map_err(|e| vec![e])?;
    let src = blanked.as_str();
    check_nesting(src).map_err(|e| vec![e])?;
    let cx = Cx {
        errors: std::cell::RefCell::new(Vec::new()),
    };
    let program = build_program(src, &cx)?;
    let errors = cx.errors.into_inner();
    if errors.is_empty() {
        Ok(program)
    } else {
        Err(errors)
    }
}

fn build_program(src: &str, cx: &Cx) -> Result<Program, Vec<CompileError>> {
    let mut pairs = MpcParser::parse(Rule::program, src).map_err(|e| vec![syntax_error(src, e)])?;
    let mut program = Program::default();
    let Some(root) = pairs.next() else {
        return Ok(program);
    };
    for item in root.into_inner() {
        match item.as_rule() {
            Rule::const_item => {
                let mut it = item.into_inner();
                let name = ident(next(&mut it));
                let ty = type_expr(next(&mut it), cx);
                let value = expr(next(&mut it), cx);
                program.consts.push(ConstItem { name, ty, value });
            }
            Rule::struct_item => {
                let mut it = item.into_inner();
                let name = ident(next(&mut it));
                let fields = it
                    .map(|f| {
                        let mut fi = f.into_inner();
                        (ident(next(&mut fi)), type_expr(next(&mut fi), cx))
                    })
                    .collect();
                program.structs.push(StructItem { name, fields });
            }
            Rule::enum_item => {
                let mut it = item.into_inner();
                let name = ident(next(&mut it));
                let variants = it
                    .map(|v| {
                        let mut vi = v.into_inner();
                        let vname = ident(next(&mut vi));
                        let fields = match vi.next() {
                            None => VariantFieldsAst::Unit,
                            Some(f) if f.as_rule() == Rule::variant_tuple => {
                                VariantFieldsAst::Tuple(
                                    f.into_inner().map(|t| type_expr(t, cx)).collect(),
                                )
                            }
                            Some(f) => VariantFieldsAst::Named(
                                f.into_inner()
                                    .map(|d| {
                                        let mut di = d.into_inner();
                                        (ident(next(&mut di)), type_expr(next(&mut di), cx))
                                    })
                                    .collect(),
                            ),
                        };
                        VariantItem {
                            name: vname,
                            fields,
                        }
                    })
                    .collect();
                program.enums.push(EnumItem { name, variants });
            }
            Rule::fn_item => {
                let mut it = item.into_inner();
                let name = ident(next(&mut it));
                let mut params = Vec::new();
                let mut ret = None;
                let mut ret_parties = RetParties::Both;
                let mut body = None;
                for p in it {
                    match p.as_rule() {
                        Rule::param => {
                            let mut pi = p.into_inner().peekable();
                            let party = if pi.peek().map(|x| x.as_rule()) == Some(Rule::party) {
                                Some(ident(first_inner(next(&mut pi))))
                            } else {
                                None
                            };
                            let mutable = pi.peek().map(|x| x.as_rule()) == Some(Rule::mut_kw);
                            if mutable {
                                pi.next();
                            }
                            let name = ident(next(&mut pi));
                            let ty = type_expr(next(&mut pi), cx);
                            params.push(Param {
                                party,
                                mutable,
                                name,
                                ty,
                            });
                        }
                        Rule::ret_ty => {
                            let sp = span(&p);
                            let inner: Vec<Pair<Rule>> = p.into_inner().collect();
                            match inner.first().map(|x| x.as_rule()) {
                                Some(Rule::ret_tuple) => {
                                    let mut parties = Vec::new();
                                    let mut tys = Vec::new();
                                    for e in inner[0].clone().into_inner() {
                                        let mut party = None;
                                        for x in e.into_inner() {
                                            if x.as_rule() == Rule::party_tag {
                                                party = Some(ident(x));
                                            } else {
                                                tys.push(type_expr(x, cx));
                                            }
                                        }
                                        parties.push(party);
                                    }
                                    if parties.iter().any(Option::is_some) {
                                        ret_parties = RetParties::Elems(parties);
                                    }
                                    ret = Some(TypeExpr::Tuple(tys, sp));
                                }
                                Some(Rule::party_tag) => {
                                    ret_parties = RetParties::Whole(ident(inner[0].clone()));
                                    ret = inner.get(1).map(|t| type_expr(t.clone(), cx));
                                }
                                _ => ret = inner.first().map(|t| type_expr(t.clone(), cx)),
                            }
                        }
                        _ => body = Some(block(p, cx)),
                    }
                }
                let body = body.unwrap_or(Block {
                    stmts: vec![],
                    tail: None,
                    span: name.span,
                });
                program.fns.push(FnItem {
                    name,
                    params,
                    ret,
                    ret_parties,
                    body,
                });
            }
            _ => {}
        }
    }
    Ok(program)
}

fn syntax_error(src: &str, e: pest::error::Error<Rule>) -> CompileError {
    let pos = match e.location {
        pest::error::InputLocation::Pos(p) => p,
        pest::error::InputLocation::Span((s, _)) => s,
    };
    let word: String = src
        .get(pos..)
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if matches!(
        word.as_str(),
        "while" | "loop" | "break" | "continue" | "return"
    ) {
        return CompileError::new(
            Span::new(pos, pos + word.len()),
            format!(
                "`{word}` is not part of the language: loops are `for i in a..b {{ ... }}` with public bounds, and a block's value is its last expression"
            ),
        );
    }
    let msg = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut names: Vec<&str> = positives.iter().filter_map(|r| rule_name(*r)).collect();
            names.sort_unstable();
            names.dedup();
            if names.contains(&"an expression") {
                names.retain(|n| {
                    !matches!(
                        *n,
                        "a name" | "a number" | "a block `{ ... }`" | "a keyword"
                    )
                });
            }
            match names.len() {
                0 => {
                    let word: String = src
                        .get(pos..)
                        .unwrap_or("")
                        .chars()
                        .take_while(|c| !c.is_whitespace())
                        .take(20)
                        .collect();
                    if word.is_empty() {
                        "syntax error".to_string()
                    } else {
                        format!("syntax error: unexpected `{word}`")
                    }
                }
                1 => format!("syntax error: expected {}", names[0]),
                _ => {
                    let last = names.pop().unwrap_or_default();
                    format!("syntax error: expected {} or {last}", names.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    CompileError::new(Span::new(pos, pos + 1), msg)
}

fn rule_name(r: Rule) -> Option<&'static str> {
    Some(match r {
        Rule::EOI => "the end of the file",
        Rule::keyword => "a keyword",
        Rule::ident | Rule::var | Rule::named_ty | Rule::party => "a name",
        Rule::int | Rule::tuple_index => "a number",
        Rule::expr
        | Rule::cond_expr
        | Rule::bool_lit
        | Rule::call
        | Rule::struct_lit
        | Rule::paren_or_tuple
        | Rule::array_lit
        | Rule::if_expr
        | Rule::match_expr
        | Rule::enum_lit
        | Rule::enum_lit_ns => "an expression",
        Rule::pattern | Rule::pat_num | Rule::pat_tuple | Rule::pat_variant => "a pattern",
        Rule::match_arm => "a `match` arm `PATTERN => VALUE`",
        Rule::ty | Rule::array_ty | Rule::tuple_ty => "a type",
        Rule::const_item | Rule::struct_item | Rule::enum_item | Rule::fn_item => {
            "an item (`const`, `struct`, `enum` or `fn`)"
        }
        Rule::block | Rule::block_stmt => "a block `{ ... }`",
        Rule::stmt | Rule::let_stmt | Rule::for_stmt | Rule::expr_stmt | Rule::empty_stmt => {
            "a statement"
        }
        Rule::assign_op => "`=`",
        Rule::range_op => "`..` or `..=`",
        Rule::ret_ty => "`->`",
        Rule::param => "a parameter",
        Rule::field_decl | Rule::field_init => "a field",
        Rule::semi => "`;`",
        Rule::or_op
        | Rule::and_op
        | Rule::eq_op
        | Rule::ne_op
        | Rule::le_op
        | Rule::ge_op
        | Rule::lt_op
        | Rule::gt_op
        | Rule::shl_op
        | Rule::shr_op
        | Rule::bitor_op
        | Rule::bitxor_op
        | Rule::bitand_op
        | Rule::add_op
        | Rule::sub_op
        | Rule::mul_op
        | Rule::div_op
        | Rule::rem_op => "an operator",
        Rule::cast | Rule::method_call | Rule::field_access | Rule::index => "`.`, `[` or `as`",
        Rule::neg | Rule::not => "an expression",
        _ => return None,
    })
}

fn span(p: &Pair<Rule>) -> Span {
    let s = p.as_span();
    Span::new(s.start(), s.end())
}

/// The grammar guarantees the children asked for; an absent one would be a
/// grammar bug, answered with an empty pair-free fallback by the callers.
fn next<'a>(it: &mut impl Iterator<Item = Pair<'a, Rule>>) -> Pair<'a, Rule> {
    it.next().expect("the grammar guarantees this child")
}

fn first_inner(p: Pair<Rule>) -> Pair<Rule> {
    next(&mut p.into_inner())
}

fn ident(p: Pair<Rule>) -> Ident {
    let sp = span(&p);
    let p = if matches!(
        p.as_rule(),
        Rule::ident | Rule::tuple_index | Rule::party_tag
    ) {
        p
    } else {
        first_inner(p)
    };
    Ident {
        name: p.as_str().to_string(),
        span: sp,
    }
}

fn type_expr(p: Pair<Rule>, cx: &Cx) -> TypeExpr {
    let p = if p.as_rule() == Rule::ty {
        first_inner(p)
    } else {
        p
    };
    let sp = span(&p);
    match p.as_rule() {
        Rule::array_ty => {
            let mut it = p.into_inner();
            let t = type_expr(next(&mut it), cx);
            let n = expr(next(&mut it), cx);
            TypeExpr::Array(Box::new(t), Box::new(n), sp)
        }
        Rule::tuple_ty => TypeExpr::Tuple(p.into_inner().map(|t| type_expr(t, cx)).collect(), sp),
        _ => {
            let mut it = p.into_inner();
            let name = ident(next(&mut it));
            let args: Vec<TypeExpr> = it.map(|t| type_expr(t, cx)).collect();
            if args.is_empty() {
                TypeExpr::Named(name)
            } else {
                TypeExpr::Generic(name, args, sp)
            }
        }
    }
}

fn pattern(p: Pair<Rule>) -> Pattern {
    let p = if p.as_rule() == Rule::pattern {
        first_inner(p)
    } else {
        p
    };
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::pat_num => {
            let mut it = p.into_inner();
            let lo = next(&mut it).as_str().replace('_', "");
            let hi = it.next().map(|h| h.as_str().replace('_', ""));
            PatKind::Int { lo, hi }
        }
        Rule::bool_lit => PatKind::Bool(p.as_str() == "true"),
        Rule::pat_tuple => PatKind::Tuple(p.into_inner().map(pattern).collect()),
        _ => {
            let mut idents = Vec::new();
            let mut fields = PatFields::Unit;
            let mut has_payload = false;
            for x in p.into_inner() {
                match x.as_rule() {
                    Rule::ident => idents.push(ident(x)),
                    Rule::pat_args => {
                        has_payload = true;
                        fields = PatFields::Tuple(x.into_inner().map(pattern).collect());
                    }
                    _ => {
                        has_payload = true;
                        fields = PatFields::Named(
                            x.into_inner()
                                .map(|f| {
                                    let mut fi = f.into_inner();
                                    let name = ident(next(&mut fi));
                                    // `V { f }` binds `f`.
                                    let pat = match fi.next() {
                                        Some(q) => pattern(q),
                                        None => Pattern {
                                            kind: PatKind::Bind(name.name.clone()),
                                            span: name.span,
                                        },
                                    };
                                    (name, pat)
                                })
                                .collect(),
                        );
                    }
                }
            }
            let last = idents.pop();
            let path = idents.pop();
            match (path, last) {
                (None, Some(n)) if !has_payload && n.name == "_" => PatKind::Wild,
                (None, Some(n)) if !has_payload => PatKind::Bind(n.name),
                (path, Some(name)) => PatKind::Variant { path, name, fields },
                (_, None) => PatKind::Wild,
            }
        }
    };
    Pattern { kind, span: sp }
}

fn block(p: Pair<Rule>, cx: &Cx) -> Block {
    let sp = span(&p);
    let mut stmts = Vec::new();
    let mut tail = None;
    let inner: Vec<Pair<Rule>> = p.into_inner().collect();
    let count = inner.len();
    for (k, s) in inner.into_iter().enumerate() {
        let last = k + 1 == count;
        let s = first_inner(s);
        let (st, semi) = stmt(s, cx);
        let Some(st) = st else { continue };
        match st {
            // A block's value: its last statement, an expression without `;`.
            Stmt::Expr { expr, semi: false } if last => tail = Some(Box::new(expr)),
            // `{ x = 1 }`: an assignment may end a block without `;` (the
            // block's value is then `()`), as in Rust.
            st @ Stmt::Assign { .. } if last => stmts.push(st),
            // `if c { ... }` and `{ ... }` need no `;` as statements.
            st @ Stmt::Expr { semi: false, .. } if is_block_like(&st) => stmts.push(st),
            st => {
                if !semi {
                    let end = match &st {
                        Stmt::Let { value, .. } | Stmt::Assign { value, .. } => value.span.end,
                        Stmt::Expr { expr, .. } => expr.span.end,
                        Stmt::For { body, .. } | Stmt::ForEach { body, .. } => body.span.end,
                    };
                    cx.push(CompileError::new(
                        Span::new(end, end),
                        "syntax error: expected `;`",
                    ));
                }
                stmts.push(st);
            }
        }
    }
    Block {
        stmts,
        tail,
        span: sp,
    }
}

fn is_block_like(s: &Stmt) -> bool {
    matches!(
        s,
        Stmt::Expr {
            expr: Expr {
                kind: ExprKind::If(..) | ExprKind::Block(_) | ExprKind::Match(..),
                ..
            },
            ..
        }
    )
}

/// A statement, and whether it ended with `;` (or needs none).
fn stmt(p: Pair<Rule>, cx: &Cx) -> (Option<Stmt>, bool) {
    let sp = span(&p);
    let mut semi = false;
    let st = match p.as_rule() {
        Rule::let_stmt => {
            let mut it = p.into_inner().peekable();
            let mutable = it.peek().map(|x| x.as_rule()) == Some(Rule::mut_kw);
            if mutable {
                it.next();
            }
            let name = ident(next(&mut it));
            let a = next(&mut it);
            let (ty, value) = if a.as_rule() == Rule::ty {
                (Some(type_expr(a, cx)), expr(next(&mut it), cx))
            } else {
                (None, expr(a, cx))
            };
            semi = it.next().is_some();
            Stmt::Let {
                mutable,
                name,
                ty,
                value,
            }
        }
        Rule::for_stmt => {
            semi = true;
            let mut it = p.into_inner();
            let var = ident(next(&mut it));
            let start = expr(next(&mut it), cx);
            let op = next(&mut it);
            if op.as_rule() == Rule::block {
                let body = block(op, cx);
                return (
                    Some(Stmt::ForEach {
                        var,
                        array: start,
                        body,
                    }),
                    true,
                );
            }
            let inclusive = op.as_str() == "..=";
            let end = expr(next(&mut it), cx);
            let body = block(next(&mut it), cx);
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            }
        }
        Rule::block_stmt => {
            let mut it = p.into_inner();
            let inner = next(&mut it);
            let has_semi = it.next().is_some();
            semi = true;
            Stmt::Expr {
                expr: primary(inner, cx),
                semi: has_semi,
            }
        }
        Rule::expr_stmt => {
            let mut it = p.into_inner();
            let lhs = expr(next(&mut it), cx);
            let mut op = None;
            let mut rhs = None;
            for x in it {
                match x.as_rule() {
                    Rule::assign_op => op = Some(x.as_str().to_string()),
                    Rule::semi => semi = true,
                    _ => rhs = Some(expr(x, cx)),
                }
            }
            match (op, rhs) {
                (Some(op), Some(value)) => {
                    let op = match op.as_str() {
                        "+=" => Some(BinOp::Add),
                        "-=" => Some(BinOp::Sub),
                        "*=" => Some(BinOp::Mul),
                        "/=" => Some(BinOp::Div),
                        "%=" => Some(BinOp::Rem),
                        "&=" => Some(BinOp::And),
                        "|=" => Some(BinOp::Or),
                        "^=" => Some(BinOp::Xor),
                        "<<=" => Some(BinOp::Shl),
                        ">>=" => Some(BinOp::Shr),
                        _ => None,
                    };
                    let Some(place) = to_place(lhs, cx) else {
                        return (None, true);
                    };
                    Stmt::Assign {
                        place,
                        op,
                        value,
                        span: sp,
                    }
                }
                _ => Stmt::Expr { expr: lhs, semi },
            }
        }
        _ => return (None, true),
    };
    (Some(st), semi)
}

/// The left side of an assignment: a variable followed by fields and indices.
fn to_place(e: Expr, cx: &Cx) -> Option<Place> {
    let mut path = Vec::new();
    let mut cur = e;
    loop {
        match cur.kind {
            ExprKind::Var(name) => {
                path.reverse();
                return Some(Place {
                    var: Ident {
                        name,
                        span: cur.span,
                    },
                    path,
                });
            }
            ExprKind::Field(inner, f) => {
                path.push(PlaceStep::Field(f));
                cur = *inner;
            }
            ExprKind::Index(inner, i) => {
                path.push(PlaceStep::Index(*i));
                cur = *inner;
            }
            _ => {
                cx.push(CompileError::new(
                    cur.span,
                    "cannot assign to this expression: the left side of `=` must be a variable, a field or an element",
                ));
                return None;
            }
        }
    }
}

fn expr(p: Pair<Rule>, cx: &Cx) -> Expr {
    pratt_expr(p.into_inner(), cx)
}

fn pratt_expr(pairs: Pairs<Rule>, cx: &Cx) -> Expr {
    pratt()
        .map_primary(|p| primary(p, cx))
        .map_prefix(|op, rhs| {
            let sp = span(&op).to(rhs.span);
            let u = if op.as_rule() == Rule::neg {
                UnOp::Neg
            } else {
                UnOp::Not
            };
            Expr {
                kind: ExprKind::Unary(u, Box::new(rhs)),
                span: sp,
            }
        })
        .map_postfix(|lhs, op| {
            let sp = lhs.span.to(span(&op));
            let kind = match op.as_rule() {
                Rule::cast => {
                    let ty = op.into_inner().find(|p| p.as_rule() == Rule::ty);
                    match ty {
                        Some(t) => ExprKind::Cast(Box::new(lhs), type_expr(t, cx)),
                        None => return lhs,
                    }
                }
                Rule::method_call => {
                    let mut it = op.into_inner();
                    let m = ident(next(&mut it));
                    ExprKind::Method(Box::new(lhs), m, it.map(|e| expr(e, cx)).collect())
                }
                Rule::field_access => ExprKind::Field(Box::new(lhs), ident(first_inner(op))),
                _ => ExprKind::Index(Box::new(lhs), Box::new(expr(first_inner(op), cx))),
            };
            Expr { kind, span: sp }
        })
        .map_infix(|lhs, op, rhs| {
            let b = match op.as_rule() {
                Rule::or_op => BinOp::LogicOr,
                Rule::and_op => BinOp::LogicAnd,
                Rule::eq_op => BinOp::Eq,
                Rule::ne_op => BinOp::Ne,
                Rule::lt_op => BinOp::Lt,
                Rule::gt_op => BinOp::Gt,
                Rule::le_op => BinOp::Le,
                Rule::ge_op => BinOp::Ge,
                Rule::bitor_op => BinOp::Or,
                Rule::bitxor_op => BinOp::Xor,
                Rule::bitand_op => BinOp::And,
                Rule::shl_op => BinOp::Shl,
                Rule::shr_op => BinOp::Shr,
                Rule::add_op => BinOp::Add,
                Rule::sub_op => BinOp::Sub,
                Rule::mul_op => BinOp::Mul,
                Rule::div_op => BinOp::Div,
                _ => BinOp::Rem,
            };
            let sp = lhs.span.to(rhs.span);
            Expr {
                kind: ExprKind::Binary(b, Box::new(lhs), Box::new(rhs)),
                span: sp,
            }
        })
        .parse(pairs)
}

fn primary(p: Pair<Rule>, cx: &Cx) -> Expr {
    let sp = span(&p);
    let kind = match p.as_rule() {
        Rule::int => ExprKind::Int(p.as_str().replace('_', "")),
        Rule::bool_lit => ExprKind::Bool(p.as_str() == "true"),
        Rule::var => ExprKind::Var(p.as_str().to_string()),
        Rule::call => {
            let mut it = p.into_inner();
            let name = ident(next(&mut it));
            ExprKind::Call(name, it.map(|e| expr(e, cx)).collect())
        }
        Rule::paren_or_tuple => {
            let mut items = Vec::new();
            let mut trailing = false;
            for x in p.into_inner() {
                if x.as_rule() == Rule::trailing_comma {
                    trailing = true;
                } else {
                    items.push(expr(x, cx));
                }
            }
            if items.len() == 1 && !trailing {
                let mut e = items.pop().unwrap_or_else(|| Expr {
                    kind: ExprKind::Tuple(vec![]),
                    span: sp,
                });
                e.span = sp;
                return e;
            }
            ExprKind::Tuple(items)
        }
        Rule::array_lit => {
            let mut items = Vec::new();
            let mut count = None;
            for x in p.into_inner() {
                if x.as_rule() == Rule::array_repeat {
                    count = Some(expr(first_inner(x), cx));
                } else {
                    items.push(expr(x, cx));
                }
            }
            match (count, items.pop()) {
                (Some(n), Some(v)) => ExprKind::Repeat(Box::new(v), Box::new(n)),
                (_, last) => {
                    items.extend(last);
                    ExprKind::Array(items)
                }
            }
        }
        Rule::struct_lit => {
            let mut it = p.into_inner();
            let name = ident(next(&mut it));
            let fields = it
                .map(|f| {
                    let mut fi = f.into_inner();
                    let field = ident(next(&mut fi));
                    // `Name { f }` is `Name { f: f }`.
                    let value = match fi.next() {
                        Some(e) => expr(e, cx),
                        None => Expr {
                            kind: ExprKind::Var(field.name.clone()),
                            span: field.span,
                        },
                    };
                    (field, value)
                })
                .collect();
            ExprKind::Struct(name, fields)
        }
        Rule::if_expr => {
            let mut it = p.into_inner();
            let c = expr(next(&mut it), cx);
            let then = block(next(&mut it), cx);
            let els = it.next().map(|e| Box::new(primary(e, cx)));
            ExprKind::If(Box::new(c), then, els)
        }
        Rule::block => ExprKind::Block(block(p, cx)),
        Rule::enum_lit | Rule::enum_lit_ns => {
            let mut it = p.into_inner();
            let enum_name = ident(next(&mut it));
            let variant = ident(next(&mut it));
            let payload = match it.next() {
                None => PayloadExpr::Unit,
                Some(a) if a.as_rule() == Rule::variant_args => {
                    PayloadExpr::Tuple(a.into_inner().map(|e| expr(e, cx)).collect())
                }
                Some(a) => PayloadExpr::Named(
                    a.into_inner()
                        .map(|f| {
                            let mut fi = f.into_inner();
                            let field = ident(next(&mut fi));
                            let value = match fi.next() {
                                Some(e) => expr(e, cx),
                                None => Expr {
                                    kind: ExprKind::Var(field.name.clone()),
                                    span: field.span,
                                },
                            };
                            (field, value)
                        })
                        .collect(),
                ),
            };
            ExprKind::Variant(enum_name, variant, payload)
        }
        Rule::match_expr => {
            let mut it = p.into_inner();
            let scrutinee = expr(next(&mut it), cx);
            let arms = it
                .map(|a| {
                    let mut ai = a.into_inner();
                    let pat = pattern(next(&mut ai));
                    let body = expr(next(&mut ai), cx);
                    Arm { pat, body }
                })
                .collect();
            ExprKind::Match(Box::new(scrutinee), arms)
        }
        Rule::expr | Rule::cond_expr => return expr(p, cx),
        _ => ExprKind::Tuple(vec![]),
    };
    Expr { kind, span: sp }
}
