//! The expansion of `#[sim_test]`: checks the function, then wraps it in a
//! `#[test]` that hands it to `detsim::__private::run_test`.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::{Attribute, Expr, ExprLit, FnArg, ItemFn, Lit, LitStr, Meta, ReturnType, Signature};

use crate::Errors;
use crate::attrs::{self, Attrs};

/// Attribute names (last path segment) that make a function a test by
/// themselves: `#[test]`, `#[tokio::test]`, `#[sim_test]`, ...
const TEST_ATTRIBUTES: [&str; 4] = ["test", "sim_test", "rstest", "test_case"];

/// Expands `#[sim_test(args)] item`.
pub(crate) fn sim_test(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let attrs = attrs::parse(args).map_err(|e| errors.push(e)).ok();

    let mut func = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(func) => func,
        Err(e) => {
            errors.push(syn::Error::new(
                e.span(),
                "#[sim_test] goes on an `async fn` with no arguments",
            ));
            let errors = errors.into_compile_errors();
            return quote!(#item #errors);
        }
    };

    let before = func.attrs.len();
    func.attrs.retain(|attr| {
        let is_test = is_test_attribute(attr);
        if is_test {
            errors.push(syn::Error::new_spanned(
                attr,
                "#[sim_test] already makes this function a test: remove this attribute",
            ));
        }
        !is_test
    });
    // A test attribute above #[sim_test] (`#[tokio::test]`) has already
    // turned the `async fn` into a plain one: saying so would be noise.
    let other_test_attribute = func.attrs.len() != before;
    check_signature(&func.sig, !other_test_attribute, &mut errors);

    match attrs {
        Some(attrs) if errors.is_empty() => expand(&attrs, func),
        _ => {
            // Keep the function so the rest of the crate (and the IDE) still
            // sees it; only the macro's own errors are reported.
            let errors = errors.into_compile_errors();
            quote! {
                #[allow(dead_code, unused_variables)]
                #func
                #errors
            }
        }
    }
}

/// Whether `attr` is another test attribute (`#[test]`, `#[tokio::test]`,
/// a second `#[sim_test]`...).
fn is_test_attribute(attr: &Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|segment| TEST_ATTRIBUTES.iter().any(|name| segment.ident == name))
}

/// Reports each way the signature is not `async fn name()` (returning
/// anything: the return type is checked by the `TestOutput` bound).
fn check_signature(sig: &Signature, check_async: bool, errors: &mut Errors) {
    if let Some(constness) = &sig.constness {
        errors.push(syn::Error::new(
            constness.span,
            "a #[sim_test] function cannot be `const`",
        ));
    }
    if check_async && sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span,
            "#[sim_test] needs an `async fn`: add `async` before `fn`",
        ));
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(syn::Error::new(
            unsafety.span,
            "a #[sim_test] function cannot be `unsafe`",
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new_spanned(
            abi,
            "a #[sim_test] function cannot be `extern`",
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            "a #[sim_test] function cannot be generic: the test calls it with no type or \
             lifetime arguments",
        ));
    }
    if let Some(where_clause) = &sig.generics.where_clause {
        errors.push(syn::Error::new_spanned(
            where_clause,
            "a #[sim_test] function cannot have a `where` clause",
        ));
    }
    if let Some(receiver) = sig.receiver() {
        errors.push(syn::Error::new_spanned(
            receiver,
            "#[sim_test] goes on a free function, not a method: it cannot take `self`",
        ));
    }
    let arguments: Vec<&FnArg> = sig
        .inputs
        .iter()
        .filter(|arg| matches!(arg, FnArg::Typed(_)))
        .collect();
    if !arguments.is_empty() {
        errors.push(syn::Error::new_spanned(
            quote!(#(#arguments),*),
            "a #[sim_test] function takes no arguments: build what the test needs in its body",
        ));
    }
    if let Some(variadic) = &sig.variadic {
        errors.push(syn::Error::new_spanned(
            variadic,
            "a #[sim_test] function takes no arguments",
        ));
    }
}

/// The expansion of a well-formed `#[sim_test]`.
fn expand(attrs: &Attrs, func: ItemFn) -> TokenStream {
    let ItemFn {
        attrs: outer_attrs,
        vis,
        sig,
        block,
    } = func;
    let name = &sig.ident;
    let krate = attrs.krate();
    let mut calls = attrs.builder_calls();
    calls.extend(should_panic_call(&outer_attrs));
    let run_test = quote! {
        #krate::__private::run_test(
            #krate::__private::test_spec!(::core::concat!(
                ::core::module_path!(), "::", ::core::stringify!(#name)
            )),
            #krate::__private::TestAttrs::new() #calls,
            #name,
        )
    };
    // An unsuitable return type fails `run_test`'s `TestOutput` bound, which
    // rustc reports on the call: located on the return type, the error (and
    // its on_unimplemented message) underlines the return type.
    let run_test = match &sig.output {
        ReturnType::Type(_, ty) => locate(run_test, ty),
        ReturnType::Default => run_test,
    };
    // A marker `cargo detsim` finds in the test binary's bytes (which tests
    // are simulation tests, without running any): black_box keeps the
    // string in the binary.
    quote! {
        #(#outer_attrs)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            #sig #block
            ::core::hint::black_box(::core::concat!(
                "\0detsim-sim-test:v1:", ::core::module_path!(), "::", ::core::stringify!(#name), "\0"
            ));
            #run_test
        }
    }
}

