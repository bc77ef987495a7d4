//! The keys of `#[sim_test(...)]`: parsed, checked, and turned into the
//! `TestAttrs` builder calls of the expansion.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Lit, LitInt, LitStr, Meta, Token};

use crate::Errors;
use crate::duration;

/// Every key, in the order error messages list them.
const KEYS: [&str; 9] = [
    "seed",
    "seeds",
    "scheduler",
    "pct_depth",
    "time_limit",
    "max_steps",
    "strict",
    "check_determinism",
    "crate",
];

/// Keys that are flags: present or absent, no value.
const FLAGS: [&str; 2] = ["strict", "check_determinism"];

/// The PCT depth when `scheduler = "pct"` comes without `pct_depth`.
const DEFAULT_PCT_DEPTH: u32 = 3;

/// The largest `pct_depth` the simulator accepts.
const MAX_PCT_DEPTH: u64 = 64;

/// The valid `scheduler` values, as error messages list them (the
/// spellings `DETSIM_SCHEDULER` and `cargo detsim --scheduler` accept).
const SCHEDULERS: &str = "\"random\", \"fifo\", \"pct\" (depth 3, or `pct_depth = N`), \
                          \"pct:N\" (depth N from 1 to 64) or \"portfolio\"";

/// A `scheduler = "..."` choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheduler {
    Random,
    Fifo,
    /// `"pct"`, or `"pct:N"` with its depth.
    Pct(Option<u32>),
    Portfolio,
}

impl Scheduler {
    fn name(self) -> String {
        match self {
            Scheduler::Random => "random".to_owned(),
            Scheduler::Fifo => "fifo".to_owned(),
            Scheduler::Pct(None) => "pct".to_owned(),
            Scheduler::Pct(Some(depth)) => format!("pct:{depth}"),
            Scheduler::Portfolio => "portfolio".to_owned(),
        }
    }
}

/// What a `#[sim_test(...)]` attribute asked for, checked.
#[derive(Default)]
pub(crate) struct Attrs {
    seed: Option<u64>,
    seeds: Option<u64>,
    scheduler: Option<Scheduler>,
    pct_depth: Option<u32>,
    time_limit_nanos: Option<u64>,
    max_steps: Option<u64>,
    strict: bool,
    check_determinism: bool,
    krate: Option<syn::Path>,
}

impl Attrs {
    /// The path of the `detsim` facade: `crate = "..."`, else `::detsim`.
    pub(crate) fn krate(&self) -> TokenStream {
        match &self.krate {
            Some(path) => path.to_token_stream(),
            None => quote!(::detsim),
        }
    }

