//! Checking: the names, types and constants of a program, before and
//! while the walk of `lower.rs` turns it into gates. Items are declared and
//! checked for duplicates, helper call cycles and constant cycles are found
//! and named in full, type expressions resolve to [`Ty`], and struct
//! layouts are fixed here; what a value's type is at each expression is
//! decided by the walk, which calls back into these for every name and type
//! it meets.

use super::*;

impl<'p> Lowerer<'p> {
    pub(super) fn declare_items(&mut self) {
        let prog = self.prog;
        let mut names: HashSet<&str> = HashSet::new();
        for (i, c) in prog.consts.iter().enumerate() {
            if names.insert(c.name.name.as_str()) {
                self.consts.insert(c.name.name.clone(), i);
            } else {
                self.error(
                    c.name.span,
                    format!("the name `{}` is defined twice", c.name.name),
                );
            }
        }
        for (i, f) in prog.fns.iter().enumerate() {
            let party = match &f.ret_parties {
                RetParties::Both => None,
                RetParties::Whole(p) => Some(p),
                RetParties::Elems(ps) => ps.iter().flatten().next(),
            };
            if let (Some(p), false) = (party, f.name.name == "main") {
                self.error(
                    p.span,
                    format!(
                        "only `main`'s result says who learns it: `{}` is a helper, remove `{}`",
                        f.name.name, p.name
                    ),
                );
            }
            if names.insert(f.name.name.as_str()) {
                self.fns.insert(f.name.name.clone(), i);
            } else {
                self.error(
                    f.name.span,
                    format!("the name `{}` is defined twice", f.name.name),
                );
            }
        }
        let mut types: HashSet<&str> = HashSet::new();
        for (i, s) in prog.structs.iter().enumerate() {
            if !types.insert(s.name.name.as_str()) {
                self.error(
                    s.name.span,
                    format!("the struct `{}` is defined twice", s.name.name),
                );
            } else if builtin_type(&s.name.name).is_some() {
                self.error(s.name.span, format!("`{}` is a built-in type", s.name.name));
            } else if s.name.name == "Option" {
                self.error(s.name.span, "`Option` is the prelude's enum");
            } else {
                self.structs.insert(s.name.name.clone(), i);
            }
        }
        for (i, e) in prog.enums.iter().enumerate() {
            if !types.insert(e.name.name.as_str()) {
                self.error(
                    e.name.span,
                    format!("the type `{}` is defined twice", e.name.name),
                );
            } else if builtin_type(&e.name.name).is_some() || e.name.name == "Option" {
                self.error(e.name.span, format!("`{}` is a built-in type", e.name.name));
            } else if e.variants.is_empty() {
                self.error(
                    e.name.span,
                    format!(
                        "the enum `{}` has no variants: it needs at least one",
                        e.name.name
                    ),
                );
            } else {
                self.enums.insert(e.name.name.clone(), i);
            }
        }
    }

    /// The resolved declaration of enum `i` (its payload types), once.
    pub(super) fn enum_def(&mut self, i: usize) -> Option<Rc<EnumDef>> {
        if let Some(d) = &self.enum_defs[i] {
            return Some(d.clone());
        }
        let prog = self.prog;
        let e = &prog.enums[i];
        if self.enum_busy[i] {
            self.error(
                e.name.span,
                format!("the enum `{}` contains itself", e.name.name),
            );
            return None;
        }
        self.enum_busy[i] = true;
        let mut ok = true;
        let mut variants = Vec::new();
        let mut seen = HashSet::new();
        for v in &e.variants {
            if !seen.insert(v.name.name.as_str()) {
                self.error(
                    v.name.span,
                    format!("the variant `{}` is declared twice", v.name.name),
                );
                ok = false;
            }
            let (fields, named, tuple) = match &v.fields {
                VariantFieldsAst::Unit => (Vec::new(), false, false),
                VariantFieldsAst::Tuple(ts) => {
                    let mut fs = Vec::new();
                    for (k, t) in ts.iter().enumerate() {
                        match self.resolve_ty(t) {
                            Some(t) => fs.push((k.to_string(), t)),
                            None => ok = false,
                        }
                    }
                    (fs, false, true)
                }
                VariantFieldsAst::Named(ds) => {
                    let mut fs = Vec::new();
                    let mut names = HashSet::new();
                    for (f, t) in ds {
                        if !names.insert(f.name.as_str()) {
                            self.error(f.span, format!("the field `{}` is declared twice", f.name));
                            ok = false;
                        }
                        match self.resolve_ty(t) {
                            Some(t) => fs.push((f.name.clone(), t)),
                            None => ok = false,
                        }
                    }
                    (fs, true, false)
                }
            };
            variants.push(VariantDef {
                name: v.name.name.clone(),
                fields,
                named,
                tuple,
            });
        }
        self.enum_busy[i] = false;
        if !ok {
            return None;
        }
        let d = Rc::new(EnumDef {
            name: e.name.name.clone(),
            variants,
        });
        if Ty::Enum(d.clone()).width() > MAX_VALUE_BITS {
            self.error(
                e.name.span,
                format!(
                    "the enum `{}` is larger than {MAX_VALUE_BITS} bits",
                    e.name.name
                ),
            );
            return None;
        }
        self.enum_defs[i] = Some(d.clone());
        Some(d)
    }

