//! Lowering: the program is run symbolically
//! over circuit wires. Public values (literals, constants, loop variables,
//! array lengths) are constant wires that the [`Builder`] folds, so only the
//! work on secret values makes gates; loops unroll and helpers inline as the
//! walk goes, and each error is recorded once with its span while the walk
//! goes on with a poisoned value, so independent errors are all reported.
//! Names, item declarations, type expressions and constants are checked in
//! `lower/check.rs`; the walk calls into it for each name and type it meets.

use crate::ast::*;
use crate::error::CompileError;
use crate::gadgets as g;
use crate::types::{EnumDef, StructDef, Ty, VariantDef};
use circuits::{Builder, Circuit, Party, WireId};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

mod check;
mod matching;
use check::{builtin_type, field_of};

/// Largest value (in bits) the compiler builds: bounds memory on hostile input.
pub const MAX_VALUE_BITS: usize = 1 << 24;
/// Largest number of gates built before the compiler gives up.
pub const MAX_GATES: usize = 16_000_000;
/// Largest number of statements executed while unrolling.
const MAX_STEPS: u64 = 50_000_000;
/// Deepest recursion of the walk (nested expressions and inlined calls).
const MAX_DEPTH: usize = 20_000;
/// The walk stops after this many errors.
const MAX_ERRORS: usize = 50;

const F: WireId = Builder::FALSE;
const T: WireId = Builder::TRUE;

/// A value during lowering.
#[derive(Clone, Debug)]
enum Value {
    /// A public integer without a type yet (a literal, `.len()`, a loop
    /// variable over literal bounds).
    Lit(i128),
    /// A typed value: its bits in the layout of `circuits::Type`.
    Bits {
        ty: Ty,
        bits: Vec<WireId>,
        public: bool,
    },
    /// A secret integer that has no type yet: untyped literals merged by a
    /// secret `if` (`let mut r = 0; if c { r = 1; }`). Held as 128-bit two's
    /// complement with the range of the literals it may be, so it can take a
    /// type later, checked against that range.
    Flex {
        bits: Vec<WireId>,
        lo: i128,
        hi: i128,
    },
    /// The result of an erroneous expression; silences follow-up errors.
    Poison,
}

impl Value {
    fn public(ty: Ty, bits: Vec<WireId>) -> Value {
        Value::Bits {
            ty,
            bits,
            public: true,
        }
    }
    fn secret(ty: Ty, bits: Vec<WireId>) -> Value {
        Value::Bits {
            ty,
            bits,
            public: false,
        }
    }
    fn boolean(w: WireId, public: bool) -> Value {
        Value::Bits {
            ty: Ty::Bool,
            bits: vec![w],
            public,
        }
    }
    fn unit() -> Value {
        Value::public(Ty::unit(), Vec::new())
    }
    fn ty(&self) -> Option<Ty> {
        match self {
            Value::Lit(_) | Value::Flex { .. } => Some(Ty::Lit),
            Value::Bits { ty, .. } => Some(ty.clone()),
            Value::Poison => None,
        }
    }
    fn is_untyped(&self) -> bool {
        matches!(self, Value::Lit(_) | Value::Flex { .. })
    }
    fn is_public(&self) -> bool {
        match self {
            Value::Lit(_) => true,
            Value::Bits { public, .. } => *public,
            Value::Flex { .. } => false,
            Value::Poison => true,
        }
    }
}

struct Var {
    name: String,
    value: Value,
    mutable: bool,
    /// The declared or first typed type; `None` while the value is an untyped literal.
    ty: Option<Ty>,
}

enum ConstState {
    Pending,
    InProgress,
    Done(Value),
}

pub struct Lowerer<'p> {
    prog: &'p Program,
    pub b: Builder,
    errors: Vec<CompileError>,
    seen: HashSet<(usize, String)>,
    structs: HashMap<String, usize>,
    struct_defs: Vec<Option<Rc<StructDef>>>,
    struct_busy: Vec<bool>,
    enums: HashMap<String, usize>,
    enum_defs: Vec<Option<Rc<EnumDef>>>,
    enum_busy: Vec<bool>,
    fns: HashMap<String, usize>,
    fn_called: Vec<bool>,
    in_cycle: Vec<bool>,
    consts: HashMap<String, usize>,
    const_state: Vec<ConstState>,
    /// Constants being evaluated, outermost first: a cycle is named in full.
    const_stack: Vec<usize>,
    scopes: Vec<Vec<Var>>,
    call_stack: Vec<usize>,
    steps: u64,
    depth: usize,
    aborted: bool,
    /// Greater than 0 while type-checking a branch that a public condition
    /// never takes: errors that depend on public values (an index out of
    /// range, a literal that does not fit) are not reported there, since
    /// such code is typically guarded by exactly that condition.
    checking: usize,
    /// Dead branches already checked, by span start: each is checked once.
    dead_checked: HashSet<usize>,
}

/// Lowers a parsed program to a circuit, or returns every error found.
pub fn lower(prog: &Program) -> Result<Circuit, Vec<CompileError>> {
    lower_tagged(prog, false).map(|(c, _)| c)
}

/// [`lower`], and with `tagged` the source byte offset that made each gate
/// of the circuit (the innermost expression or statement being lowered).
pub fn lower_tagged(
    prog: &Program,
    tagged: bool,
) -> Result<(Circuit, Vec<u32>), Vec<CompileError>> {
    let mut b = Builder::new();
    if tagged {
        b.record_tags();
    }
    let mut l = Lowerer {
        prog,
        b,
        errors: Vec::new(),
        seen: HashSet::new(),
        structs: HashMap::new(),
        struct_defs: vec![None; prog.structs.len()],
        struct_busy: vec![false; prog.structs.len()],
        enums: HashMap::new(),
        enum_defs: vec![None; prog.enums.len()],
        enum_busy: vec![false; prog.enums.len()],
        fns: HashMap::new(),
        fn_called: vec![false; prog.fns.len()],
        in_cycle: vec![false; prog.fns.len()],
        consts: HashMap::new(),
        const_state: prog.consts.iter().map(|_| ConstState::Pending).collect(),
        const_stack: Vec::new(),
        scopes: Vec::new(),
        call_stack: Vec::new(),
        steps: 0,
        depth: 0,
        aborted: false,
        checking: 0,
        dead_checked: HashSet::new(),
    };
    l.declare_items();
    l.find_cycles();
    for i in 0..prog.structs.len() {
        l.struct_def(i);
    }
    for i in 0..prog.enums.len() {
        if l.enums.values().any(|&k| k == i) {
            l.enum_def(i);
        }
    }
    for i in 0..prog.consts.len() {
        l.const_value(i);
    }
    let main = l.fns.get("main").copied();
    match main {
        Some(m) => l.lower_main(m),
        None => l.error(Span::new(0, 0), "the program has no `fn main`"),
    }
    // Helpers that main never calls are still checked.
    for i in 0..prog.fns.len() {
        if Some(i) != main && !l.fn_called[i] && !l.in_cycle[i] && !l.aborted {
            l.check_uncalled(i);
        }
    }
    if l.errors.is_empty() {
        Ok(l.b.finish_tagged())
    } else {
        let mut errors = l.errors;
        errors.sort_by_key(|e| e.start);
        Err(errors)
    }
}

impl<'p> Lowerer<'p> {
    /// An error that depends on public values rather than on types: not
    /// reported while checking dead code.
    fn value_error(&mut self, span: Span, msg: impl Into<String>) {
        if self.checking == 0 {
            self.error(span, msg);
        }
    }

    fn error(&mut self, span: Span, msg: impl Into<String>) {
        let msg = msg.into();
        if self.seen.insert((span.start, msg.clone())) {
            self.errors.push(CompileError::new(span, msg));
            if self.errors.len() >= MAX_ERRORS {
                self.aborted = true;
            }
        }
    }

    // ---------------------------------------------------------- functions

    fn lower_main(&mut self, m: usize) {
        let prog = self.prog;
        let f = &prog.fns[m];
        let mut scope = Vec::new();
        for p in &f.params {
            let party = match &p.party {
                Some(id) if id.name == "garbler" => Some(Party::Garbler),
                Some(id) if id.name == "evaluator" => Some(Party::Evaluator),
                Some(id) => {
                    self.error(id.span, format!("unknown party `{}`: a parameter of `main` belongs to `garbler` or `evaluator`", id.name));
                    None
                }
                None => {
                    self.error(p.name.span, format!("the parameter `{}` of `main` needs a party: write `garbler {}: ...` or `evaluator {}: ...`", p.name.name, p.name.name, p.name.name));
                    None
                }
            };
            let ty = self.resolve_ty(&p.ty);
            let value = match (party, ty) {
                (Some(party), Some(ty)) => {
                    let bits = self.b.input(&p.name.name, party, ty.to_circuit());
                    Value::secret(ty, bits)
                }
                _ => Value::Poison,
            };
            if scope.iter().any(|v: &Var| v.name == p.name.name) {
                self.error(
                    p.name.span,
                    format!("the parameter `{}` is declared twice", p.name.name),
                );
            }
            scope.push(Var {
                name: p.name.name.clone(),
                ty: value.ty(),
                value,
                mutable: p.mutable,
            });
        }
        let ret = match &f.ret {
            Some(t) => self.resolve_ty(t),
            None => {
                self.error(
                    f.name.span,
                    "`main` must return a value: its return value is what both parties learn",
                );
                None
            }
        };
        self.scopes = vec![scope];
        self.call_stack.push(m);
        let v = self.block(&f.body, ret.as_ref());
        self.call_stack.pop();
        self.scopes.clear();
        if let Some(ret) = ret {
            let span = f.body.tail.as_ref().map_or(f.body.span, |t| t.span);
            let v = self.coerce(v, &ret, span);
            if let Value::Bits { bits, .. } = v {
                let party = |id: &Ident| match id.name.as_str() {
                    "garbler" => Party::Garbler,
                    _ => Party::Evaluator,
                };
                match (&f.ret_parties, &ret) {
                    (RetParties::Whole(p), _) => {
                        self.b
                            .output_to("result", ret.to_circuit(), Some(party(p)), &bits)
                    }
                    (RetParties::Elems(ps), Ty::Tuple(ts)) => {
                        // One output per element, each to its party.
                        let mut at = 0;
                        for (k, (p, t)) in ps.iter().zip(ts.iter()).enumerate() {
                            let w = t.width();
                            self.b.output_to(
                                &format!("result.{k}"),
                                t.to_circuit(),
                                p.as_ref().map(party),
                                &bits[at..at + w],
                            );
                            at += w;
                        }
                    }
                    _ => self.b.output("result", ret.to_circuit(), &bits),
                }
            }
        }
    }

