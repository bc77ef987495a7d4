//! Where assertion hits are kept: per simulation ([`Hits`], an extension
//! value of the run), and every assertion site of the binary (`SITES`,
//! a link-time list, so a sweep knows the sites no run reached).

use std::cell::RefCell;
use std::collections::BTreeMap;

use super::AssertSite;
use super::report::{AssertionStats, Assertions, SiteKey};
use crate::ext::Extension;

/// Every assertion site compiled into the binary, gathered at link time
/// (one `static` per macro call). Not a stable API.
#[doc(hidden)]
#[linkme::distributed_slice]
pub static SITES: [AssertSite];

/// Hits and true conditions per site, in one simulation.
#[derive(Default)]
pub(crate) struct Hits(RefCell<BTreeMap<SiteKey, (u64, u64)>>);

impl Extension for Hits {}

impl Hits {
    pub(crate) fn hit(&self, site: &'static AssertSite, held: bool) {
        let mut map = self.0.borrow_mut();
        let counts = map.entry(SiteKey(site)).or_default();
        counts.0 += 1;
        counts.1 += u64::from(held);
    }

    /// The report of this one run.
    pub(crate) fn report(&self) -> Assertions {
        let map = self.0.borrow();
        let sites = map
            .iter()
            .map(|(key, &(hits, held))| (*key, AssertionStats::of_run(key.0, hits, held)))
            .collect();
        Assertions::new(1, sites)
    }
}

/// The `sometimes` and `reachable` sites written inside the function
/// `path` (a `#[sim_test]`'s `module::name`), in the binary's list.
pub(crate) fn declared_in(path: &str) -> Vec<&'static AssertSite> {
    let inside = |scope: &str| {
        scope
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with("::"))
    };
    SITES
        .iter()
        .filter(|s| {
            matches!(
                s.kind,
                super::AssertKind::Sometimes | super::AssertKind::Reachable
            )
        })
        .filter(|s| inside((s.scope)()))
        .collect()
}

#[cfg(test)]
// The macros' link-time registration is `unsafe_code` to the lint when
// expanded in their own crate (not in a user's: an external macro).
#[allow(unsafe_code)]
mod tests {
    use super::*;

    fn declared_here() {
        if false {
            crate::assert_reachable!("registry test: never reached");
        }
    }

    #[test]
    fn unreached_sites_are_found_by_their_function() {
        declared_here();
        let path = concat!(module_path!(), "::declared_here");
        let sites = declared_in(path);
        assert_eq!(sites.len(), 1, "{sites:?}");
        assert_eq!(sites[0].message, "registry test: never reached");
        assert!(declared_in(concat!(module_path!(), "::declared")).is_empty());
    }
}