    /// Helpers are inlined, so a call cycle cannot be compiled: report each
    /// cycle once, at the call that closes it, naming its functions.
    pub(super) fn find_cycles(&mut self) {
        let prog = self.prog;
        let calls: Vec<Vec<(usize, Span)>> = prog
            .fns
            .iter()
            .map(|f| {
                let mut out = Vec::new();
                calls_in_block(&f.body, &mut |id: &Ident| {
                    if let Some(&j) = self.fns.get(&id.name) {
                        out.push((j, id.span));
                    }
                });
                out
            })
            .collect();
        let n = prog.fns.len();
        let mut state = vec![0u8; n]; // 0 unseen, 1 on the path, 2 finished
        let mut found: Vec<(Vec<usize>, Span)> = Vec::new();
        for root in 0..n {
            if state[root] != 0 {
                continue;
            }
            // Iterative DFS: (function, next call to look at).
            let mut path: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = 1;
            while let Some(&mut (v, ref mut k)) = path.last_mut() {
                if let Some(&(w, sp)) = calls[v].get(*k) {
                    *k += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            path.push((w, 0));
                        }
                        1 => {
                            let pos = path.iter().position(|&(x, _)| x == w).unwrap_or(0);
                            let members: Vec<usize> = path[pos..].iter().map(|&(x, _)| x).collect();
                            found.push((members, sp));
                        }
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    path.pop();
                }
            }
        }
        for (members, sp) in found {
            if members.iter().any(|&m| self.in_cycle[m]) {
                continue;
            }
            let mut names: Vec<String> = members
                .iter()
                .map(|&f| format!("`{}`", prog.fns[f].name.name))
                .collect();
            names.push(names[0].clone());
            for &m in &members {
                self.in_cycle[m] = true;
            }
            self.error(
                sp,
                format!(
                    "recursive call: {} (functions are inlined, so recursion is not allowed)",
                    names.join(" -> ")
                ),
            );
        }
    }

    // ---------------------------------------------------------------- types

    pub(super) fn struct_def(&mut self, i: usize) -> Option<Rc<StructDef>> {
        if let Some(d) = &self.struct_defs[i] {
            return Some(d.clone());
        }
        let prog = self.prog;
        let s = &prog.structs[i];
        if self.struct_busy[i] {
            self.error(
                s.name.span,
                format!("the struct `{}` contains itself", s.name.name),
            );
            return None;
        }
        self.struct_busy[i] = true;
        let mut fields = Vec::new();
        let mut ok = true;
        let mut seen = HashSet::new();
        for (f, t) in &s.fields {
            if !seen.insert(f.name.as_str()) {
                self.error(f.span, format!("the field `{}` is declared twice", f.name));
                ok = false;
            }
            match self.resolve_ty(t) {
                Some(t) => fields.push((f.name.clone(), t)),
                None => ok = false,
            }
        }
        self.struct_busy[i] = false;
        if !ok {
            return None;
        }
        let d = Rc::new(StructDef {
            name: s.name.name.clone(),
            fields,
        });
        if d.fields
            .iter()
            .map(|(_, t)| t.width())
            .fold(0usize, usize::saturating_add)
            > MAX_VALUE_BITS
        {
            self.error(
                s.name.span,
                format!(
                    "the struct `{}` is larger than {MAX_VALUE_BITS} bits",
                    s.name.name
                ),
            );
            return None;
        }
        self.struct_defs[i] = Some(d.clone());
        Some(d)
    }

    pub(super) fn resolve_ty(&mut self, t: &TypeExpr) -> Option<Ty> {
        let ty = match t {
            TypeExpr::Named(id) => {
                if let Some(ty) = builtin_type(&id.name) {
                    match ty {
                        Ok(ty) => ty,
                        Err(msg) => {
                            self.error(id.span, msg);
                            return None;
                        }
                    }
                } else if let Some(&i) = self.structs.get(&id.name) {
                    Ty::Struct(self.struct_def(i)?)
                } else if let Some(&i) = self.enums.get(&id.name) {
                    Ty::Enum(self.enum_def(i)?)
                } else if id.name == "Option" {
                    self.error(id.span, "`Option` needs its payload type: `Option<u8>`");
                    return None;
                } else {
                    self.error(id.span, format!("unknown type `{}`", id.name));
                    return None;
                }
            }
            TypeExpr::Array(elem, len, _) => {
                let e = self.resolve_ty(elem);
                let n = self.public_count(len, "an array length");
                Ty::Array(Rc::new(e?), n? as u32)
            }
            TypeExpr::Tuple(ts, _) => {
                let mut out = Vec::new();
                let mut ok = true;
                for t in ts {
                    match self.resolve_ty(t) {
                        Some(t) => out.push(t),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Ty::Tuple(Rc::from(out))
            }
            TypeExpr::Generic(id, args, _) => {
                if id.name != "Option" {
                    self.error(
                        id.span,
                        format!(
                            "`{}` takes no type arguments (only `Option<T>` does)",
                            id.name
                        ),
                    );
                    return None;
                }
                if args.len() != 1 {
                    self.error(t.span(), "`Option` takes one type argument: `Option<u8>`");
                    return None;
                }
                Ty::Enum(Rc::new(EnumDef::option(self.resolve_ty(&args[0])?)))
            }
        };
        if ty.width() > MAX_VALUE_BITS {
            self.value_error(
                t.span(),
                format!("the type `{ty}` is larger than the limit of {MAX_VALUE_BITS} bits"),
            );
            return None;
        }
        Some(ty)
    }

    /// Evaluates a public, non-negative count (array length, repeat count).
    pub(super) fn public_count(&mut self, e: &Expr, what: &str) -> Option<u64> {
        let saved = std::mem::take(&mut self.scopes);
        let v = self.expr(e, None);
        self.scopes = saved;
        let n = self.public_int(&v, e.span, what)?;
        if n < 0 || n > u32::MAX as i128 {
            self.value_error(
                e.span,
                format!("{what} must be between 0 and {}, found {n}", u32::MAX),
            );
            return None;
        }
        Some(n as u64)
    }

    /// The value of a public integer, or an error naming `what` needed it.
    pub(super) fn public_int(&mut self, v: &Value, span: Span, what: &str) -> Option<i128> {
        match v {
            Value::Poison => None,
            Value::Lit(n) => Some(*n),
            Value::Bits {
                ty: Ty::Int { signed, .. },
                bits,
                public,
            } => {
                if !*public {
                    self.error(span, format!("{what} must be public (known when compiling), but this value depends on an input"));
                    return None;
                }
                match const_to_i128(bits, *signed) {
                    Some(n) => Some(n),
                    None => {
                        self.value_error(span, format!("{what} is too large"));
                        None
                    }
                }
            }
            Value::Bits { ty, .. } => {
                self.error(span, format!("{what} must be an integer, found `{ty}`"));
                None
            }
            Value::Flex { .. } => {
                self.error(span, format!("{what} must be public (known when compiling), but this value depends on an input"));
                None
            }
        }
    }

    pub(super) fn const_value(&mut self, i: usize) -> Value {
        match &self.const_state[i] {
            ConstState::Done(v) => return v.clone(),
            ConstState::InProgress => {
                let c = &self.prog.consts[i];
                let from = self.const_stack.iter().position(|&k| k == i).unwrap_or(0);
                let cycle: Vec<&str> = self.const_stack[from..]
                    .iter()
                    .map(|&k| self.prog.consts[k].name.name.as_str())
                    .collect();
                let msg = if cycle.len() <= 1 {
                    format!(
                        "the constant `{}` is defined in terms of itself",
                        c.name.name
                    )
                } else {
                    let chain: Vec<String> = cycle
                        .iter()
                        .chain(std::iter::once(&cycle[0]))
                        .map(|n| format!("`{n}`"))
                        .collect();
                    format!(
                        "the constants {} are defined in terms of each other: {}",
                        and_list(&cycle),
                        chain.join(" uses ")
                    )
                };
                self.error(c.name.span, msg);
                return Value::Poison;
            }
            ConstState::Pending => {}
        }
        self.const_state[i] = ConstState::InProgress;
        self.const_stack.push(i);
        let c = &self.prog.consts[i];
        let saved = std::mem::take(&mut self.scopes);
        let v = match self.resolve_ty(&c.ty) {
            Some(ty) => {
                let v = self.expr(&c.value, Some(&ty));
                self.coerce(v, &ty, c.value.span)
            }
            None => Value::Poison,
        };
        self.scopes = saved;
        self.const_stack.pop();
        if !v.is_public() {
            self.error(
                c.value.span,
                "a constant must be computed from literals and other constants",
            );
        }
        self.const_state[i] = ConstState::Done(v.clone());
        v
    }
}

/// Offset and type of field `name` of a tuple or struct type.
pub(super) fn field_of(ty: &Ty, name: &str) -> Option<(usize, Ty)> {
    match ty {
        Ty::Tuple(ts) => {
            let k: usize = name.parse().ok()?;
            let t = ts.get(k)?;
            Some((ts[..k].iter().map(Ty::width).sum(), t.clone()))
        }
        Ty::Struct(s) => {
            let k = s.fields.iter().position(|(n, _)| n == name)?;
            Some((
                s.fields[..k].iter().map(|(_, t)| t.width()).sum(),
                s.fields[k].1.clone(),
            ))
        }
        _ => None,
    }
}

/// `bool`, `uN`, `iN`, or `None` for names that are not built-in types.
pub(super) fn builtin_type(name: &str) -> Option<Result<Ty, String>> {
    if name == "bool" {
        return Some(Ok(Ty::Bool));
    }
    let (signed, digits) = match name.as_bytes().first() {
        Some(b'u') => (false, &name[1..]),
        Some(b'i') => (true, &name[1..]),
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match digits.parse::<u32>() {
        Ok(w) if (1..=circuits::MAX_INT_WIDTH).contains(&w) && !digits.starts_with('0') => {
            Some(Ok(Ty::Int { signed, width: w }))
        }
        _ => Some(Err(format!(
            "integer types have 1 to {} bits: `{name}` is not one",
            circuits::MAX_INT_WIDTH
        ))),
    }
}

/// `` `a`, `b` and `c` ``.
pub(super) fn and_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}

pub(super) fn calls_in_block(b: &Block, f: &mut impl FnMut(&Ident)) {
    for s in &b.stmts {
        match s {
            Stmt::Let { value, ty, .. } => {
                if let Some(t) = ty {
                    calls_in_type(t, f);
                }
                calls_in_expr(value, f)
            }
            Stmt::Assign { place, value, .. } => {
                for st in &place.path {
                    if let PlaceStep::Index(e) = st {
                        calls_in_expr(e, f);
                    }
                }
                calls_in_expr(value, f)
            }
            Stmt::For {
                start, end, body, ..
            } => {
                calls_in_expr(start, f);
                calls_in_expr(end, f);
                calls_in_block(body, f);
            }
            Stmt::ForEach { array, body, .. } => {
                calls_in_expr(array, f);
                calls_in_block(body, f);
            }
            Stmt::Expr { expr, .. } => calls_in_expr(expr, f),
        }
    }
    if let Some(t) = &b.tail {
        calls_in_expr(t, f);
    }
}

pub(super) fn calls_in_type(t: &TypeExpr, f: &mut impl FnMut(&Ident)) {
    match t {
        TypeExpr::Named(_) => {}
        TypeExpr::Array(e, n, _) => {
            calls_in_type(e, f);
            calls_in_expr(n, f);
        }
        TypeExpr::Tuple(ts, _) | TypeExpr::Generic(_, ts, _) => {
            ts.iter().for_each(|t| calls_in_type(t, f))
        }
    }
}

pub(super) fn calls_in_expr(e: &Expr, f: &mut impl FnMut(&Ident)) {
    match &e.kind {
        ExprKind::Int(_) | ExprKind::Bool(_) | ExprKind::Var(_) => {}
        ExprKind::Unary(_, a) | ExprKind::Field(a, _) => calls_in_expr(a, f),
        ExprKind::Cast(a, t) => {
            calls_in_expr(a, f);
            calls_in_type(t, f);
        }
        ExprKind::Binary(_, a, b) | ExprKind::Index(a, b) | ExprKind::Repeat(a, b) => {
            calls_in_expr(a, f);
            calls_in_expr(b, f);
        }
        ExprKind::Method(a, _, args) => {
            calls_in_expr(a, f);
            args.iter().for_each(|x| calls_in_expr(x, f));
        }
        ExprKind::Call(name, args) => {
            f(name);
            args.iter().for_each(|x| calls_in_expr(x, f));
        }
        ExprKind::Tuple(xs) | ExprKind::Array(xs) => xs.iter().for_each(|x| calls_in_expr(x, f)),
        ExprKind::Struct(_, fs) => fs.iter().for_each(|(_, x)| calls_in_expr(x, f)),
        ExprKind::If(c, t, e2) => {
            calls_in_expr(c, f);
            calls_in_block(t, f);
            if let Some(e2) = e2 {
                calls_in_expr(e2, f);
            }
        }
        ExprKind::Block(b) => calls_in_block(b, f),
        ExprKind::Variant(_, _, payload) => match payload {
            PayloadExpr::Unit => {}
            PayloadExpr::Tuple(xs) => xs.iter().for_each(|x| calls_in_expr(x, f)),
            PayloadExpr::Named(fs) => fs.iter().for_each(|(_, x)| calls_in_expr(x, f)),
        },
        ExprKind::Match(s, arms) => {
            calls_in_expr(s, f);
            arms.iter().for_each(|a| calls_in_expr(&a.body, f));
        }
    }
}

// ------------------------------------------------------------ patterns

/// A pattern checked against its type: what `match` lowers and what the
/// exhaustiveness check reads.
#[derive(Clone, Debug)]
pub(super) enum Pat {
    /// `_`.
    Wild,
    /// A name: binds the whole value; matches anything.
    Bind(String),
    Bool(bool),
    /// An integer `lo..=hi` (a literal is `n..=n`).
    Range(i128, i128),
    Tuple(Vec<Pat>),
    /// A variant (its index) and its fields' patterns, in declaration order.
    Variant(usize, Vec<Pat>),
}

impl<'p> Lowerer<'p> {
    /// Checks pattern `p` against the scrutinee type `ty`.
    pub(super) fn resolve_pat(&mut self, p: &Pattern, ty: &Ty) -> Option<Pat> {
        match (&p.kind, ty) {
            (PatKind::Wild, _) => Some(Pat::Wild),
            (PatKind::Bind(n), Ty::Enum(e)) if n == "None" && e.is_option() => {
                Some(Pat::Variant(0, Vec::new()))
            }
            (PatKind::Bind(n), Ty::Enum(e)) if e.variants.iter().any(|v| v.name == *n) => {
                self.error(
                    p.span,
                    format!(
                        "`{n}` is a variant: write `{}` (a bare name would bind any value)",
                        e.path(n)
                    ),
                );
                None
            }
            (PatKind::Bind(n), _) => Some(Pat::Bind(n.clone())),
            (PatKind::Bool(b), Ty::Bool) => Some(Pat::Bool(*b)),
            (PatKind::Int { lo, hi }, Ty::Int { .. }) => {
                let lo_v = self.pat_int(lo, ty, p.span)?;
                let hi_v = match hi {
                    Some(h) => self.pat_int(h, ty, p.span)?,
                    None => lo_v,
                };
                if lo_v > hi_v {
                    self.error(p.span, format!("the range {lo_v}..={hi_v} is empty"));
                    return None;
                }
                Some(Pat::Range(lo_v, hi_v))
            }
            (PatKind::Tuple(ps), Ty::Tuple(ts)) if ps.len() == ts.len() => {
                let mut out = Vec::new();
                for (q, t) in ps.iter().zip(ts.iter()) {
                    out.push(self.resolve_pat(q, t)?);
                }
                Some(Pat::Tuple(out))
            }
            (PatKind::Variant { path, name, fields }, Ty::Enum(e)) => {
                match path {
                    Some(pth) if pth.name != e.name => {
                        self.error(
                            pth.span,
                            format!("expected a pattern of `{ty}`, found `{}::...`", pth.name),
                        );
                        return None;
                    }
                    None if !e.is_option() => {
                        self.error(
                            name.span,
                            format!("write the variant with its enum: `{}`", e.path(&name.name)),
                        );
                        return None;
                    }
                    _ => {}
                }
                let Some(k) = e.variants.iter().position(|v| v.name == name.name) else {
                    self.error(name.span, format!("`{ty}` has no variant `{}`", name.name));
                    return None;
                };
                let v = &e.variants[k];
                let vpath = e.path(&v.name);
                let mut subs = vec![Pat::Wild; v.fields.len()];
                match fields {
                    PatFields::Unit if v.fields.is_empty() => {}
                    PatFields::Tuple(ps) if v.tuple && ps.len() == v.fields.len() => {
                        for (j, q) in ps.iter().enumerate() {
                            subs[j] = self.resolve_pat(q, &v.fields[j].1)?;
                        }
                    }
                    PatFields::Named(fs) if v.named => {
                        let mut given = vec![false; v.fields.len()];
                        for (f, q) in fs {
                            let Some(j) = v.fields.iter().position(|(n, _)| *n == f.name) else {
                                self.error(f.span, format!("`{vpath}` has no field `{}`", f.name));
                                return None;
                            };
                            given[j] = true;
                            subs[j] = self.resolve_pat(q, &v.fields[j].1)?;
                        }
                        if let Some(j) = given.iter().position(|g| !g) {
                            self.error(
                                p.span,
                                format!(
                                    "this pattern does not mention the field `{}` of `{vpath}`",
                                    v.fields[j].0
                                ),
                            );
                            return None;
                        }
                    }
                    _ => {
                        let shape = if v.named {
                            let names: Vec<&str> =
                                v.fields.iter().map(|(n, _)| n.as_str()).collect();
                            format!("{vpath} {{ {} }}", names.join(", "))
                        } else if v.tuple {
                            format!("{vpath}({})", vec!["_"; v.fields.len()].join(", "))
                        } else {
                            vpath.clone()
                        };
                        self.error(p.span, format!("the variant is written `{shape}`"));
                        return None;
                    }
                }
                Some(Pat::Variant(k, subs))
            }
            _ => {
                let what = match &p.kind {
                    PatKind::Int { .. } => "an integer pattern",
                    PatKind::Bool(_) => "a `bool` pattern",
                    PatKind::Tuple(ps) => {
                        return {
                            self.error(
                                p.span,
                                format!(
                                    "a tuple pattern of {} elements cannot match `{ty}`",
                                    ps.len()
                                ),
                            );
                            None
                        }
                    }
                    _ => "an enum pattern",
                };
                self.error(
                    p.span,
                    format!("{what} cannot match a value of type `{ty}`"),
                );
                None
            }
        }
    }

    fn pat_int(&mut self, text: &str, ty: &Ty, span: Span) -> Option<i128> {
        let (neg, digits) = match text.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, text),
        };
        let (digits, suffix) = super::split_suffix(digits);
        if let Some(s) = suffix {
            if builtin_type(s).and_then(Result::ok).as_ref() != Some(ty) {
                self.error(
                    span,
                    format!("a `{s}` pattern cannot match a value of type `{ty}`"),
                );
                return None;
            }
        }
        let Some(n) = super::parse_i128(digits) else {
            self.error(
                span,
                format!("the pattern literal `{text}` is beyond the 128-bit range of patterns"),
            );
            return None;
        };
        let n = if neg { -n } else { n };
        if !super::fits(n, ty) {
            self.error(span, format!("the pattern `{n}` does not fit in `{ty}`"));
            return None;
        }
        Some(n)
    }
}