    fn check_uncalled(&mut self, i: usize) {
        let prog = self.prog;
        let f = &prog.fns[i];
        // Checked on a scratch builder: nothing of it reaches the circuit.
        let main_builder = std::mem::take(&mut self.b);
        let mut scope = Vec::new();
        for p in &f.params {
            self.no_party_on_helper(p, f);
            let value = match self.resolve_ty(&p.ty) {
                Some(ty) => {
                    let bits = (0..ty.width()).map(|_| self.fresh_wire()).collect();
                    Value::secret(ty, bits)
                }
                None => Value::Poison,
            };
            scope.push(Var {
                name: p.name.name.clone(),
                ty: value.ty(),
                value,
                mutable: p.mutable,
            });
        }
        self.run_body(i, scope);
        self.b = main_builder;
    }

    /// A stand-in secret wire for checking a helper nobody calls (on the scratch builder).
    fn fresh_wire(&mut self) -> WireId {
        self.b.input("", Party::Garbler, circuits::Type::Bool)[0]
    }

    fn call(&mut self, name: &Ident, args: &[Expr], span: Span) -> Value {
        let Some(&fi) = self.fns.get(&name.name) else {
            for a in args {
                self.expr(a, None);
            }
            if self.lookup(&name.name).is_some() || self.consts.contains_key(&name.name) {
                self.error(name.span, format!("`{}` is not a function", name.name));
            } else {
                self.error(name.span, format!("unknown function `{}`", name.name));
            }
            return Value::Poison;
        };
        let prog = self.prog;
        let f = &prog.fns[fi];
        if f.name.name == "main" {
            self.error(name.span, "`main` cannot be called");
            return Value::Poison;
        }
        if self.in_cycle[fi] || self.call_stack.contains(&fi) {
            return Value::Poison;
        }
        self.fn_called[fi] = true;
        if args.len() != f.params.len() {
            self.error(
                span,
                format!(
                    "`{}` takes {} argument{}, {} given",
                    f.name.name,
                    f.params.len(),
                    plural(f.params.len()),
                    args.len()
                ),
            );
            return Value::Poison;
        }
        let mut scope = Vec::new();
        for (p, a) in f.params.iter().zip(args) {
            self.no_party_on_helper(p, f);
            let ty = self.resolve_ty(&p.ty);
            let v = self.expr(a, ty.as_ref());
            let v = match &ty {
                Some(ty) => self.coerce(v, ty, a.span),
                None => Value::Poison,
            };

            scope.push(Var {
                name: p.name.name.clone(),
                ty: v.ty(),
                value: v,
                mutable: p.mutable,
            });
        }
        self.run_body(fi, scope)
    }

    /// Runs helper `fi`'s body in a fresh scope holding its parameters and
    /// checks the result against its declared return type.
    fn run_body(&mut self, fi: usize, scope: Vec<Var>) -> Value {
        let prog = self.prog;
        let f = &prog.fns[fi];
        let ret = match &f.ret {
            Some(t) => self.resolve_ty(t),
            None => Some(Ty::unit()),
        };
        let saved = std::mem::replace(&mut self.scopes, vec![scope]);
        self.call_stack.push(fi);
        let v = self.block(&f.body, ret.as_ref());
        self.call_stack.pop();
        self.scopes = saved;
        match ret {
            Some(ret) => {
                let span = f.body.tail.as_ref().map_or(f.body.span, |t| t.span);
                self.coerce(v, &ret, span)
            }
            None => Value::Poison,
        }
    }

    /// Only `main`'s parameters may name a party.
    fn no_party_on_helper(&mut self, p: &Param, f: &FnItem) {
        if let Some(party) = &p.party {
            self.error(
                party.span,
                format!(
                    "only the parameters of `main` belong to a party; `{}` is a helper",
                    f.name.name
                ),
            );
        }
    }

    // ---------------------------------------------------------- variables

