//! Lowering of enums and `match` (language version 2): enum values are
//! their tag then their payload's bits; `match` checks its patterns and
//! their exhaustiveness (lower/check.rs) and lowers as an if-chain on the
//! shared `if` machinery ([`Lowerer::if_core`]).

use super::*;

impl<'p> Lowerer<'p> {
    /// `Name::Variant`, `Name::Variant(e, ...)`, `Name::Variant { f: e }`.
    pub(super) fn variant_expr(
        &mut self,
        en: &Ident,
        vn: &Ident,
        payload: &PayloadExpr,
        span: Span,
        expect: Option<&Ty>,
    ) -> Value {
        let def = if en.name == "Option" {
            match (expect, vn.name.as_str(), payload) {
                (Some(Ty::Enum(d)), _, _) if d.is_option() => Some(d.clone()),
                (_, "Some", PayloadExpr::Tuple(args)) => {
                    return self.option_some(args, span, expect)
                }
                _ => {
                    self.error(span, "the type of `None` is not known here: give it one, as in `let x: Option<u8> = None;`");
                    None
                }
            }
        } else if let Some(&i) = self.enums.get(&en.name) {
            self.enum_def(i)
        } else {
            self.error(en.span, format!("unknown enum `{}`", en.name));
            None
        };
        let Some(def) = def else {
            self.payload_exprs(payload);
            return Value::Poison;
        };
        let Some(k) = def.variants.iter().position(|v| v.name == vn.name) else {
            self.error(
                vn.span,
                format!("`{}` has no variant `{}`", Ty::Enum(def.clone()), vn.name),
            );
            self.payload_exprs(payload);
            return Value::Poison;
        };
        let v = &def.variants[k];
        let vpath = def.path(&v.name);
        let mut values: Vec<Option<Value>> = vec![None; v.fields.len()];
        let shape_error = |v: &VariantDef| {
            if v.named {
                let names: Vec<&str> = v.fields.iter().map(|(n, _)| n.as_str()).collect();
                format!("`{vpath}` is written `{vpath} {{ {} }}`", names.join(", "))
            } else if v.tuple {
                format!(
                    "`{vpath}` is written `{vpath}({})` with {} value{}",
                    vec!["_"; v.fields.len()].join(", "),
                    v.fields.len(),
                    plural(v.fields.len())
                )
            } else {
                format!("`{vpath}` has no payload: write `{vpath}`")
            }
        };
        match payload {
            PayloadExpr::Unit if v.fields.is_empty() => {}
            PayloadExpr::Tuple(args) if v.tuple && args.len() == v.fields.len() => {
                for (j, a) in args.iter().enumerate() {
                    let t = v.fields[j].1.clone();
                    let x = self.expr(a, Some(&t));
                    values[j] = Some(self.coerce(x, &t, a.span));
                }
            }
            PayloadExpr::Named(fs) if v.named => {
                for (f, a) in fs {
                    let Some(j) = v.fields.iter().position(|(n, _)| *n == f.name) else {
                        self.error(f.span, format!("`{vpath}` has no field `{}`", f.name));
                        self.expr(a, None);
                        continue;
                    };
                    if values[j].is_some() {
                        self.error(f.span, format!("the field `{}` is given twice", f.name));
                        continue;
                    }
                    let t = v.fields[j].1.clone();
                    let x = self.expr(a, Some(&t));
                    values[j] = Some(self.coerce(x, &t, a.span));
                }
                if let Some(j) = values.iter().position(Option::is_none) {
                    self.error(
                        span,
                        format!("missing the field `{}` of `{vpath}`", v.fields[j].0),
                    );
                    return Value::Poison;
                }
            }
            _ => {
                let msg = shape_error(v);
                self.error(span, msg);
                self.payload_exprs(payload);
                return Value::Poison;
            }
        }
        let values: Vec<Value> = values.into_iter().flatten().collect();
        self.build_variant(&def, k, values)
    }

    /// Type-checks the payload expressions of an erroneous variant.
    pub(super) fn payload_exprs(&mut self, payload: &PayloadExpr) {
        match payload {
            PayloadExpr::Unit => {}
            PayloadExpr::Tuple(xs) => xs.iter().for_each(|x| {
                self.expr(x, None);
            }),
            PayloadExpr::Named(fs) => fs.iter().for_each(|(_, x)| {
                self.expr(x, None);
            }),
        }
    }