/// `.should_panic(...)` when the test is `#[should_panic]` (with its
/// `expected` text, if any), so that `cargo detsim sweep` counts the
/// failure the test expects as its pass. rustc checks the attribute's
/// form itself: a form not read here is still a `#[should_panic]`.
fn should_panic_call(attrs: &[Attribute]) -> TokenStream {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("should_panic")) else {
        return TokenStream::new();
    };
    let mut expected = None;
    match &attr.meta {
        // #[should_panic = "text"]
        Meta::NameValue(nv) => {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
            {
                expected = Some(s.clone());
            }
        }
        // #[should_panic(expected = "text")]
        Meta::List(_) => {
            let _ = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("expected") {
                    expected = Some(meta.value()?.parse::<LitStr>()?);
                }
                Ok(())
            });
        }
        Meta::Path(_) => {}
    }
    match expected {
        Some(text) => quote!(.should_panic(::core::option::Option::Some(#text))),
        None => quote!(.should_panic(::core::option::Option::None)),
    }
}

/// `tokens` with the location (not the name resolution) of `target`: the
/// first token starts where `target` starts and the last ends where it ends,
/// so an error on `tokens` underlines all of `target`.
fn locate(tokens: TokenStream, target: &impl ToTokens) -> TokenStream {
    let mut target = target.to_token_stream().into_iter();
    let Some(first) = target.next().map(|t| t.span()) else {
        return tokens;
    };
    let last = target.last().map_or(first, |t| t.span());
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let count = tokens.len();
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, mut token)| {
            let at = if i + 1 == count { last } else { first };
            token.set_span(at);
            token
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::sim_test;

    #[test]
    fn wraps_the_async_fn_in_a_test() {
        let out = sim_test(
            quote!(seed = 7),
            quote! {
                /// Docs stay.
                #[should_panic]
                async fn my_test() -> Result<(), String> { Ok(()) }
            },
        );
        let expected = quote! {
            #[doc = r" Docs stay."]
            #[should_panic]
            #[::core::prelude::v1::test]
            fn my_test() {
                async fn my_test() -> Result<(), String> { Ok(()) }
                ::core::hint::black_box(::core::concat!(
                    "\0detsim-sim-test:v1:", ::core::module_path!(), "::", ::core::stringify!(my_test), "\0"
                ));
                ::detsim::__private::run_test(
                    ::detsim::__private::test_spec!(::core::concat!(
                        ::core::module_path!(), "::", ::core::stringify!(my_test)
                    )),
                    ::detsim::__private::TestAttrs::new().seed(7u64)
                        .should_panic(::core::option::Option::None),
                    my_test,
                )
            }
        };
        assert_eq!(out.to_string(), expected.to_string());
    }

    #[test]
    fn should_panic_is_handed_to_the_harness_with_its_text() {
        let cases = [
            (quote!(#[should_panic]), "None"),
            (
                quote!(#[should_panic(expected = "boom")]),
                "Some (\"boom\")",
            ),
            (quote!(#[should_panic = "bang"]), "Some (\"bang\")"),
            (quote!(#[doc = "not a test"]), ""),
        ];
        for (attr, call) in cases {
            let out = sim_test(quote!(), quote!(#attr async fn t() {})).to_string();
            let attrs = "TestAttrs :: new ()";
            let expected = if call.is_empty() {
                format!("{attrs} , t")
            } else {
                format!("{attrs} . should_panic (:: core :: option :: Option :: {call}) , t")
            };
            assert!(out.contains(&expected), "{attr}: {out}");
        }
    }

    #[test]
    fn crate_key_replaces_the_facade_path() {
        let out = sim_test(
            quote!(crate = "my::detsim"),
            quote!(
                pub async fn t() {}
            ),
        )
        .to_string();
        assert!(
            out.contains("my :: detsim :: __private :: run_test"),
            "{out}"
        );
        // Every facade path goes through the given one.
        assert_eq!(out.matches(":: detsim ::").count(), 3, "{out}");
        assert_eq!(out.matches("my :: detsim ::").count(), 3, "{out}");
        assert!(out.contains("pub fn t ()"), "{out}");
    }

    #[test]
    fn misuse_keeps_the_function_and_reports_every_error() {
        let out = sim_test(
            quote!(seeed = 1),
            quote! {
                #[test]
                fn plain(x: u32) {}
            },
        )
        .to_string();
        assert!(
            out.starts_with("# [allow (dead_code , unused_variables)] fn plain (x : u32) { }"),
            "{out}"
        );
        assert_eq!(out.matches("compile_error").count(), 3, "{out}");
        assert!(out.contains("already makes this function a test"), "{out}");
        assert!(out.contains("takes no arguments"), "{out}");
        assert!(out.contains("unknown key `seeed`"), "{out}");
        // The other test attribute explains the missing `async` away.
        assert!(!out.contains("needs an `async fn`"), "{out}");
    }

    #[test]
    fn signature_problems() {
        let cases = [
            (
                quote!(
                    fn f() {}
                ),
                "needs an `async fn`",
            ),
            (
                quote!(
                    async unsafe fn f() {}
                ),
                "cannot be `unsafe`",
            ),
            (
                quote!(
                    async extern "C" fn f() {}
                ),
                "cannot be `extern`",
            ),
            (
                quote!(
                    async fn f<'a>() {}
                ),
                "cannot be generic",
            ),
            (
                quote!(
                    async fn f()
                    where
                        u8: Copy,
                    {
                    }
                ),
                "cannot have a `where` clause",
            ),
            (
                quote!(
                    async fn f(self) {}
                ),
                "cannot take `self`",
            ),
            (
                quote!(
                    struct S;
                ),
                "goes on an `async fn`",
            ),
        ];
        for (item, message) in cases {
            let out = sim_test(quote!(), item).to_string();
            assert!(out.contains(message), "{message}: {out}");
        }
    }
}