    fn lookup(&self, name: &str) -> Option<&Var> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|v| v.name == name)
    }

    fn lookup_mut(&mut self, name: &str) -> Option<&mut Var> {
        self.scopes
            .iter_mut()
            .rev()
            .flat_map(|s| s.iter_mut().rev())
            .find(|v| v.name == name)
    }

    // ---------------------------------------------------------- statements

    fn block(&mut self, blk: &Block, expect: Option<&Ty>) -> Value {
        self.scopes.push(Vec::new());
        for s in &blk.stmts {
            if self.aborted {
                break;
            }
            self.stmt(s);
        }
        let v = match &blk.tail {
            Some(e) if !self.aborted => self.expr(e, expect),
            Some(_) => Value::Poison,
            None => Value::unit(),
        };
        self.scopes.pop();
        v
    }

    fn tick(&mut self, span: Span) -> bool {
        self.steps += 1;
        if self.aborted {
            return false;
        }
        if self.steps > MAX_STEPS {
            self.error(span, format!("the program runs more than {MAX_STEPS} statements while unrolling; it is too large to compile"));
            self.aborted = true;
            return false;
        }
        if self.b.gate_count() > MAX_GATES {
            self.error(
                span,
                format!("the circuit grows beyond {MAX_GATES} gates; it is too large to compile"),
            );
            self.aborted = true;
            return false;
        }
        true
    }

    fn stmt(&mut self, s: &Stmt) {
        let at = match s {
            Stmt::Let { name, .. } => name.span.start,
            Stmt::Assign { span, .. } => span.start,
            Stmt::For { var, .. } | Stmt::ForEach { var, .. } => var.span.start,
            Stmt::Expr { expr, .. } => expr.span.start,
        };
        let outer = self.b.set_tag(at as u32);
        self.stmt_inner(s);
        self.b.set_tag(outer);
    }

    fn stmt_inner(&mut self, s: &Stmt) {
        match s {
            Stmt::Let {
                mutable,
                name,
                ty,
                value,
            } => {
                if !self.tick(name.span) {
                    return;
                }
                let declared = ty.as_ref().map(|t| self.resolve_ty(t));
                let v = match &declared {
                    Some(Some(t)) => {
                        let v = self.expr(value, Some(t));
                        self.coerce(v, t, value.span)
                    }
                    Some(None) => {
                        self.expr(value, None);
                        Value::Poison
                    }
                    None => self.expr(value, None),
                };
                let vty = match (&declared, &v) {
                    (Some(Some(t)), _) => Some(t.clone()),
                    (_, Value::Bits { ty, .. }) => Some(ty.clone()),
                    _ => None,
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.push(Var {
                        name: name.name.clone(),
                        value: v,
                        mutable: *mutable,
                        ty: vty,
                    });
                }
            }
            Stmt::Assign {
                place,
                op,
                value,
                span,
            } => {
                if !self.tick(*span) {
                    return;
                }
                self.assign(place, *op, value, *span);
            }
            Stmt::For {
                var,
                start,
                end,
                inclusive,
                body,
            } => self.for_loop(var, start, end, *inclusive, body),
            Stmt::ForEach { var, array, body } => self.for_each(var, array, body),
            Stmt::Expr { expr, .. } => {
                if !self.tick(expr.span) {
                    return;
                }
                self.expr(expr, None);
            }
        }
    }

    fn for_loop(&mut self, var: &Ident, start: &Expr, end: &Expr, inclusive: bool, body: &Block) {
        let s = self.expr(start, None);
        let e = self.expr(end, s.ty().filter(|t| *t != Ty::Lit).as_ref());
        let s = match (&s, &e) {
            (Value::Lit(_), Value::Bits { ty, .. }) => {
                let ty = ty.clone();
                self.coerce(s, &ty, start.span)
            }
            _ => s,
        };
        let ty = match (&s, &e) {
            (Value::Bits { ty: t1, .. }, Value::Bits { ty: t2, .. }) => {
                if t1 != t2 {
                    self.error(
                        end.span,
                        format!("the loop bounds have different types: `{t1}` and `{t2}`"),
                    );
                    return;
                }
                if !matches!(t1, Ty::Int { .. }) {
                    self.error(
                        start.span,
                        format!("loop bounds must be integers, found `{t1}`"),
                    );
                    return;
                }
                Some(t1.clone())
            }
            (Value::Poison, _) | (_, Value::Poison) => return,
            _ => None,
        };
        let lo = self.public_int(&s, start.span, "a loop bound");
        let hi = self.public_int(&e, end.span, "a loop bound");
        let (Some(lo), Some(hi)) = (lo, hi) else {
            return;
        };
        let hi = if inclusive { hi.saturating_add(1) } else { hi };
        let mut i = lo;
        // Type-checking dead code: one pass over the body is enough.
        let hi = if self.checking > 0 {
            hi.min(lo.saturating_add(1))
        } else {
            hi
        };
        while i < hi {
            if !self.tick(var.span) {
                return;
            }
            let value = match &ty {
                Some(t) => self.lit_to_ty(i, t, var.span),
                None => Value::Lit(i),
            };
            self.scopes.push(vec![Var {
                name: var.name.clone(),
                ty: value.ty(),
                value,
                mutable: false,
            }]);
            self.block(body, None);
            self.scopes.pop();
            i += 1;
        }
    }

    /// `for x in arr { ... }`: the body once per element, in order, with `x`
    /// bound to the element (public when the array is).
    fn for_each(&mut self, var: &Ident, array: &Expr, body: &Block) {
        let a = self.expr(array, None);
        let (ety, len, bits, public) = match a {
            Value::Poison => return,
            Value::Bits {
                ty: Ty::Array(t, n),
                bits,
                public,
            } => (t.as_ref().clone(), n as usize, bits, public),
            v => {
                let ty = v.ty().unwrap_or(Ty::Lit);
                self.error(
                    array.span,
                    format!(
                        "`for x in ...` goes over an array, found `{ty}`; for a range write `a..b`"
                    ),
                );
                return;
            }
        };
        let w = ety.width();
        let len = if self.checking > 0 { len.min(1) } else { len };
        for k in 0..len {
            if !self.tick(var.span) {
                return;
            }
            let value = Value::Bits {
                ty: ety.clone(),
                bits: bits[k * w..(k + 1) * w].to_vec(),
                public,
            };
            self.scopes.push(vec![Var {
                name: var.name.clone(),
                ty: value.ty(),
                value,
                mutable: false,
            }]);
            self.block(body, None);
            self.scopes.pop();
        }
    }

    fn assign(&mut self, place: &Place, op: Option<BinOp>, value: &Expr, span: Span) {
        let (target_ty, mutable, declared) = match self.lookup(&place.var.name) {
            Some(v) => (v.value.ty(), v.mutable, v.ty.clone()),
            None => {
                self.expr(value, None);
                let msg = if self.consts.contains_key(&place.var.name) {
                    format!(
                        "cannot assign to the constant `{}`: constants never change (use `let mut` for a variable)",
                        place.var.name
                    )
                } else {
                    format!("unknown variable `{}`", place.var.name)
                };
                self.error(place.var.span, msg);
                return;
            }
        };
        if !mutable {
            self.error(
                place.var.span,
                format!(
                    "cannot assign to `{}`: it is not mutable (declare it with `let mut`)",
                    place.var.name
                ),
            );
        }
        let Some(var_ty) = target_ty else {
            self.expr(value, None);
            return;
        };
        // Resolve the path: field steps are public offsets, index steps may be secret.
        let mut steps = Vec::new();
        let mut ty = if place.path.is_empty() {
            declared.clone().unwrap_or(var_ty.clone())
        } else {
            var_ty.clone()
        };
        for st in &place.path {
            match st {
                PlaceStep::Field(f) => match field_of(&ty, &f.name) {
                    Some((off, fty)) => {
                        steps.push(Step::Offset(off));
                        ty = fty;
                    }
                    None => {
                        self.error(f.span, format!("`{ty}` has no field `{}`", f.name));
                        self.expr(value, None);
                        return;
                    }
                },
                PlaceStep::Index(ie) => {
                    let Ty::Array(elem, len) = &ty else {
                        self.error(ie.span, format!("cannot index into a value of type `{ty}`"));
                        self.expr(value, None);
                        return;
                    };
                    let (elem, len) = (elem.as_ref().clone(), *len);
                    let iv = self.expr(ie, None);
                    match self.index_of(&iv, len, ie.span) {
                        Some(Index::Public(k)) => steps.push(Step::Offset(k * elem.width())),
                        Some(Index::Secret(bits)) => {
                            steps.push(Step::Secret(bits, elem.width(), len))
                        }
                        None => {
                            self.expr(value, None);
                            return;
                        }
                    }
                    ty = elem;
                }
            }
        }
        let rhs = match op {
            None => {
                let v = self.expr(value, Some(&ty).filter(|t| **t != Ty::Lit));
                if ty == Ty::Lit {
                    v
                } else {
                    self.coerce(v, &ty, value.span)
                }
            }
            Some(op) => {
                let cur = self.read_place(place);
                let v = self.binary(
                    op,
                    cur,
                    value,
                    span,
                    Some(&ty).filter(|t| **t != Ty::Lit),
                    None,
                );
                if ty == Ty::Lit {
                    v
                } else {
                    self.coerce(v, &ty, value.span)
                }
            }
        };
        if matches!(rhs, Value::Poison) || !mutable {
            return;
        }
        let Some(var) = self.lookup_mut(&place.var.name) else {
            return;
        };
        if place.path.is_empty() {
            // Whole-variable assignment; an untyped variable takes the type of its first typed value.
            if let (None, Value::Bits { ty, .. }) = (&var.ty, &rhs) {
                var.ty = Some(ty.clone());
            }
            if let (Some(t), Value::Lit(n)) = (var.ty.clone(), &rhs) {
                let n = *n;
                let v = self.lit_to_ty(n, &t, value.span);
                if let Some(var) = self.lookup_mut(&place.var.name) {
                    var.value = v;
                }
                return;
            }
            var.value = rhs;
            return;
        }
        let Value::Bits {
            bits: new_bits,
            public: new_public,
            ..
        } = rhs
        else {
            return;
        };
        let Value::Bits {
            ty: vty,
            bits: mut old,
            public,
        } = std::mem::replace(&mut var.value, Value::Poison)
        else {
            return;
        };
        let secret_index = steps.iter().any(|s| matches!(s, Step::Secret(..)));
        write_path(&mut self.b, &mut old, 0, &steps, &new_bits, T);
        if let Some(var) = self.lookup_mut(&place.var.name) {
            var.value = Value::Bits {
                ty: vty,
                bits: old,
                public: public && new_public && !secret_index,
            };
        }
    }

    fn read_place(&mut self, place: &Place) -> Value {
        let mut v = match self.lookup(&place.var.name) {
            Some(var) => var.value.clone(),
            None => return Value::Poison,
        };
        for st in &place.path {
            v = match st {
                PlaceStep::Field(f) => self.field(v, f),
                PlaceStep::Index(ie) => {
                    let iv = self.expr(ie, None);
                    self.index(v, iv, ie.span)
                }
            };
        }
        v
    }

    // --------------------------------------------------------- expressions

    fn expr(&mut self, e: &Expr, expect: Option<&Ty>) -> Value {
        if self.aborted {
            return Value::Poison;
        }
        self.depth += 1;
        let outer = self.b.set_tag(e.span.start as u32);
        let v = if self.depth > MAX_DEPTH {
            self.error(e.span, "expressions or calls nested too deeply");
            self.aborted = true;
            Value::Poison
        } else {
            self.expr_inner(e, expect)
        };
        self.b.set_tag(outer);
        self.depth -= 1;
        v
    }

    fn expr_inner(&mut self, e: &Expr, expect: Option<&Ty>) -> Value {
        match &e.kind {
            ExprKind::Int(text) => self.int_literal(text, e.span, expect),
            ExprKind::Bool(v) => Value::boolean(Builder::constant(*v), true),
            ExprKind::Var(name) => {
                if let Some(v) = self.lookup(name) {
                    return v.value.clone();
                }
                if let Some(&i) = self.consts.get(name) {
                    return self.const_value(i);
                }
                if name == "None" {
                    return self.option_none(e.span, expect);
                }
                if self.fns.contains_key(name) {
                    self.error(
                        e.span,
                        format!("`{name}` is a function: call it with `{name}(...)`"),
                    );
                } else {
                    self.error(e.span, format!("unknown variable `{name}`"));
                }
                Value::Poison
            }
            ExprKind::Unary(op, inner) => {
                // `-128` as an `i8`: the literal is negated before it takes its type.
                let literal = *op == UnOp::Neg && matches!(inner.kind, ExprKind::Int(_));
                if let (true, ExprKind::Int(text)) = (literal, &inner.kind) {
                    // `-128i8`: the suffix types the negated literal.
                    let (digits, suffix) = split_suffix(text);
                    if let Some(ty) = suffix.and_then(|s| builtin_type(s).and_then(Result::ok)) {
                        if let Some(n) = parse_i128(digits) {
                            return self.lit_to_ty(-n, &ty, e.span);
                        }
                        let neg = format!("-{digits}");
                        return self.int_literal(&neg, e.span, Some(&ty));
                    }
                }
                // A literal beyond 128 bits with a wide signed type: negate the
                // text, so the minimum of the type (`-2^199` as `i200`) fits.
                if let (
                    true,
                    ExprKind::Int(text),
                    Some(Ty::Int {
                        signed: true,
                        width,
                    }),
                ) = (literal, &inner.kind, expect)
                {
                    if parse_i128(text).is_none() {
                        let neg = format!("-{text}");
                        return match circuits::value::parse(&circuits::Type::Signed(*width), &neg) {
                            Ok(bits) => Value::public(
                                Ty::Int {
                                    signed: true,
                                    width: *width,
                                },
                                bits.into_iter().map(Builder::constant).collect(),
                            ),
                            Err(_) => {
                                self.value_error(
                                    e.span,
                                    format!("the literal `{neg}` does not fit in `i{width}`"),
                                );
                                Value::Poison
                            }
                        };
                    }
                }
                let v = self.expr(inner, if literal { None } else { expect });
                self.unary(*op, v, e.span, expect)
            }
            ExprKind::Binary(op, l, r) => {
                let lv = self.expr(l, if op.is_arith() { expect } else { None });
                self.binary(
                    *op,
                    lv,
                    r,
                    e.span,
                    if op.is_arith() { expect } else { None },
                    Some(l.span),
                )
            }
            ExprKind::Cast(inner, t) => {
                let target = self.resolve_ty(t);
                let v = self.expr(inner, None);
                match target {
                    Some(t) => self.cast(v, &t, e.span),
                    None => Value::Poison,
                }
            }
            ExprKind::Method(recv, m, args) => self.method(recv, m, args, e.span, expect),
            ExprKind::Field(inner, f) => {
                let v = self.expr(inner, None);
                self.field(v, f)
            }
            ExprKind::Index(arr, idx) => {
                let a = self.expr(arr, None);
                let i = self.expr(idx, None);
                self.index(a, i, idx.span)
            }
            ExprKind::Call(name, args) if name.name == "Some" && !self.fns.contains_key("Some") => {
                self.option_some(args, e.span, expect)
            }
            ExprKind::Call(name, args) => self.call(name, args, e.span),
            ExprKind::Variant(en, vn, payload) => {
                self.variant_expr(en, vn, payload, e.span, expect)
            }
            ExprKind::Match(scrut, arms) => self.match_expr(scrut, arms, e.span, expect),
            ExprKind::Tuple(items) => {
                let exp: Option<Vec<Ty>> = match expect {
                    Some(Ty::Tuple(ts)) if ts.len() == items.len() => Some(ts.to_vec()),
                    _ => None,
                };
                let mut tys = Vec::new();
                let mut bits = Vec::new();
                let mut public = true;
                for (k, it) in items.iter().enumerate() {
                    let et = exp.as_ref().map(|ts| &ts[k]);
                    let v = self.expr(it, et);
                    let v = match et {
                        Some(t) => self.coerce(v, t, it.span),
                        None => self.default_type(v, it.span),
                    };
                    match v {
                        Value::Bits {
                            ty,
                            bits: b,
                            public: p,
                        } => {
                            tys.push(ty);
                            bits.extend(b);
                            public &= p;
                        }
                        _ => return Value::Poison,
                    }
                }
                Value::Bits {
                    ty: Ty::Tuple(Rc::from(tys)),
                    bits,
                    public,
                }
            }
            ExprKind::Array(items) => {
                let mut elem: Option<Ty> = match expect {
                    Some(Ty::Array(t, _)) => Some(t.as_ref().clone()),
                    _ => None,
                };
                let mut vals = Vec::with_capacity(items.len());
                for it in items {
                    let v = self.expr(it, elem.as_ref());
                    if elem.is_none() {
                        if let Value::Bits { ty, .. } = &v {
                            elem = Some(ty.clone());
                        }
                    }
                    vals.push((v, it.span));
                }
                let elem = match elem {
                    Some(t) => t,
                    None if vals.iter().any(|(v, _)| matches!(v, Value::Poison)) => {
                        return Value::Poison
                    }
                    None if vals.is_empty() => {
                        self.error(e.span, "cannot tell the element type of an empty array here; give the variable a type");
                        return Value::Poison;
                    }
                    None => Ty::Int {
                        signed: true,
                        width: 32,
                    },
                };
                let mut bits = Vec::new();
                let mut public = true;
                for (v, sp) in vals {
                    match self.coerce(v, &elem, sp) {
                        Value::Bits {
                            bits: b, public: p, ..
                        } => {
                            bits.extend(b);
                            public &= p;
                        }
                        _ => return Value::Poison,
                    }
                }
                let n = items.len() as u32;
                Value::Bits {
                    ty: Ty::Array(Rc::new(elem), n),
                    bits,
                    public,
                }
            }
            ExprKind::Repeat(v, n) => {
                let elem: Option<Ty> = match expect {
                    Some(Ty::Array(t, _)) => Some(t.as_ref().clone()),
                    _ => None,
                };
                let val = self.expr(v, elem.as_ref());
                let val = match &elem {
                    Some(t) => self.coerce(val, t, v.span),
                    None => self.default_type(val, v.span),
                };
                let count = self.public_count(n, "a repeat count");
                let (Value::Bits { ty, bits, public }, Some(count)) = (val, count) else {
                    return Value::Poison;
                };
                if (bits.len() as u64).saturating_mul(count) > MAX_VALUE_BITS as u64 {
                    self.value_error(
                        e.span,
                        format!("the array is larger than the limit of {MAX_VALUE_BITS} bits"),
                    );
                    return Value::Poison;
                }
                let mut all = Vec::with_capacity(bits.len() * count as usize);
                for _ in 0..count {
                    all.extend_from_slice(&bits);
                }
                Value::Bits {
                    ty: Ty::Array(Rc::new(ty), count as u32),
                    bits: all,
                    public,
                }
            }
            ExprKind::Struct(name, fields) => self.struct_lit(name, fields, e.span),
            ExprKind::If(c, then, els) => self.if_expr(c, then, els.as_deref(), expect),
            ExprKind::Block(b) => self.block(b, expect),
        }
    }

    fn struct_lit(&mut self, name: &Ident, fields: &[(Ident, Expr)], span: Span) -> Value {
        let Some(&si) = self.structs.get(&name.name) else {
            for (_, e) in fields {
                self.expr(e, None);
            }
            self.error(name.span, format!("unknown struct `{}`", name.name));
            return Value::Poison;
        };
        let Some(def) = self.struct_def(si) else {
            return Value::Poison;
        };
        let mut parts: Vec<Option<Vec<WireId>>> = vec![None; def.fields.len()];
        let mut public = true;
        let mut ok = true;
        for (f, e) in fields {
            match def.fields.iter().position(|(n, _)| *n == f.name) {
                Some(k) => {
                    let fty = def.fields[k].1.clone();
                    let v = self.expr(e, Some(&fty));
                    let v = self.coerce(v, &fty, e.span);
                    if parts[k].is_some() {
                        self.error(f.span, format!("the field `{}` is given twice", f.name));
                    }
                    match v {
                        Value::Bits {
                            bits, public: p, ..
                        } => {
                            parts[k] = Some(bits);
                            public &= p;
                        }
                        _ => ok = false,
                    }
                }
                None => {
                    self.expr(e, None);
                    self.error(
                        f.span,
                        format!("the struct `{}` has no field `{}`", def.name, f.name),
                    );
                    ok = false;
                }
            }
        }
        let missing: Vec<String> = def
            .fields
            .iter()
            .zip(&parts)
            .filter(|(_, p)| p.is_none())
            .map(|((n, _), _)| format!("`{n}`"))
            .collect();
        if ok && !missing.is_empty() {
            self.error(
                span,
                format!(
                    "missing field{} {} in `{}`",
                    plural(missing.len()),
                    missing.join(", "),
                    def.name
                ),
            );
            return Value::Poison;
        }
        if !ok {
            return Value::Poison;
        }
        let bits = parts.into_iter().flatten().flatten().collect();
        Value::Bits {
            ty: Ty::Struct(def),
            bits,
            public,
        }
    }

    fn if_expr(
        &mut self,
        c: &Expr,
        then: &Block,
        els: Option<&Expr>,
        expect: Option<&Ty>,
    ) -> Value {
        let cv = self.expr(c, Some(&Ty::Bool));
        let cond = match cv {
            Value::Bits {
                ty: Ty::Bool, bits, ..
            } => bits[0],
            Value::Poison => {
                // Check both branches for errors anyway.
                let saved = self.scopes_snapshot();
                self.block(then, expect);
                self.scopes = saved;
                if let Some(e) = els {
                    let saved = self.scopes_snapshot();
                    self.expr(e, expect);
                    self.scopes = saved;
                }
                return Value::Poison;
            }
            other => {
                let ty = other.ty().unwrap_or(Ty::Lit);
                self.error(
                    c.span,
                    format!("the condition of `if` must be `bool`, found `{ty}`"),
                );
                return Value::Poison;
            }
        };
        let mut then_f = |l: &mut Self, ex: Option<&Ty>| l.block(then, ex);
        match els {
            Some(e) => {
                let mut else_f = |l: &mut Self, ex: Option<&Ty>| l.expr(e, ex);
                self.if_core(
                    cond,
                    c.span,
                    then.span,
                    Some(e.span),
                    &mut then_f,
                    Some(&mut else_f),
                    expect,
                    "if",
                )
            }
            None => self.if_core(
                cond,
                c.span,
                then.span,
                None,
                &mut then_f,
                None,
                expect,
                "if",
            ),
        }
    }

    /// `if cond { then } else { els }` for a condition wire: with a public
    /// condition only the taken branch is compiled (the other is checked
    /// once); with a secret one both run and every variable assigned in
    /// either, and the result, are merged by multiplexers. `what` names the
    /// construct in messages (`if`, `match`).
    #[allow(clippy::too_many_arguments)]
    fn if_core(
        &mut self,
        cond: WireId,
        cspan: Span,
        then_span: Span,
        else_span: Option<Span>,
        then: Branch<'_, 'p>,
        mut els: Option<Branch<'_, 'p>>,
        expect: Option<&Ty>,
        what: &str,
    ) -> Value {
        if let Some(v) = Builder::const_value(cond) {
            // A public condition: only the taken branch is compiled; the
            // other is type-checked once (see `checking`).
            let result = if v {
                then(self, expect)
            } else if let Some(e) = els.as_deref_mut() {
                e(self, expect)
            } else {
                Value::unit()
            };
            let dead_span = if v { else_span } else { Some(then_span) };
            if let Some(span) = dead_span {
                if self.dead_checked.insert(span.start) && !self.aborted {
                    let saved = self.scopes_snapshot();
                    self.checking += 1;
                    if v {
                        if let Some(e) = els.as_deref_mut() {
                            e(self, expect);
                        }
                    } else {
                        then(self, expect);
                    }
                    self.checking -= 1;
                    self.scopes = saved;
                }
            }
            return result;
        }
        let before = self.scopes_snapshot();
        let tv = then(self, expect);
        let then_scopes = std::mem::replace(&mut self.scopes, before);
        let expect2 = expect
            .cloned()
            .or_else(|| tv.ty().filter(|t| *t != Ty::Lit));
        let ev = match els.as_deref_mut() {
            Some(e) => e(self, expect2.as_ref()),
            None => Value::unit(),
        };
        // Merge: every variable assigned in either branch goes through a
        // multiplexer; bits equal in both branches fold away in the builder.
        let mut else_scopes = std::mem::take(&mut self.scopes);
        for (ts, es) in then_scopes.into_iter().zip(else_scopes.iter_mut()) {
            for (tv_, ev_) in ts.into_iter().zip(es.iter_mut()) {
                let name = ev_.name.clone();
                let declared = ev_.ty.clone().or(tv_.ty.clone());
                let merged = self.merge(
                    cond,
                    tv_.value,
                    std::mem::replace(&mut ev_.value, Value::Poison),
                    declared.as_ref(),
                    cspan,
                    (&name, what),
                );
                ev_.value = merged;
                if ev_.ty.is_none() {
                    ev_.ty = ev_.value.ty().filter(|t| *t != Ty::Lit);
                }
            }
        }
        self.scopes = else_scopes;
        let span = else_span.unwrap_or(then_span);
        if els.is_none() {
            if let Value::Bits { ty, .. } = &tv {
                if *ty != Ty::unit() {
                    self.error(
                        then_span,
                        format!(
                            "an `if` without `else` has no value, but this branch gives `{ty}`"
                        ),
                    );
                    return Value::Poison;
                }
            }
        }
        self.merge(cond, tv, ev, expect, span, ("", what))
    }

    fn scopes_snapshot(&self) -> Vec<Vec<Var>> {
        self.scopes
            .iter()
            .map(|s| {
                s.iter()
                    .map(|v| Var {
                        name: v.name.clone(),
                        value: v.value.clone(),
                        mutable: v.mutable,
                        ty: v.ty.clone(),
                    })
                    .collect()
            })
            .collect()
    }

    /// `if c { t } else { f }` on values of one type.
    fn merge(
        &mut self,
        c: WireId,
        t: Value,
        f: Value,
        declared: Option<&Ty>,
        span: Span,
        (name, what): (&str, &str),
    ) -> Value {
        let (t, f) = match (&t, &f) {
            (Value::Poison, _) | (_, Value::Poison) => return Value::Poison,
            (Value::Lit(a), Value::Lit(b)) if a == b => return t,
            _ if t.is_untyped() && f.is_untyped() => match declared {
                Some(ty) if *ty != Ty::Lit => {
                    let ty = ty.clone();
                    (self.coerce(t, &ty, span), self.coerce(f, &ty, span))
                }
                _ => {
                    // Still no type: merge as 128-bit values and remember the range.
                    let (tb, tlo, thi) = flex_parts(&t);
                    let (fb, flo, fhi) = flex_parts(&f);
                    let bits = g::mux(&mut self.b, c, &tb, &fb);
                    return Value::Flex {
                        bits,
                        lo: tlo.min(flo),
                        hi: thi.max(fhi),
                    };
                }
            },
            (Value::Lit(_) | Value::Flex { .. }, Value::Bits { ty, .. }) => {
                let ty = ty.clone();
                (self.coerce(t, &ty, span), f)
            }
            (Value::Bits { ty, .. }, Value::Lit(_) | Value::Flex { .. }) => {
                let ty = ty.clone();
                let f = self.coerce(f, &ty, span);
                (t, f)
            }
            _ => (t, f),
        };
        match (t, f) {
            (
                Value::Bits {
                    ty: t1,
                    bits: b1,
                    public: p1,
                },
                Value::Bits {
                    ty: t2,
                    bits: b2,
                    public: p2,
                },
            ) => {
                if t1 != t2 {
                    if name.is_empty() {
                        self.error(
                            span,
                            format!(
                                "the {} of `{what}` have different types: `{t1}` and `{t2}`",
                                if what == "match" { "arms" } else { "branches" }
                            ),
                        );
                    } else {
                        self.error(
                            span,
                            format!(
                                "`{name}` has type `{t1}` in one branch and `{t2}` in the other"
                            ),
                        );
                    }
                    return Value::Poison;
                }
                if b1 == b2 {
                    return Value::Bits {
                        ty: t1,
                        bits: b1,
                        public: p1 && p2,
                    };
                }
                let bits = g::mux(&mut self.b, c, &b1, &b2);
                Value::secret(t1, bits)
            }
            _ => Value::Poison,
        }
    }

    fn int_literal(&mut self, text: &str, span: Span, expect: Option<&Ty>) -> Value {
        // A suffix (`5u8`, `0xffu64`) gives the type, whatever the context.
        let (text, suffix) = split_suffix(text);
        let suffix_ty = suffix.and_then(|s| builtin_type(s).and_then(Result::ok));
        let expect = suffix_ty.as_ref().or(expect);
        match parse_i128(text) {
            Some(n) => match expect {
                Some(t @ Ty::Int { .. }) => self.lit_to_ty(n, t, span),
                _ => Value::Lit(n),
            },
            None => match expect {
                Some(Ty::Int { signed, width }) => {
                    let cty = if *signed {
                        circuits::Type::Signed(*width)
                    } else {
                        circuits::Type::Unsigned(*width)
                    };
                    match circuits::value::parse(&cty, text) {
                        Ok(bits) => Value::public(
                            expect.cloned().unwrap_or(Ty::Lit),
                            bits.into_iter().map(Builder::constant).collect(),
                        ),
                        Err(_) => {
                            self.value_error(
                                span,
                                format!(
                                    "the literal `{text}` does not fit in `{}`",
                                    expect.cloned().unwrap_or(Ty::Lit)
                                ),
                            );
                            Value::Poison
                        }
                    }
                }
                _ => {
                    self.error(span, format!("the literal `{text}` is too large for an untyped integer; give it a type"));
                    Value::Poison
                }
            },
        }
    }

    /// A public integer as a value of type `ty`, or an error if it does not fit.
    fn lit_to_ty(&mut self, n: i128, ty: &Ty, span: Span) -> Value {
        match ty {
            Ty::Int { signed, width } => {
                let w = *width;
                let fits = if *signed {
                    w >= 128 || (n >= -(1i128 << (w - 1)) && n < (1i128 << (w - 1)))
                } else {
                    n >= 0 && (w >= 127 || n < (1i128 << w))
                };
                if !fits {
                    self.value_error(span, format!("the literal `{n}` does not fit in `{ty}`"));
                    return Value::Poison;
                }
                Value::public(ty.clone(), i128_bits(n, w as usize))
            }
            Ty::Lit => Value::Lit(n),
            _ => {
                self.error(span, format!("expected `{ty}`, found an integer"));
                Value::Poison
            }
        }
    }

    /// Checks that `v` has type `ty`, giving an untyped literal that type.
    fn coerce(&mut self, v: Value, ty: &Ty, span: Span) -> Value {
        match v {
            Value::Poison => Value::Poison,
            Value::Lit(n) => self.lit_to_ty(n, ty, span),
            Value::Flex { bits, lo, hi } => match ty {
                Ty::Int { width, .. } => {
                    if !(fits(lo, ty) && fits(hi, ty)) {
                        self.value_error(span, format!("this integer may be any of {lo}..={hi}, which does not fit in `{ty}`"));
                        return Value::Poison;
                    }
                    Value::secret(ty.clone(), g::resize(&bits, *width as usize, true))
                }
                _ => {
                    self.error(span, format!("expected `{ty}`, found an integer"));
                    Value::Poison
                }
            },
            Value::Bits { ty: ref vt, .. } if vt == ty => v,
            Value::Bits { ty: vt, .. } => {
                self.error(span, format!("expected `{ty}`, found `{vt}`"));
                Value::Poison
            }
        }
    }

    /// An untyped integer with no context gets Rust's default, `i32`.
    fn default_type(&mut self, v: Value, span: Span) -> Value {
        if v.is_untyped() {
            self.coerce(
                v,
                &Ty::Int {
                    signed: true,
                    width: 32,
                },
                span,
            )
        } else {
            v
        }
    }

    fn unary(&mut self, op: UnOp, v: Value, span: Span, expect: Option<&Ty>) -> Value {
        let v = match (v, expect) {
            (Value::Lit(n), _) if op == UnOp::Neg => {
                return match n.checked_neg() {
                    Some(m) => match expect {
                        Some(t @ Ty::Int { .. }) => self.lit_to_ty(m, t, span),
                        _ => Value::Lit(m),
                    },
                    None => {
                        self.value_error(span, "integer overflow in a constant expression");
                        Value::Poison
                    }
                }
            }
            (Value::Lit(n), Some(t @ Ty::Int { .. })) => self.lit_to_ty(n, t, span),
            (v @ Value::Flex { .. }, Some(t @ Ty::Int { .. })) => self.coerce(v, t, span),
            (v @ Value::Flex { .. }, _) => self.default_type(v, span),
            (Value::Lit(n), _) => {
                // `!` needs a width: Rust's default.
                self.lit_to_ty(
                    n,
                    &Ty::Int {
                        signed: true,
                        width: 32,
                    },
                    span,
                )
            }
            (v, _) => v,
        };
        match v {
            Value::Bits {
                ty: Ty::Bool,
                bits,
                public,
            } if op == UnOp::Not => {
                let w = self.b.not(bits[0]);
                Value::boolean(w, public)
            }
            Value::Bits {
                ty: ty @ Ty::Int { .. },
                bits,
                public,
            } => {
                let out = match op {
                    UnOp::Not => bits.iter().map(|&w| self.b.not(w)).collect(),
                    UnOp::Neg => g::neg(&mut self.b, &bits),
                };
                Value::Bits {
                    ty,
                    bits: out,
                    public,
                }
            }
            Value::Poison => Value::Poison,
            Value::Bits { ty, .. } => {
                let sym = if op == UnOp::Neg { "-" } else { "!" };
                self.error(
                    span,
                    format!("cannot apply `{sym}` to a value of type `{ty}`"),
                );
                Value::Poison
            }
            Value::Lit(_) | Value::Flex { .. } => Value::Poison,
        }
    }

    /// Lowers `lv op r`. `lspan` is the left operand's span when known.
    fn binary(
        &mut self,
        op: BinOp,
        lv: Value,
        r: &Expr,
        span: Span,
        expect: Option<&Ty>,
        lspan: Option<Span>,
    ) -> Value {
        let lspan = lspan.unwrap_or(span);
        if matches!(op, BinOp::Shl | BinOp::Shr) {
            let rv = self.expr(r, None);
            return self.shift(op, lv, rv, span, r.span, expect);
        }
        // The operands share one type; an untyped literal takes the other's.
        let hint = match &lv {
            Value::Bits { ty, .. } => Some(ty.clone()),
            _ => expect.cloned().filter(|_| op.is_arith()),
        };
        let rv = self.expr(r, hint.as_ref());
        let (lv, rv) = match (&lv, &rv) {
            (Value::Lit(_) | Value::Flex { .. }, Value::Bits { ty, .. }) => {
                let ty = ty.clone();
                (self.coerce(lv, &ty, lspan), rv)
            }
            (Value::Bits { ty, .. }, Value::Lit(_) | Value::Flex { .. }) => {
                let ty = ty.clone();
                let rv = self.coerce(rv, &ty, r.span);
                (lv, rv)
            }
            (Value::Flex { .. }, _) | (_, Value::Flex { .. }) => {
                if let Some(v) = self.flex_binary(op, &lv, &rv) {
                    return v;
                }
                let ty = expect
                    .cloned()
                    .filter(|t| matches!(t, Ty::Int { .. }) && op.is_arith())
                    .unwrap_or(Ty::Int {
                        signed: true,
                        width: 32,
                    });
                let lv = self.coerce(lv, &ty, lspan);
                let rv = self.coerce(rv, &ty, r.span);
                (lv, rv)
            }
            _ => (lv, rv),
        };
        match (lv, rv) {
            (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
            (Value::Lit(a), Value::Lit(b)) => self.lit_binary(op, a, b, span),
            (
                Value::Bits {
                    ty: t1,
                    bits: a,
                    public: p1,
                },
                Value::Bits {
                    ty: t2,
                    bits: b,
                    public: p2,
                },
            ) => {
                if t1 != t2 {
                    self.error(span, format!("mismatched types: `{t1}` {} `{t2}` (both operands of a binary operator have the same type; convert one with `as`)", op.symbol()));
                    return Value::Poison;
                }
                let public = p1 && p2;
                self.typed_binary(op, t1, &a, &b, public, span)
            }
            _ => Value::Poison,
        }
    }

    /// `+ - *` and comparisons between untyped integers at least one of
    /// which is secret: still untyped, with the range carried along. Done on
    /// 128 bits; once the result takes a type, the bits above its width feed
    /// nothing and dead-gate removal drops them (carries only run upward).
    /// Comparisons use only the width the two ranges need. `None` for other
    /// operators or when a range leaves 128 bits: the operands then become `i32`.
    fn flex_binary(&mut self, op: BinOp, l: &Value, r: &Value) -> Option<Value> {
        let (a, alo, ahi) = flex_parts(l);
        let (b, blo, bhi) = flex_parts(r);
        let range = |f: fn(i128, i128) -> Option<i128>| -> Option<(i128, i128)> {
            let c = [f(alo, blo)?, f(alo, bhi)?, f(ahi, blo)?, f(ahi, bhi)?];
            Some((*c.iter().min()?, *c.iter().max()?))
        };
        let bld = &mut self.b;
        let (bits, lo, hi) = match op {
            BinOp::Add => {
                let (lo, hi) = range(i128::checked_add)?;
                (g::add(bld, &a, &b, F), lo, hi)
            }
            BinOp::Sub => {
                let (lo, hi) = range(i128::checked_sub)?;
                (g::sub(bld, &a, &b), lo, hi)
            }
            BinOp::Mul => {
                let (lo, hi) = range(i128::checked_mul)?;
                (g::mul(bld, &a, &b), lo, hi)
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                // Signed width that holds both ranges.
                let need = |n: i128| 129 - (if n < 0 { !n } else { n }).leading_zeros() as usize;
                let w = [alo, ahi, blo, bhi]
                    .iter()
                    .map(|&n| need(n))
                    .max()
                    .unwrap_or(1)
                    .min(128);
                let (a, b) = (&a[..w], &b[..w]);
                let w = match op {
                    BinOp::Eq => g::eq(bld, a, b),
                    BinOp::Ne => {
                        let e = g::eq(bld, a, b);
                        bld.not(e)
                    }
                    BinOp::Lt => g::lt(bld, a, b, true),
                    BinOp::Gt => g::lt(bld, b, a, true),
                    BinOp::Le => {
                        let t = g::lt(bld, b, a, true);
                        bld.not(t)
                    }
                    _ => {
                        let t = g::lt(bld, a, b, true);
                        bld.not(t)
                    }
                };
                return Some(Value::boolean(w, false));
            }
            _ => return None,
        };
        Some(Value::Flex { bits, lo, hi })
    }

    fn lit_binary(&mut self, op: BinOp, a: i128, b: i128, span: Span) -> Value {
        let v = match op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div | BinOp::Rem if b == 0 => {
                self.value_error(
                    span,
                    "division by zero in a constant expression without a type",
                );
                return Value::Poison;
            }
            BinOp::Div => a.checked_div(b),
            BinOp::Rem => a.checked_rem(b),
            BinOp::And => Some(a & b),
            BinOp::Or => Some(a | b),
            BinOp::Xor => Some(a ^ b),
            BinOp::Eq => return Value::boolean(Builder::constant(a == b), true),
            BinOp::Ne => return Value::boolean(Builder::constant(a != b), true),
            BinOp::Lt => return Value::boolean(Builder::constant(a < b), true),
            BinOp::Le => return Value::boolean(Builder::constant(a <= b), true),
            BinOp::Gt => return Value::boolean(Builder::constant(a > b), true),
            BinOp::Ge => return Value::boolean(Builder::constant(a >= b), true),
            BinOp::LogicAnd | BinOp::LogicOr => {
                self.error(
                    span,
                    format!("`{}` works on `bool`, found integers", op.symbol()),
                );
                return Value::Poison;
            }
            BinOp::Shl | BinOp::Shr => None,
        };
        match v {
            Some(v) => Value::Lit(v),
            None => {
                self.value_error(
                    span,
                    "integer overflow in a constant expression; give the operands a type",
                );
                Value::Poison
            }
        }
    }

    fn typed_binary(
        &mut self,
        op: BinOp,
        ty: Ty,
        a: &[WireId],
        b: &[WireId],
        public: bool,
        span: Span,
    ) -> Value {
        let bld = &mut self.b;
        let int = match &ty {
            Ty::Int { signed, .. } => Some(*signed),
            _ => None,
        };
        let is_bool = ty == Ty::Bool;
        let out = |bits: Vec<WireId>| Value::Bits {
            ty: ty.clone(),
            bits,
            public,
        };
        let boolean = |w: WireId| Value::boolean(w, public);
        match op {
            BinOp::Eq | BinOp::Ne => {
                let e = g::eq(bld, a, b);
                return boolean(if op == BinOp::Eq { e } else { bld.not(e) });
            }
            BinOp::LogicAnd | BinOp::LogicOr if is_bool => {
                let w = if op == BinOp::LogicAnd {
                    bld.and(a[0], b[0])
                } else {
                    bld.or(a[0], b[0])
                };
                return boolean(w);
            }
            BinOp::And | BinOp::Or | BinOp::Xor if is_bool || int.is_some() => {
                let bits = a
                    .iter()
                    .zip(b)
                    .map(|(&x, &y)| match op {
                        BinOp::And => bld.and(x, y),
                        BinOp::Or => bld.or(x, y),
                        _ => bld.xor(x, y),
                    })
                    .collect();
                return out(bits);
            }
            _ => {}
        }
        let signed = match int {
            Some(s) => s,
            None if is_bool && matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) => false,
            None => {
                let what = if matches!(op, BinOp::LogicAnd | BinOp::LogicOr) {
                    "`bool`"
                } else {
                    "integers"
                };
                self.error(
                    span,
                    format!("`{}` works on {what}, found `{ty}`", op.symbol()),
                );
                return Value::Poison;
            }
        };
        match op {
            BinOp::Add => out(g::add(bld, a, b, F)),
            BinOp::Sub => out(g::sub(bld, a, b)),
            BinOp::Mul => {
                let constant = |v: &[WireId]| -> Option<Vec<bool>> {
                    v.iter().map(|&w| Builder::const_value(w)).collect()
                };
                match (constant(a), constant(b)) {
                    (Some(_), Some(_)) => out(g::mul(bld, a, b)),
                    (Some(c), None) => out(g::mul_const(bld, b, &c)),
                    (None, Some(c)) => out(g::mul_const(bld, a, &c)),
                    (None, None) => out(g::mul(bld, a, b)),
                }
            }
            BinOp::Div | BinOp::Rem => {
                let (q, r) = if signed {
                    g::divmod_signed(bld, a, b)
                } else {
                    g::divmod_unsigned(bld, a, b)
                };
                out(if op == BinOp::Div { q } else { r })
            }
            BinOp::Lt => boolean(g::lt(bld, a, b, signed)),
            BinOp::Gt => boolean(g::lt(bld, b, a, signed)),
            BinOp::Le => {
                let w = g::lt(bld, b, a, signed);
                boolean(bld.not(w))
            }
            BinOp::Ge => {
                let w = g::lt(bld, a, b, signed);
                boolean(bld.not(w))
            }
            _ => {
                self.error(
                    span,
                    format!("`{}` works on `bool`, found `{ty}`", op.symbol()),
                );
                Value::Poison
            }
        }
    }

    fn shift(
        &mut self,
        op: BinOp,
        lv: Value,
        rv: Value,
        span: Span,
        rspan: Span,
        expect: Option<&Ty>,
    ) -> Value {
        let lv = match (lv, expect) {
            (Value::Lit(n), Some(t @ Ty::Int { .. })) => self.lit_to_ty(n, t, span),
            (v @ Value::Flex { .. }, Some(t @ Ty::Int { .. })) => self.coerce(v, t, span),
            (v @ Value::Flex { .. }, _) => self.default_type(v, span),
            (v, _) => v,
        };
        let rv = match rv {
            v @ Value::Flex { .. } => self.coerce(
                v,
                &Ty::Int {
                    signed: false,
                    width: 128,
                },
                rspan,
            ),
            v => v,
        };
        match (&lv, &rv) {
            (Value::Poison, _) | (_, Value::Poison) => return Value::Poison,
            (_, Value::Lit(k)) if *k < 0 => {
                self.error(rspan, "a shift amount cannot be negative");
                return Value::Poison;
            }
            (
                _,
                Value::Bits {
                    ty: Ty::Int { signed: false, .. },
                    ..
                },
            )
            | (_, Value::Lit(_)) => {}
            (_, Value::Flex { .. }) => return Value::Poison,
            (_, Value::Bits { ty, .. }) => {
                self.error(
                    rspan,
                    format!("a shift amount must be an unsigned integer, found `{ty}`"),
                );
                return Value::Poison;
            }
        }
        let left = op == BinOp::Shl;
        match (lv, rv) {
            (Value::Lit(a), Value::Lit(k)) => {
                let v = if k >= 127 {
                    None
                } else if left {
                    a.checked_mul(1i128 << k)
                } else {
                    Some(a >> k)
                };
                match v {
                    Some(v) => Value::Lit(v),
                    None => {
                        self.value_error(
                            span,
                            "integer overflow in a constant expression; give the operands a type",
                        );
                        Value::Poison
                    }
                }
            }
            (Value::Lit(_), _) => {
                self.error(span, "the value shifted by a typed amount needs a type; write it as `(1 as u32) << k`");
                Value::Poison
            }
            (
                Value::Bits {
                    ty: ty @ Ty::Int { .. },
                    bits,
                    public,
                },
                amount,
            ) => {
                let signed = matches!(ty, Ty::Int { signed: true, .. });
                let fill = if signed && !left {
                    *bits.last().unwrap_or(&F)
                } else {
                    F
                };
                let (k, p2) = match &amount {
                    Value::Lit(k) => (Some(*k as u64), true),
                    Value::Bits {
                        bits: kb,
                        public: p,
                        ..
                    } => (const_to_u64_sat(kb), *p),
                    _ => (None, false),
                };
                let out = match (k, &amount) {
                    (Some(k), _) => {
                        if left {
                            g::shl_const(&bits, k)
                        } else {
                            g::shr_const(&bits, k, fill)
                        }
                    }
                    (None, Value::Bits { bits: kb, .. }) => {
                        g::shift(&mut self.b, &bits, kb, left, fill)
                    }
                    _ => return Value::Poison,
                };
                Value::Bits {
                    ty,
                    bits: out,
                    public: public && p2,
                }
            }
            (Value::Bits { ty, .. }, _) => {
                self.error(span, format!("cannot shift a value of type `{ty}`"));
                Value::Poison
            }
            _ => Value::Poison,
        }
    }

    fn cast(&mut self, v: Value, target: &Ty, span: Span) -> Value {
        match (v, target) {
            (Value::Poison, _) => Value::Poison,
            (Value::Lit(n), Ty::Int { width, .. }) => {
                Value::public(target.clone(), i128_bits(n, *width as usize))
            }
            (Value::Flex { bits, .. }, Ty::Int { width, .. }) => {
                Value::secret(target.clone(), g::resize(&bits, *width as usize, true))
            }
            (
                Value::Bits {
                    ty: Ty::Int { signed, .. },
                    bits,
                    public,
                },
                Ty::Int { width, .. },
            ) => Value::Bits {
                ty: target.clone(),
                bits: g::resize(&bits, *width as usize, signed),
                public,
            },
            (
                Value::Bits {
                    ty: Ty::Bool,
                    bits,
                    public,
                },
                Ty::Int { width, .. },
            ) => Value::Bits {
                ty: target.clone(),
                bits: g::resize(&bits, *width as usize, false),
                public,
            },
            (
                Value::Bits {
                    ty: Ty::Bool,
                    bits,
                    public,
                },
                Ty::Bool,
            ) => Value::Bits {
                ty: Ty::Bool,
                bits,
                public,
            },
            (v, _) => {
                let from = v.ty().unwrap_or(Ty::Lit);
                let hint = if *target == Ty::Bool {
                    " (compare with 0 instead)"
                } else {
                    ""
                };
                self.error(span, format!("cannot cast `{from}` as `{target}`{hint}"));
                Value::Poison
            }
        }
    }

    fn method(
        &mut self,
        recv: &Expr,
        m: &Ident,
        args: &[Expr],
        span: Span,
        expect: Option<&Ty>,
    ) -> Value {
        match m.name.as_str() {
            "min" | "max" => {
                let rv = self.expr(recv, expect);
                if args.len() != 1 {
                    for a in args {
                        self.expr(a, None);
                    }
                    self.error(
                        span,
                        format!("`.{}` takes one argument, {} given", m.name, args.len()),
                    );
                    return Value::Poison;
                }
                let hint = rv
                    .ty()
                    .filter(|t| *t != Ty::Lit)
                    .or_else(|| expect.cloned());
                let av = self.expr(&args[0], hint.as_ref());
                let (rv, av) = match (&rv, &av) {
                    (Value::Lit(_) | Value::Flex { .. }, Value::Bits { ty, .. }) => {
                        let ty = ty.clone();
                        (self.coerce(rv, &ty, recv.span), av)
                    }
                    (Value::Bits { ty, .. }, Value::Lit(_) | Value::Flex { .. }) => {
                        let ty = ty.clone();
                        let av = self.coerce(av, &ty, args[0].span);
                        (rv, av)
                    }
                    (Value::Flex { .. }, _) | (_, Value::Flex { .. }) => {
                        let rv = self.default_type(rv, recv.span);
                        let av = self.default_type(av, args[0].span);
                        (rv, av)
                    }
                    _ => (rv, av),
                };
                let is_max = m.name == "max";
                match (rv, av) {
                    (Value::Lit(a), Value::Lit(b)) => {
                        Value::Lit(if is_max { a.max(b) } else { a.min(b) })
                    }
                    (
                        Value::Bits {
                            ty: t1 @ Ty::Int { signed, .. },
                            bits: a,
                            public: p1,
                        },
                        Value::Bits {
                            ty: t2,
                            bits: b,
                            public: p2,
                        },
                    ) => {
                        if t1 != t2 {
                            self.error(span, format!("mismatched types: `{t1}.{}({t2})`", m.name));
                            return Value::Poison;
                        }
                        // One comparison; max by a mux and min = a ^ b ^ max (free).
                        let lt = g::lt(&mut self.b, &a, &b, signed);
                        let max = g::mux(&mut self.b, lt, &b, &a);
                        let bits = if is_max {
                            max
                        } else {
                            a.iter()
                                .zip(&b)
                                .zip(&max)
                                .map(|((&x, &y), &z)| {
                                    let t = self.b.xor(x, y);
                                    self.b.xor(t, z)
                                })
                                .collect()
                        };
                        Value::Bits {
                            ty: t1,
                            bits,
                            public: p1 && p2,
                        }
                    }
                    (Value::Poison, _) | (_, Value::Poison) => Value::Poison,
                    (v, _) => {
                        let ty = v.ty().unwrap_or(Ty::Lit);
                        self.error(
                            span,
                            format!("`.{}` works on integers, found `{ty}`", m.name),
                        );
                        Value::Poison
                    }
                }
            }
            "len" => {
                let rv = self.expr(recv, None);
                for a in args {
                    self.expr(a, None);
                }
                if !args.is_empty() {
                    self.error(span, "`.len()` takes no arguments");
                    return Value::Poison;
                }
                match rv {
                    Value::Bits {
                        ty: Ty::Array(_, n),
                        ..
                    } => Value::Lit(i128::from(n)),
                    Value::Poison => Value::Poison,
                    v => {
                        let ty = v.ty().unwrap_or(Ty::Lit);
                        self.error(span, format!("`.len()` works on arrays, found `{ty}`"));
                        Value::Poison
                    }
                }
            }
            other => {
                self.expr(recv, None);
                for a in args {
                    self.expr(a, None);
                }
                self.error(
                    m.span,
                    format!(
                        "unknown method `.{other}()` (the language has `.min`, `.max` and `.len`)"
                    ),
                );
                Value::Poison
            }
        }
    }

    fn field(&mut self, v: Value, f: &Ident) -> Value {
        match v {
            Value::Poison => Value::Poison,
            Value::Bits { ty, bits, public } => match field_of(&ty, &f.name) {
                Some((off, fty)) => {
                    let w = fty.width();
                    Value::Bits {
                        ty: fty,
                        bits: bits[off..off + w].to_vec(),
                        public,
                    }
                }
                None => {
                    self.error(f.span, format!("`{ty}` has no field `{}`", f.name));
                    Value::Poison
                }
            },
            Value::Lit(_) | Value::Flex { .. } => {
                self.error(f.span, format!("an integer has no field `{}`", f.name));
                Value::Poison
            }
        }
    }

    fn index_of(&mut self, iv: &Value, len: u32, span: Span) -> Option<Index> {
        match iv {
            Value::Poison => None,
            Value::Lit(k) => {
                if *k < 0 || *k >= i128::from(len) {
                    self.value_error(
                        span,
                        format!("index {k} is out of range for an array of length {len}"),
                    );
                    return None;
                }
                Some(Index::Public(*k as usize))
            }
            Value::Flex { bits, lo, .. } => {
                if *lo < 0 {
                    self.value_error(
                        span,
                        format!("an array index cannot be negative, and this one may be {lo}"),
                    );
                    return None;
                }
                Some(Index::Secret(bits.clone()))
            }
            Value::Bits {
                ty: Ty::Int { signed: false, .. },
                bits,
                public,
            } => {
                if *public {
                    let k = const_to_u64_sat(bits).unwrap_or(u64::MAX);
                    if k >= u64::from(len) {
                        self.value_error(
                            span,
                            format!("index {k} is out of range for an array of length {len}"),
                        );
                        return None;
                    }
                    return Some(Index::Public(k as usize));
                }
                if let Some(k) = const_to_u64_sat(bits) {
                    // Folded to a constant though it depends on an input: out of range reads zero.
                    if k < u64::from(len) {
                        return Some(Index::Public(k as usize));
                    }
                }
                Some(Index::Secret(bits.clone()))
            }
            Value::Bits { ty, .. } => {
                self.error(
                    span,
                    format!("an array index must be an unsigned integer, found `{ty}`"),
                );
                None
            }
        }
    }

    fn index(&mut self, a: Value, i: Value, span: Span) -> Value {
        let (ety, len, bits, public) = match a {
            Value::Poison => return Value::Poison,
            Value::Bits {
                ty: Ty::Array(t, n),
                bits,
                public,
            } => (t.as_ref().clone(), n, bits, public),
            v => {
                let ty = v.ty().unwrap_or(Ty::Lit);
                self.error(span, format!("cannot index into a value of type `{ty}`"));
                return Value::Poison;
            }
        };
        let w = ety.width();
        match self.index_of(&i, len, span) {
            Some(Index::Public(k)) => Value::Bits {
                ty: ety,
                bits: bits[k * w..(k + 1) * w].to_vec(),
                public: public && i.is_public(),
            },
            Some(Index::Secret(ib)) => {
                Value::secret(ety, g::read_index(&mut self.b, &bits, w, &ib))
            }
            None => Value::Poison,
        }
    }
}