    /// The `.seed(7).pct(3)...` calls that follow `TestAttrs::new()`.
    pub(crate) fn builder_calls(&self) -> TokenStream {
        let mut calls = TokenStream::new();
        if let Some(seed) = self.seed {
            calls.extend(quote!(.seed(#seed)));
        }
        if let Some(seeds) = self.seeds {
            calls.extend(quote!(.seeds(#seeds)));
        }
        match self.scheduler {
            Some(Scheduler::Random) => calls.extend(quote!(.random())),
            Some(Scheduler::Fifo) => calls.extend(quote!(.fifo())),
            Some(Scheduler::Portfolio) => calls.extend(quote!(.portfolio())),
            Some(Scheduler::Pct(inline)) => {
                let depth = inline.or(self.pct_depth).unwrap_or(DEFAULT_PCT_DEPTH);
                calls.extend(quote!(.pct(#depth)));
            }
            None => {}
        }
        if let Some(nanos) = self.time_limit_nanos {
            calls.extend(quote!(.time_limit_nanos(#nanos)));
        }
        if let Some(steps) = self.max_steps {
            calls.extend(quote!(.max_steps(#steps)));
        }
        if self.strict {
            calls.extend(quote!(.strict()));
        }
        if self.check_determinism {
            calls.extend(quote!(.check_determinism()));
        }
        calls
    }
}

/// Parses the attribute's arguments. Every problem found is reported, each
/// spanned on its own token.
pub(crate) fn parse(args: TokenStream) -> Result<Attrs, syn::Error> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated
        .parse2(args)
        .map_err(|e| {
            let shape = "#[sim_test(key = value, flag, ...)]";
            syn::Error::new(
                e.span(),
                format!("{e}: write {shape}\nvalid keys: {}", KEYS.join(", ")),
            )
        })?;
    let mut attrs = Attrs::default();
    let mut errors = Errors::default();
    let mut seen: Vec<String> = Vec::new();
    // Where `pct_depth` was given, and whether `scheduler` failed to parse
    // (then a `pct_depth` complaint would only be noise).
    let mut pct_depth_key: Option<Span> = None;
    let mut scheduler_invalid = false;

    for meta in metas {
        let path = meta.path();
        let Some(key) = path.get_ident().map(|ident| ident.to_string()) else {
            let shown = path.to_token_stream().to_string().replace(' ', "");
            errors.push(unknown_key(path, &shown));
            continue;
        };
        if !KEYS.contains(&key.as_str()) {
            errors.push(unknown_key(path, &key));
            continue;
        }
        if seen.contains(&key) {
            errors.push(syn::Error::new(
                path.span(),
                format!("duplicate key `{key}`: each key may be given once"),
            ));
            continue;
        }
        seen.push(key.clone());

        if FLAGS.contains(&key.as_str()) {
            match &meta {
                Meta::Path(_) => match key.as_str() {
                    "strict" => attrs.strict = true,
                    _ => attrs.check_determinism = true,
                },
                Meta::NameValue(nv) => {
                    let (eq, value) = (&nv.eq_token, &nv.value);
                    errors.push(syn::Error::new_spanned(
                        quote!(#eq #value),
                        flag_with_value(&key),
                    ));
                }
                Meta::List(list) => errors.push(syn::Error::new(
                    list.delimiter.span().join(),
                    flag_with_value(&key),
                )),
            }
            continue;
        }

        let value = match &meta {
            Meta::NameValue(nv) => unwrap_groups(&nv.value),
            Meta::Path(_) => {
                errors.push(syn::Error::new(
                    path.span(),
                    format!("`{key}` needs a value, like `{}`", example(&key)),
                ));
                continue;
            }
            Meta::List(list) => {
                errors.push(syn::Error::new(
                    list.delimiter.span().join(),
                    format!(
                        "expected `{key} = ...`, like `{}`, not parentheses",
                        example(&key)
                    ),
                ));
                continue;
            }
        };

        let result = match key.as_str() {
            "seed" => int(value, &key, "u64").map(|(n, _)| attrs.seed = Some(n)),
            "seeds" => at_least_one(value, &key).map(|n| attrs.seeds = Some(n)),
            "max_steps" => at_least_one(value, &key).map(|n| attrs.max_steps = Some(n)),
            "pct_depth" => {
                pct_depth_key = Some(path.span());
                pct_depth(value).map(|d| attrs.pct_depth = Some(d))
            }
            "scheduler" => {
                let parsed = scheduler(value).map(|s| attrs.scheduler = Some(s));
                scheduler_invalid = parsed.is_err();
                parsed
            }
            "time_limit" => time_limit(value).map(|n| attrs.time_limit_nanos = Some(n)),
            _ => krate(value).map(|p| attrs.krate = Some(p)),
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }

    if let Some(span) = pct_depth_key {
        let message = match attrs.scheduler {
            Some(Scheduler::Pct(None)) => None,
            Some(Scheduler::Pct(Some(depth))) => Some(format!(
                "`pct_depth` repeats the depth `scheduler = \"pct:{depth}\"` already gives: \
                 write `scheduler = \"pct:N\"` or `scheduler = \"pct\", pct_depth = N`, not both"
            )),
            None if scheduler_invalid => None,
            None => Some(
                "`pct_depth` needs `scheduler = \"pct\"`: the depth is a setting of the PCT scheduler"
                    .to_string(),
            ),
            Some(other) => Some(format!(
                "`pct_depth` applies only to `scheduler = \"pct\"`, not \"{}\"",
                other.name()
            )),
        };
        if let Some(message) = message {
            errors.push(syn::Error::new(span, message));
        }
    }

    errors.finish()?;
    Ok(attrs)
}

fn unknown_key(path: &syn::Path, key: &str) -> syn::Error {
    let hint = KEYS
        .iter()
        .find(|known| edit_distance(known, key) <= 2.min(known.len() / 2))
        .map(|known| format!("; did you mean `{known}`?"))
        .unwrap_or_default();
    syn::Error::new_spanned(
        path,
        format!("unknown key `{key}`{hint}\nvalid keys: {}", KEYS.join(", ")),
    )
}

fn flag_with_value(key: &str) -> String {
    format!("`{key}` is a flag and takes no value: write `{key}` alone, or leave it out")
}

/// An example of each key that takes a value.
fn example(key: &str) -> &'static str {
    match key {
        "seed" => "seed = 7",
        "seeds" => "seeds = 100",
        "scheduler" => "scheduler = \"pct\"",
        "pct_depth" => "pct_depth = 3",
        "time_limit" => "time_limit = \"90s\"",
        "max_steps" => "max_steps = 100_000",
        _ => "crate = \"my_crate::detsim\"",
    }
}

/// Looks through the invisible groups a `macro_rules!` expansion wraps
/// around `$value:expr`.
fn unwrap_groups(mut expr: &Expr) -> &Expr {
    while let Expr::Group(group) = expr {
        expr = &group.expr;
    }
    expr
}

/// An unsigned integer literal (decimal, `0x`, `0o` or `0b`, `_` allowed),
/// with no suffix or the suffix `ty`.
fn int(value: &Expr, key: &str, ty: &str) -> Result<(u64, Span), syn::Error> {
    let lit = match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Int(lit), ..
        }) => lit,
        // `seeds = -1`: say what is wrong with it, not only what to write.
        Expr::Unary(syn::ExprUnary {
            op: syn::UnOp::Neg(_),
            expr,
            ..
        }) if matches!(unwrap_groups(expr), Expr::Lit(_)) => {
            return Err(syn::Error::new_spanned(value, negative(key, ty)));
        }
        _ => {
            return Err(syn::Error::new_spanned(
                value,
                format!(
                    "`{key}` takes an unsigned integer literal, like `{}`",
                    example(key)
                ),
            ));
        }
    };
    if !lit.suffix().is_empty() && lit.suffix() != ty {
        return Err(syn::Error::new(
            lit.span(),
            format!("`{key}` is a {ty}: drop the `{}` suffix", lit.suffix()),
        ));
    }
    if lit.base10_digits().starts_with('-') {
        // A negative literal in one token (as a macro_rules! `$v:literal`
        // can pass it).
        return Err(syn::Error::new(lit.span(), negative(key, ty)));
    }
    lit.base10_parse::<u64>()
        .map(|n| (n, lit.span()))
        .map_err(|_| too_large(lit, key, ty))
}

/// The error for `key = -1`.
fn negative(key: &str, ty: &str) -> String {
    let least = if key == "seed" { 0 } else { 1 };
    format!(
        "`{key}` cannot be negative: it is a {ty} of {least} or more, like `{}`",
        example(key)
    )
}

fn too_large(lit: &LitInt, key: &str, ty: &str) -> syn::Error {
    syn::Error::new(lit.span(), format!("`{key}` must fit in a {ty}"))
}

fn at_least_one(value: &Expr, key: &str) -> Result<u64, syn::Error> {
    match int(value, key, "u64")? {
        (0, span) => Err(syn::Error::new(
            span,
            format!("`{key}` must be at least 1, like `{}`", example(key)),
        )),
        (n, _) => Ok(n),
    }
}

fn pct_depth(value: &Expr) -> Result<u32, syn::Error> {
    let (depth, span) = int(value, "pct_depth", "u32")?;
    match u32::try_from(depth) {
        Ok(depth) if (1..=MAX_PCT_DEPTH).contains(&u64::from(depth)) => Ok(depth),
        _ => Err(syn::Error::new(
            span,
            format!(
                "`pct_depth` must be between 1 and {MAX_PCT_DEPTH} (the default is {DEFAULT_PCT_DEPTH})"
            ),
        )),
    }
}

/// A string literal, or an error spanned on whatever was given instead.
fn string<'a>(value: &'a Expr, key: &str) -> Result<&'a LitStr, syn::Error> {
    match value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(lit), ..
        }) => Ok(lit),
        _ => Err(syn::Error::new_spanned(
            value,
            format!("`{key}` takes a string, like `{}`", example(key)),
        )),
    }
}

fn scheduler(value: &Expr) -> Result<Scheduler, syn::Error> {
    let lit = string(value, "scheduler")?;
    let text = lit.value();
    match text.as_str() {
        "random" => return Ok(Scheduler::Random),
        "fifo" => return Ok(Scheduler::Fifo),
        "pct" => return Ok(Scheduler::Pct(None)),
        "portfolio" => return Ok(Scheduler::Portfolio),
        _ => {}
    }
    let Some(depth) = text.strip_prefix("pct:") else {
        return Err(syn::Error::new(
            lit.span(),
            format!("unknown scheduler {text:?}; expected {SCHEDULERS}"),
        ));
    };
    // Decimal digits only (no sign, space or separator): what both
    // `DETSIM_SCHEDULER` and `cargo detsim --scheduler` accept.
    let parsed = match depth.is_empty() || !depth.bytes().all(|b| b.is_ascii_digit()) {
        true => None,
        false => depth.parse::<u64>().ok(),
    };
    match parsed {
        Some(d @ 1..=MAX_PCT_DEPTH) => Ok(Scheduler::Pct(Some(d as u32))),
        _ => Err(syn::Error::new(
            lit.span(),
            format!(
                "invalid scheduler {text:?}: the depth N in \"pct:N\" must be a whole number \
                 from 1 to {MAX_PCT_DEPTH}, like \"pct:2\"; valid schedulers: {SCHEDULERS}"
            ),
        )),
    }
}

fn time_limit(value: &Expr) -> Result<u64, syn::Error> {
    if let Expr::Lit(syn::ExprLit {
        lit: lit @ (Lit::Int(_) | Lit::Float(_)),
        ..
    }) = value
    {
        let text = lit.to_token_stream().to_string();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "`time_limit` takes a string with a unit, like `time_limit = \"90s\"`, not `{text}`"
            ),
        ));
    }
    let lit = string(value, "time_limit")?;
    duration::parse_nanos(&lit.value()).map_err(|e| {
        syn::Error::new(
            lit.span(),
            format!("invalid `time_limit` {:?}: {e}", lit.value()),
        )
    })
}

fn krate(value: &Expr) -> Result<syn::Path, syn::Error> {
    let lit = string(value, "crate")?;
    lit.parse::<syn::Path>().map_err(|_| {
        syn::Error::new(
            lit.span(),
            format!(
                "`crate` must be a path to the detsim crate, like `{}`, not {:?}",
                example("crate"),
                lit.value()
            ),
        )
    })
}

/// Levenshtein distance, for "did you mean" hints.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitute = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::parse;

    fn calls(args: proc_macro2::TokenStream) -> String {
        parse(args).unwrap().builder_calls().to_string()
    }

    fn errors(args: proc_macro2::TokenStream) -> Vec<String> {
        match parse(args) {
            Ok(_) => Vec::new(),
            Err(e) => e.into_iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn no_keys_no_calls() {
        assert_eq!(calls(quote!()), "");
        assert_eq!(parse(quote!()).unwrap().krate().to_string(), ":: detsim");
    }

    #[test]
    fn every_key_in_a_fixed_order() {
        let args = quote!(
            check_determinism,
            strict,
            max_steps = 9,
            time_limit = "1.5s",
            pct_depth = 2,
            scheduler = "pct",
            seeds = 4,
            seed = 0x10
        );
        assert_eq!(
            calls(args),
            ". seed (16u64) . seeds (4u64) . pct (2u32) . time_limit_nanos (1500000000u64) \
             . max_steps (9u64) . strict () . check_determinism ()"
        );
    }

    #[test]
    fn schedulers() {
        assert_eq!(calls(quote!(scheduler = "random")), ". random ()");
        assert_eq!(calls(quote!(scheduler = "fifo")), ". fifo ()");
        assert_eq!(calls(quote!(scheduler = "pct")), ". pct (3u32)");
        assert_eq!(calls(quote!(scheduler = "portfolio")), ". portfolio ()");
        assert_eq!(
            calls(quote!(scheduler = "pct", pct_depth = 64)),
            ". pct (64u32)"
        );
        // `pct:N`, as DETSIM_SCHEDULER and `cargo detsim --scheduler` write it.
        assert_eq!(calls(quote!(scheduler = "pct:2")), ". pct (2u32)");
        assert_eq!(calls(quote!(scheduler = "pct:64")), ". pct (64u32)");
        assert_eq!(calls(quote!(scheduler = "pct:03")), ". pct (3u32)");
    }

    #[test]
    fn a_bad_pct_depth_in_the_scheduler_names_the_valid_forms() {
        let forms = "valid schedulers: \"random\", \"fifo\", \"pct\" (depth 3, or \
                     `pct_depth = N`), \"pct:N\" (depth N from 1 to 64) or \"portfolio\"";
        for bad in [
            "pct:0",
            "pct:65",
            "pct:x",
            "pct:",
            "pct:-1",
            "pct:+2",
            "pct: 2",
            "pct:1_0",
            "pct:99999999999999999999",
        ] {
            assert_eq!(
                errors(quote!(scheduler = #bad)),
                [format!(
                    "invalid scheduler {bad:?}: the depth N in \"pct:N\" must be a whole number \
                     from 1 to 64, like \"pct:2\"; {forms}"
                )]
            );
        }
        assert_eq!(
            errors(quote!(scheduler = "pct:2", pct_depth = 3)),
            [
                "`pct_depth` repeats the depth `scheduler = \"pct:2\"` already gives: write \
                 `scheduler = \"pct:N\"` or `scheduler = \"pct\", pct_depth = N`, not both"
            ]
        );
    }

    #[test]
    fn integer_literals() {
        assert_eq!(calls(quote!(seed = 1_000u64)), ". seed (1000u64)");
        assert_eq!(
            calls(quote!(seed = 0xffff_ffff_ffff_ffff)),
            ". seed (18446744073709551615u64)"
        );
        assert_eq!(calls(quote!(seed = 0b101)), ". seed (5u64)");
        assert_eq!(
            calls(quote!(scheduler = "pct", pct_depth = 4u32)),
            ". pct (4u32)"
        );
    }

    #[test]
    fn crate_path() {
        let attrs = parse(quote!(crate = "crate::reexport::detsim")).unwrap();
        assert_eq!(attrs.krate().to_string(), "crate :: reexport :: detsim");
    }

    #[test]
    fn unknown_keys_list_the_valid_ones() {
        let all = "valid keys: seed, seeds, scheduler, pct_depth, time_limit, max_steps, \
                   strict, check_determinism, crate";
        assert_eq!(
            errors(quote!(seeed = 1)),
            [format!("unknown key `seeed`; did you mean `seed`?\n{all}")]
        );
        assert_eq!(
            errors(quote!(strickt)),
            [format!(
                "unknown key `strickt`; did you mean `strict`?\n{all}"
            )]
        );
        assert_eq!(
            errors(quote!(foo = 1)),
            [format!("unknown key `foo`\n{all}")]
        );
        assert_eq!(
            errors(quote!(detsim::seed = 1)),
            [format!("unknown key `detsim::seed`\n{all}")]
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let found = errors(quote!(
            seed = 1,
            seed = 2,
            seeds = 0,
            strict = true,
            max_steps
        ));
        assert_eq!(
            found,
            [
                "duplicate key `seed`: each key may be given once",
                "`seeds` must be at least 1, like `seeds = 100`",
                "`strict` is a flag and takes no value: write `strict` alone, or leave it out",
                "`max_steps` needs a value, like `max_steps = 100_000`",
            ]
        );
    }

    #[test]
    fn a_negative_number_says_it_cannot_be() {
        assert_eq!(
            errors(quote!(seeds = -1)),
            ["`seeds` cannot be negative: it is a u64 of 1 or more, like `seeds = 100`"]
        );
        assert_eq!(
            errors(quote!(seed = -7)),
            ["`seed` cannot be negative: it is a u64 of 0 or more, like `seed = 7`"]
        );
        assert_eq!(
            errors(quote!(pct_depth = -2, scheduler = "pct")),
            ["`pct_depth` cannot be negative: it is a u32 of 1 or more, like `pct_depth = 3`"]
        );
    }

    #[test]
    fn pct_depth_needs_the_pct_scheduler() {
        assert_eq!(
            errors(quote!(pct_depth = 2)),
            [
                "`pct_depth` needs `scheduler = \"pct\"`: the depth is a setting of the PCT scheduler"
            ]
        );
        assert_eq!(
            errors(quote!(pct_depth = 2, scheduler = "random")),
            ["`pct_depth` applies only to `scheduler = \"pct\"`, not \"random\""]
        );
        // A bad scheduler is reported once, without a pct_depth complaint.
        assert_eq!(
            errors(quote!(pct_depth = 2, scheduler = "dfs")),
            [
                "unknown scheduler \"dfs\"; expected \"random\", \"fifo\", \"pct\" (depth 3, or \
                 `pct_depth = N`), \"pct:N\" (depth N from 1 to 64) or \"portfolio\""
            ]
        );
        // A bad depth inside the scheduler, too.
        assert_eq!(errors(quote!(pct_depth = 2, scheduler = "pct:0")).len(), 1);
        assert_eq!(
            errors(quote!(scheduler = "pct", pct_depth = 65)),
            ["`pct_depth` must be between 1 and 64 (the default is 3)"]
        );
        assert_eq!(
            errors(quote!(scheduler = "pct", pct_depth = 4294967296)),
            ["`pct_depth` must be between 1 and 64 (the default is 3)"]
        );
    }

    #[test]
    fn time_limit_values() {
        assert_eq!(
            calls(quote!(time_limit = "2m")),
            ". time_limit_nanos (120000000000u64)"
        );
        assert_eq!(
            errors(quote!(time_limit = 5)),
            ["`time_limit` takes a string with a unit, like `time_limit = \"90s\"`, not `5`"]
        );
        assert_eq!(
            errors(quote!(time_limit = "0s")),
            ["invalid `time_limit` \"0s\": the time limit must be greater than zero"]
        );
    }
}