    /// The bits of variant `k` of `def` with the given (typed) field values:
    /// the tag, the fields, zeros up to the largest payload.
    pub(super) fn build_variant(
        &mut self,
        def: &Rc<EnumDef>,
        k: usize,
        values: Vec<Value>,
    ) -> Value {
        let ty = Ty::Enum(def.clone());
        let mut bits = i128_bits(k as i128, def.tag_bits());
        let mut public = true;
        for v in values {
            match v {
                Value::Bits {
                    bits: b, public: p, ..
                } => {
                    bits.extend(b);
                    public &= p;
                }
                _ => return Value::Poison,
            }
        }
        bits.resize(ty.width(), F);
        Value::Bits { ty, bits, public }
    }

    /// `Some(e)`: `Option<T>` with T from the context, or from `e`.
    pub(super) fn option_some(&mut self, args: &[Expr], span: Span, expect: Option<&Ty>) -> Value {
        if args.len() != 1 {
            self.error(
                span,
                format!("`Some` takes one value, {} given", args.len()),
            );
            for a in args {
                self.expr(a, None);
            }
            return Value::Poison;
        }
        let def = match expect {
            Some(Ty::Enum(d)) if d.is_option() => d.clone(),
            _ => {
                let v = self.expr(&args[0], None);
                let v = self.default_type(v, args[0].span);
                let Some(t) = v.ty() else {
                    return Value::Poison;
                };
                let def = Rc::new(EnumDef::option(t));
                return self.build_variant(&def, 1, vec![v]);
            }
        };
        let t = def.variants[1].fields[0].1.clone();
        let v = self.expr(&args[0], Some(&t));
        let v = self.coerce(v, &t, args[0].span);
        self.build_variant(&def, 1, vec![v])
    }

    /// `None`: its `Option<T>` comes from the context.
    pub(super) fn option_none(&mut self, span: Span, expect: Option<&Ty>) -> Value {
        match expect {
            Some(Ty::Enum(d)) if d.is_option() => {
                let d = d.clone();
                self.build_variant(&d, 0, Vec::new())
            }
            _ => {
                self.error(span, "the type of `None` is not known here: give it one, as in `let x: Option<u8> = None;`");
                Value::Poison
            }
        }
    }

    /// `match e { PATTERN => value, ... }`: the patterns are checked against
    /// the scrutinee's type and for exhaustiveness (lower/check.rs), then the
    /// arms lower as `if p0 { a0 } else if p1 { a1 } ... else { last }`:
    /// with a public scrutinee only the matching arm is compiled, with a
    /// secret one every arm runs and the results merge.
    pub(super) fn match_expr(
        &mut self,
        scrut: &Expr,
        arms: &[Arm],
        span: Span,
        expect: Option<&Ty>,
    ) -> Value {
        let v = self.expr(scrut, None);
        let v = self.default_type(v, scrut.span);
        let (ty, bits, public) = match v {
            Value::Bits { ty, bits, public } => (ty, bits, public),
            _ => return Value::Poison,
        };
        if arms.is_empty() {
            self.error(
                span,
                format!("this `match` has no arms, but `{ty}` has values"),
            );
            return Value::Poison;
        }
        if arms.len() > MAX_ARMS {
            self.error(span, format!("a `match` has at most {MAX_ARMS} arms"));
            return Value::Poison;
        }
        let mut pats = Vec::new();
        for a in arms {
            match self.resolve_pat(&a.pat, &ty) {
                Some(p) => pats.push(p),
                None => return Value::Poison,
            }
        }
        match check::missing_case(&pats, &ty) {
            Ok(None) => {}
            Ok(Some(w)) => {
                self.error(
                    scrut.span,
                    format!("this `match` does not cover every value of `{ty}`: `{w}` is not matched (add an arm for it, or `_ => ...`)"),
                );
                return Value::Poison;
            }
            Err(()) => {
                self.error(
                    scrut.span,
                    "this `match` is too complex to check that it covers every value; add a `_` arm or simplify its patterns",
                );
                return Value::Poison;
            }
        }
        let m = MatchCtx {
            ty: &ty,
            bits: &bits,
            public,
            arms,
            pats: &pats,
            cspan: scrut.span,
        };
        self.match_from(&m, 0, expect)
    }