/// One branch of an `if` (or arm of a `match`) for [`Lowerer::if_core`]:
/// lowers it with the expected type and gives its value.
type Branch<'a, 'p> = &'a mut dyn FnMut(&mut Lowerer<'p>, Option<&Ty>) -> Value;

enum Index {
    Public(usize),
    Secret(Vec<WireId>),
}

/// One step of an assignment path into a variable's bits.
enum Step {
    Offset(usize),
    /// A secret index: the index bits, element width, array length.
    Secret(Vec<WireId>, usize, u32),
}

/// Writes `value` at the place `steps` describes inside `bits` (starting at
/// `base`), where `enable` says whether the write happens: a secret index
/// decodes into one enable per element (out of range writes nothing).
fn write_path(
    b: &mut Builder,
    bits: &mut [WireId],
    base: usize,
    steps: &[Step],
    value: &[WireId],
    enable: WireId,
) {
    match steps.split_first() {
        None => {
            for (k, &v) in value.iter().enumerate() {
                bits[base + k] = b.mux(enable, v, bits[base + k]);
            }
        }
        Some((Step::Offset(off), rest)) => write_path(b, bits, base + off, rest, value, enable),
        Some((Step::Secret(idx, w, len), rest)) => {
            let sel = g::decode(b, idx, *len as usize);
            for (j, &s) in sel.iter().enumerate() {
                let en = b.and(enable, s);
                write_path(b, bits, base + j * w, rest, value, en);
            }
        }
    }
}

