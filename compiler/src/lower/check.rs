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
            } else {
                self.structs.insert(s.name.name.clone(), i);
            }
        }
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
        TypeExpr::Tuple(ts, _) => ts.iter().for_each(|t| calls_in_type(t, f)),
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
    }
}