    pub(super) fn match_from(&mut self, m: &MatchCtx, k: usize, expect: Option<&Ty>) -> Value {
        let mut arm = |l: &mut Self, ex: Option<&Ty>| {
            let mut vars = Vec::new();
            bind_pattern(m.ty, m.bits, m.public, &m.pats[k], &mut vars);
            l.scopes.push(vars);
            let r = l.expr(&m.arms[k].body, ex);
            l.scopes.pop();
            r
        };
        if k + 1 == m.arms.len() {
            return arm(self, expect);
        }
        let cond = self.pattern_cond(m.ty, m.bits, &m.pats[k]);
        let mut rest = |l: &mut Self, ex: Option<&Ty>| l.match_from(m, k + 1, ex);
        self.if_core(
            cond,
            m.cspan,
            m.arms[k].body.span,
            Some(m.arms[k + 1].body.span),
            &mut arm,
            Some(&mut rest),
            expect,
            "match",
        )
    }

    /// The wire that says whether `bits` (of type `ty`) match `pat`.
    pub(super) fn pattern_cond(&mut self, ty: &Ty, bits: &[WireId], pat: &check::Pat) -> WireId {
        use check::Pat;
        match (pat, ty) {
            (Pat::Wild | Pat::Bind(_), _) => T,
            (Pat::Bool(b), _) => {
                if *b {
                    bits[0]
                } else {
                    self.b.not(bits[0])
                }
            }
            (Pat::Range(lo, hi), Ty::Int { signed, width }) => {
                let w = *width as usize;
                if lo == hi {
                    let c = i128_bits(*lo, w);
                    return g::eq(&mut self.b, bits, &c);
                }
                let (min, max) = check::int_domain(ty);
                let mut conds = Vec::new();
                if *lo > min {
                    let c = i128_bits(*lo, w);
                    let lt = g::lt(&mut self.b, bits, &c, *signed);
                    conds.push(self.b.not(lt));
                }
                if *hi < max || check::wider_than_patterns(ty) {
                    let c = i128_bits(*hi, w);
                    let gt = g::lt(&mut self.b, &c, bits, *signed);
                    conds.push(self.b.not(gt));
                }
                g::and_all(&mut self.b, &conds)
            }
            (Pat::Tuple(subs), Ty::Tuple(ts)) => {
                let mut conds = Vec::new();
                let mut at = 0;
                for (p, t) in subs.iter().zip(ts.iter()) {
                    let w = t.width();
                    conds.push(self.pattern_cond(t, &bits[at..at + w], p));
                    at += w;
                }
                g::and_all(&mut self.b, &conds)
            }
            (Pat::Variant(k, subs), Ty::Enum(e)) => {
                let tb = e.tag_bits();
                let tag = i128_bits(*k as i128, tb);
                let mut conds = vec![g::eq(&mut self.b, &bits[..tb], &tag)];
                let mut at = tb;
                for (p, (_, t)) in subs.iter().zip(&e.variants[*k].fields) {
                    let w = t.width();
                    conds.push(self.pattern_cond(t, &bits[at..at + w], p));
                    at += w;
                }
                g::and_all(&mut self.b, &conds)
            }
            _ => F,
        }
    }
}

/// Most arms in one `match`.
const MAX_ARMS: usize = 4096;

/// What every arm of one `match` shares while it lowers.
pub(super) struct MatchCtx<'a> {
    ty: &'a Ty,
    bits: &'a [WireId],
    public: bool,
    arms: &'a [Arm],
    pats: &'a [check::Pat],
    cspan: Span,
}

/// The variables a pattern binds: slices of the scrutinee's bits.
fn bind_pattern(ty: &Ty, bits: &[WireId], public: bool, pat: &check::Pat, out: &mut Vec<Var>) {
    use check::Pat;
    match (pat, ty) {
        (Pat::Bind(name), _) => out.push(Var {
            name: name.clone(),
            value: Value::Bits {
                ty: ty.clone(),
                bits: bits.to_vec(),
                public,
            },
            mutable: false,
            ty: Some(ty.clone()),
        }),
        (Pat::Tuple(subs), Ty::Tuple(ts)) => {
            let mut at = 0;
            for (p, t) in subs.iter().zip(ts.iter()) {
                let w = t.width();
                bind_pattern(t, &bits[at..at + w], public, p, out);
                at += w;
            }
        }
        (Pat::Variant(k, subs), Ty::Enum(e)) => {
            let mut at = e.tag_bits();
            for (p, (_, t)) in subs.iter().zip(&e.variants[*k].fields) {
                let w = t.width();
                bind_pattern(t, &bits[at..at + w], public, p, out);
                at += w;
            }
        }
        _ => {}
    }
}