/// The digits of an integer literal and its type suffix (`u8` of `5u8`).
fn split_suffix(text: &str) -> (&str, Option<&str>) {
    match text.find(['u', 'i']) {
        Some(k) => (&text[..k], Some(&text[k..])),
        None => (text, None),
    }
}

fn parse_i128(text: &str) -> Option<i128> {
    if let Some(h) = text.strip_prefix("0x") {
        i128::from_str_radix(h, 16).ok()
    } else if let Some(b) = text.strip_prefix("0b") {
        i128::from_str_radix(b, 2).ok()
    } else {
        text.parse().ok()
    }
}

/// The two's-complement bits of `n`, `width` of them, as constant wires.
fn i128_bits(n: i128, width: usize) -> Vec<WireId> {
    (0..width)
        .map(|i| Builder::constant(if i < 128 { (n >> i) & 1 == 1 } else { n < 0 }))
        .collect()
}

/// The value of constant bits, if they are all constant and fit an i128.
fn const_to_i128(bits: &[WireId], signed: bool) -> Option<i128> {
    let vals: Option<Vec<bool>> = bits.iter().map(|&w| Builder::const_value(w)).collect();
    let vals = vals?;
    let neg = signed && vals.last() == Some(&true);
    if vals.len() > 127 && vals[127..].iter().any(|&b| b != neg) {
        return None;
    }
    let mut n: i128 = if neg { -1 } else { 0 };
    for (i, &b) in vals.iter().enumerate().take(127) {
        if b != neg {
            n ^= 1 << i;
        }
    }
    Some(n)
}