/// Steps the exhaustiveness check may take: hostile nested patterns cannot
/// make it run for long.
const MAX_EXHAUSTIVE_STEPS: usize = 200_000;

/// The smallest and largest value of an integer type, clamped to i128.
pub(super) fn int_domain(ty: &Ty) -> (i128, i128) {
    match ty {
        Ty::Int {
            signed: true,
            width,
        } if *width < 128 => (-(1i128 << (width - 1)), (1i128 << (width - 1)) - 1),
        Ty::Int { signed: true, .. } => (i128::MIN, i128::MAX),
        Ty::Int {
            signed: false,
            width,
        } if *width < 127 => (0, (1i128 << width) - 1),
        _ => (0, i128::MAX),
    }
}

/// Whether the type has values outside the i128 range patterns can name.
pub(super) fn wider_than_patterns(ty: &Ty) -> bool {
    matches!(ty, Ty::Int { signed: true, width } if *width > 128)
        || matches!(ty, Ty::Int { signed: false, width } if *width > 126)
}

/// A value that no arm matches, written as a pattern, or `None` when the
/// arms are exhaustive. `Err` when the check would take too long.
pub(super) fn missing_case(pats: &[Pat], ty: &Ty) -> Result<Option<String>, ()> {
    let rows: Vec<Vec<Pat>> = pats.iter().map(|p| vec![p.clone()]).collect();
    let mut steps = 0;
    Ok(useful(&rows, std::slice::from_ref(ty), &mut steps)?.map(|mut w| w.remove(0)))
}