/// The unsigned value of constant bits, saturating at `u64::MAX`.
fn const_to_u64_sat(bits: &[WireId]) -> Option<u64> {
    let mut n = 0u64;
    for (i, &w) in bits.iter().enumerate() {
        let b = Builder::const_value(w)?;
        if b {
            if i >= 64 {
                n = u64::MAX;
            } else {
                n |= 1 << i;
            }
        }
    }
    Some(n)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

impl BinOp {
    /// Operators whose result has the operands' type.
    fn is_arith(self) -> bool {
        matches!(
            self,
            BinOp::Add
                | BinOp::Sub
                | BinOp::Mul
                | BinOp::Div
                | BinOp::Rem
                | BinOp::And
                | BinOp::Or
                | BinOp::Xor
                | BinOp::Shl
                | BinOp::Shr
        )
    }
}

/// The 128-bit two's-complement wires and range of an untyped integer.
fn flex_parts(v: &Value) -> (Vec<WireId>, i128, i128) {
    match v {
        Value::Lit(n) => (i128_bits(*n, 128), *n, *n),
        Value::Flex { bits, lo, hi } => (bits.clone(), *lo, *hi),
        _ => (i128_bits(0, 128), 0, 0),
    }
}

/// Whether the integer `n` fits the integer type `ty`.
fn fits(n: i128, ty: &Ty) -> bool {
    match ty {
        Ty::Int {
            signed: true,
            width,
        } => *width >= 128 || (n >= -(1i128 << (width - 1)) && n < (1i128 << (width - 1))),
        Ty::Int {
            signed: false,
            width,
        } => n >= 0 && (*width >= 127 || n < (1i128 << width)),
        _ => false,
    }
}