fn is_wild(p: &Pat) -> bool {
    matches!(p, Pat::Wild | Pat::Bind(_))
}

/// Is the all-wildcards row useful after `rows` (columns of types `tys`)?
/// Returns a witness, one written value per column.
fn useful(rows: &[Vec<Pat>], tys: &[Ty], steps: &mut usize) -> Result<Option<Vec<String>>, ()> {
    *steps += 1;
    if *steps > MAX_EXHAUSTIVE_STEPS {
        return Err(());
    }
    // A row of wildcards matches everything left: nothing is missing.
    if rows.iter().any(|r| r.iter().all(is_wild)) {
        return Ok(None);
    }
    let Some((ty, rest_tys)) = tys.split_first() else {
        return Ok(if rows.is_empty() {
            Some(Vec::new())
        } else {
            None
        });
    };
    // Rows whose first pattern matches anything, with it removed.
    let default: Vec<Vec<Pat>> = rows
        .iter()
        .filter(|r| is_wild(&r[0]))
        .map(|r| r[1..].to_vec())
        .collect();
    let with = |head: String, mut w: Vec<String>| {
        w.insert(0, head);
        w
    };
    match ty {
        Ty::Enum(e) => {
            let present: Vec<usize> = rows
                .iter()
                .filter_map(|r| match &r[0] {
                    Pat::Variant(k, _) => Some(*k),
                    _ => None,
                })
                .collect();
            let absent = (0..e.variants.len()).find(|k| !present.contains(k));
            if let Some(k) = absent {
                if let Some(w) = useful(&default, rest_tys, steps)? {
                    return Ok(Some(with(variant_witness(e, k, None), w)));
                }
            }
            for k in 0..e.variants.len() {
                if !present.contains(&k) {
                    continue;
                }
                let fields: Vec<Ty> = e.variants[k]
                    .fields
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect();
                let spec: Vec<Vec<Pat>> = rows
                    .iter()
                    .filter_map(|r| match &r[0] {
                        Pat::Variant(j, subs) if *j == k => {
                            Some(subs.iter().cloned().chain(r[1..].iter().cloned()).collect())
                        }
                        p if is_wild(p) => Some(
                            std::iter::repeat_n(Pat::Wild, fields.len())
                                .chain(r[1..].iter().cloned())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect();
                let tys2: Vec<Ty> = fields
                    .iter()
                    .cloned()
                    .chain(rest_tys.iter().cloned())
                    .collect();
                if let Some(mut w) = useful(&spec, &tys2, steps)? {
                    let tail = w.split_off(fields.len());
                    return Ok(Some(with(variant_witness(e, k, Some(w)), tail)));
                }
            }
            Ok(None)
        }
        Ty::Tuple(ts) if rows.iter().any(|r| matches!(r[0], Pat::Tuple(_))) => {
            let spec: Vec<Vec<Pat>> = rows
                .iter()
                .filter_map(|r| match &r[0] {
                    Pat::Tuple(subs) => {
                        Some(subs.iter().cloned().chain(r[1..].iter().cloned()).collect())
                    }
                    p if is_wild(p) => Some(
                        std::iter::repeat_n(Pat::Wild, ts.len())
                            .chain(r[1..].iter().cloned())
                            .collect(),
                    ),
                    _ => None,
                })
                .collect();
            let tys2: Vec<Ty> = ts.iter().cloned().chain(rest_tys.iter().cloned()).collect();
            Ok(useful(&spec, &tys2, steps)?.map(|mut w| {
                let tail = w.split_off(ts.len());
                let shown = if ts.len() == 1 {
                    format!("({},)", w[0])
                } else {
                    format!("({})", w.join(", "))
                };
                with(shown, tail)
            }))
        }
        Ty::Bool => {
            for b in [false, true] {
                let spec: Vec<Vec<Pat>> = rows
                    .iter()
                    .filter(|r| is_wild(&r[0]) || matches!(r[0], Pat::Bool(x) if x == b))
                    .map(|r| r[1..].to_vec())
                    .collect();
                if let Some(w) = useful(&spec, rest_tys, steps)? {
                    return Ok(Some(with(b.to_string(), w)));
                }
            }
            Ok(None)
        }
        Ty::Int { .. } => {
            let (min, max) = int_domain(ty);
            // Split the domain at every range boundary: each piece is either
            // inside or outside each range.
            let mut cuts = vec![min];
            for r in rows {
                if let Pat::Range(lo, hi) = r[0] {
                    cuts.push(lo);
                    if hi < max {
                        cuts.push(hi + 1);
                    }
                }
            }
            cuts.sort_unstable();
            cuts.dedup();
            let mut pieces: Vec<(i128, i128)> = Vec::new();
            for (k, &c) in cuts.iter().enumerate() {
                let end = cuts.get(k + 1).map_or(max, |&n| n - 1);
                pieces.push((c, end));
            }
            let covered = |piece: (i128, i128)| {
                rows.iter()
                    .any(|r| matches!(r[0], Pat::Range(lo, hi) if lo <= piece.0 && piece.1 <= hi))
            };
            // Values beyond what patterns can name are only matched by `_`.
            let beyond = wider_than_patterns(ty);
            if beyond || pieces.iter().any(|&p| !covered(p)) {
                if let Some(w) = useful(&default, rest_tys, steps)? {
                    let v = match pieces.iter().find(|&&p| !covered(p)) {
                        Some(&(lo, _)) => lo.to_string(),
                        None => "_".to_string(),
                    };
                    return Ok(Some(with(v, w)));
                }
            }
            for &piece in &pieces {
                if !covered(piece) {
                    continue;
                }
                let spec: Vec<Vec<Pat>> = rows
                    .iter()
                    .filter(|r| {
                        is_wild(&r[0])
                            || matches!(r[0], Pat::Range(lo, hi) if lo <= piece.0 && piece.1 <= hi)
                    })
                    .map(|r| r[1..].to_vec())
                    .collect();
                if let Some(w) = useful(&spec, rest_tys, steps)? {
                    return Ok(Some(with(piece.0.to_string(), w)));
                }
            }
            Ok(None)
        }
        _ => Ok(useful(&default, rest_tys, steps)?.map(|w| with("_".to_string(), w))),
    }
}

/// `Sale::Sold { winner: _, price: _ }`, `Some(_)`, `None`.
fn variant_witness(e: &EnumDef, k: usize, fields: Option<Vec<String>>) -> String {
    let v = &e.variants[k];
    let path = e.path(&v.name);
    let fields = fields.unwrap_or_else(|| vec!["_".to_string(); v.fields.len()]);
    if v.named {
        let parts: Vec<String> = v
            .fields
            .iter()
            .zip(&fields)
            .map(|((n, _), w)| format!("{n}: {w}"))
            .collect();
        format!("{path} {{ {} }}", parts.join(", "))
    } else if v.tuple {
        format!("{path}({})", fields.join(", "))
    } else {
        path
    }
}
