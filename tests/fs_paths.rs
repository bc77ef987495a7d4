//! `.` and `..` are resolved on the disk, component by component, as the
//! Linux kernel does (the simulated disk has no symlinks): every directory
//! a path walks through before a `..` (or a `.`) must exist and be a
//! directory, so `"/f/.."` with `/f` a file is `NotADirectory` (ENOTDIR)
//! and `"/missing/.."` is `NotFound` (ENOENT), not `/`. A path whose last
//! component is `.` or `..` names that directory itself, which cannot be
//! created, removed or renamed (Linux's EEXIST, EISDIR, EINVAL, ENOTEMPTY,
//! EBUSY).
//!
//! [`LINUX`] is what `std::fs` returned on Linux 6.18 (ext4) for each call,
//! in a fresh temporary directory laid out as [`setup`] lays out `/t`; each
//! row here runs on a fresh simulated disk and must give the same outcome.

use std::io::ErrorKind;

use detsim::Sim;
use detsim::fs::{self, File, OpenOptions};

/// `(operation, path below /t, std's outcome on Linux)`. `Ok+m`: succeeded
/// and created `/t/m` (std's `create_dir_all` creates the parent of each
/// `..` it meets).
const LINUX: &[(&str, &str, &str)] = &[
    ("metadata", "f/..", "NotADirectory"),
    ("metadata", "m/..", "NotFound"),
    ("metadata", "f/../d", "NotADirectory"),
    ("metadata", "m/../d", "NotFound"),
    ("metadata", "d/../f", "Ok"),
    ("metadata", "d/sub/../g", "Ok"),
    ("metadata", "d/m/../g", "NotFound"),
    ("metadata", "d/g/../g", "NotADirectory"),
    ("metadata", "d/..", "Ok"),
    ("metadata", "d/sub/..", "Ok"),
    ("metadata", "d/sub/../", "Ok"),
    ("metadata", "f/../", "NotADirectory"),
    ("metadata", "d/./..", "Ok"),
    ("metadata", "f/./..", "NotADirectory"),
    ("metadata", "d/sub/../../f", "Ok"),
    ("metadata", "d/sub/../m/../g", "NotFound"),
    ("metadata", "e/.", "Ok"),
    ("metadata", "e/./", "Ok"),
    ("metadata", "f/.", "NotADirectory"),
    ("metadata", "m/.", "NotFound"),
    ("metadata", "f/../n", "NotADirectory"),
    ("metadata", "m/../n", "NotFound"),
    ("metadata", "d/../n", "NotFound"),
    ("metadata", "d/g/../n", "NotADirectory"),
    ("metadata", "d/sub/../n", "NotFound"),
    ("metadata", "d/m/../n", "NotFound"),
    ("metadata", "d/sub/../../n", "NotFound"),
    ("read_dir", "f/..", "NotADirectory"),
    ("read_dir", "m/..", "NotFound"),
    ("read_dir", "f/../d", "NotADirectory"),
    ("read_dir", "m/../d", "NotFound"),
    ("read_dir", "d/../f", "NotADirectory"),
    ("read_dir", "d/sub/../g", "NotADirectory"),
    ("read_dir", "d/m/../g", "NotFound"),
    ("read_dir", "d/g/../g", "NotADirectory"),
    ("read_dir", "d/..", "Ok"),
    ("read_dir", "d/sub/..", "Ok"),
    ("read_dir", "d/sub/../", "Ok"),
    ("read_dir", "f/../", "NotADirectory"),
    ("read_dir", "d/./..", "Ok"),
    ("read_dir", "f/./..", "NotADirectory"),
    ("read_dir", "d/sub/../../f", "NotADirectory"),
    ("read_dir", "d/sub/../m/../g", "NotFound"),
    ("read_dir", "e/.", "Ok"),
    ("read_dir", "e/./", "Ok"),
    ("read_dir", "f/.", "NotADirectory"),
    ("read_dir", "m/.", "NotFound"),
    ("read_dir", "f/../n", "NotADirectory"),
    ("read_dir", "m/../n", "NotFound"),
    ("read_dir", "d/../n", "NotFound"),
    ("read_dir", "d/g/../n", "NotADirectory"),
    ("read_dir", "d/sub/../n", "NotFound"),
    ("read_dir", "d/m/../n", "NotFound"),
    ("read_dir", "d/sub/../../n", "NotFound"),
    ("open", "f/..", "NotADirectory"),
    ("open", "m/..", "NotFound"),
    ("open", "f/../d", "NotADirectory"),
    ("open", "m/../d", "NotFound"),
    ("open", "d/../f", "Ok"),
    ("open", "d/sub/../g", "Ok"),
    ("open", "d/m/../g", "NotFound"),
    ("open", "d/g/../g", "NotADirectory"),
    ("open", "d/..", "Ok"),
    ("open", "d/sub/..", "Ok"),
    ("open", "d/sub/../", "Ok"),
    ("open", "f/../", "NotADirectory"),
    ("open", "d/./..", "Ok"),
    ("open", "f/./..", "NotADirectory"),
    ("open", "d/sub/../../f", "Ok"),
    ("open", "d/sub/../m/../g", "NotFound"),
    ("open", "e/.", "Ok"),
    ("open", "e/./", "Ok"),
    ("open", "f/.", "NotADirectory"),
    ("open", "m/.", "NotFound"),
    ("open", "f/../n", "NotADirectory"),
    ("open", "m/../n", "NotFound"),
    ("open", "d/../n", "NotFound"),
    ("open", "d/g/../n", "NotADirectory"),
    ("open", "d/sub/../n", "NotFound"),
    ("open", "d/m/../n", "NotFound"),
    ("open", "d/sub/../../n", "NotFound"),
    ("open_write", "f/..", "NotADirectory"),
    ("open_write", "m/..", "NotFound"),
    ("open_write", "f/../d", "NotADirectory"),
    ("open_write", "m/../d", "NotFound"),
    ("open_write", "d/../f", "Ok"),
    ("open_write", "d/sub/../g", "Ok"),
    ("open_write", "d/m/../g", "NotFound"),
    ("open_write", "d/g/../g", "NotADirectory"),
    ("open_write", "d/..", "IsADirectory"),
    ("open_write", "d/sub/..", "IsADirectory"),
    ("open_write", "d/sub/../", "IsADirectory"),
    ("open_write", "f/../", "NotADirectory"),
    ("open_write", "d/./..", "IsADirectory"),
    ("open_write", "f/./..", "NotADirectory"),
    ("open_write", "d/sub/../../f", "Ok"),
    ("open_write", "d/sub/../m/../g", "NotFound"),
    ("open_write", "e/.", "IsADirectory"),
    ("open_write", "e/./", "IsADirectory"),
    ("open_write", "f/.", "NotADirectory"),
    ("open_write", "m/.", "NotFound"),
    ("open_write", "f/../n", "NotADirectory"),
    ("open_write", "m/../n", "NotFound"),
    ("open_write", "d/../n", "NotFound"),
    ("open_write", "d/g/../n", "NotADirectory"),
    ("open_write", "d/sub/../n", "NotFound"),
    ("open_write", "d/m/../n", "NotFound"),
    ("open_write", "d/sub/../../n", "NotFound"),
    ("create", "f/..", "NotADirectory"),
    ("create", "m/..", "NotFound"),
    ("create", "f/../d", "NotADirectory"),
    ("create", "m/../d", "NotFound"),
    ("create", "d/../f", "Ok"),
    ("create", "d/sub/../g", "Ok"),
    ("create", "d/m/../g", "NotFound"),
    ("create", "d/g/../g", "NotADirectory"),
    ("create", "d/..", "IsADirectory"),
    ("create", "d/sub/..", "IsADirectory"),
    ("create", "d/sub/../", "IsADirectory"),
    ("create", "f/../", "NotADirectory"),
    ("create", "d/./..", "IsADirectory"),
    ("create", "f/./..", "NotADirectory"),
    ("create", "d/sub/../../f", "Ok"),
    ("create", "d/sub/../m/../g", "NotFound"),
    ("create", "e/.", "IsADirectory"),
    ("create", "e/./", "IsADirectory"),
    ("create", "f/.", "NotADirectory"),
    ("create", "m/.", "NotFound"),
    ("create", "f/../n", "NotADirectory"),
    ("create", "m/../n", "NotFound"),
    ("create", "d/../n", "Ok"),
    ("create", "d/g/../n", "NotADirectory"),
    ("create", "d/sub/../n", "Ok"),
    ("create", "d/m/../n", "NotFound"),
    ("create", "d/sub/../../n", "Ok"),
    ("create_new", "f/..", "NotADirectory"),
    ("create_new", "m/..", "NotFound"),
    ("create_new", "f/../d", "NotADirectory"),
    ("create_new", "m/../d", "NotFound"),
    ("create_new", "d/../f", "AlreadyExists"),
    ("create_new", "d/sub/../g", "AlreadyExists"),
    ("create_new", "d/m/../g", "NotFound"),
    ("create_new", "d/g/../g", "NotADirectory"),
    ("create_new", "d/..", "AlreadyExists"),
    ("create_new", "d/sub/..", "AlreadyExists"),
    ("create_new", "d/sub/../", "AlreadyExists"),
    ("create_new", "f/../", "NotADirectory"),
    ("create_new", "d/./..", "AlreadyExists"),
    ("create_new", "f/./..", "NotADirectory"),
    ("create_new", "d/sub/../../f", "AlreadyExists"),
    ("create_new", "d/sub/../m/../g", "NotFound"),
    ("create_new", "e/.", "AlreadyExists"),
    ("create_new", "e/./", "AlreadyExists"),
    ("create_new", "f/.", "NotADirectory"),
    ("create_new", "m/.", "NotFound"),
    ("create_new", "f/../n", "NotADirectory"),
    ("create_new", "m/../n", "NotFound"),
    ("create_new", "d/../n", "Ok"),
    ("create_new", "d/g/../n", "NotADirectory"),
    ("create_new", "d/sub/../n", "Ok"),
    ("create_new", "d/m/../n", "NotFound"),
    ("create_new", "d/sub/../../n", "Ok"),
    ("write", "f/..", "NotADirectory"),
    ("write", "m/..", "NotFound"),
    ("write", "f/../d", "NotADirectory"),
    ("write", "m/../d", "NotFound"),
    ("write", "d/../f", "Ok"),
    ("write", "d/sub/../g", "Ok"),
    ("write", "d/m/../g", "NotFound"),
    ("write", "d/g/../g", "NotADirectory"),
    ("write", "d/..", "IsADirectory"),
    ("write", "d/sub/..", "IsADirectory"),
    ("write", "d/sub/../", "IsADirectory"),
    ("write", "f/../", "NotADirectory"),
    ("write", "d/./..", "IsADirectory"),
    ("write", "f/./..", "NotADirectory"),
    ("write", "d/sub/../../f", "Ok"),
    ("write", "d/sub/../m/../g", "NotFound"),
    ("write", "e/.", "IsADirectory"),
    ("write", "e/./", "IsADirectory"),
    ("write", "f/.", "NotADirectory"),
    ("write", "m/.", "NotFound"),
    ("write", "f/../n", "NotADirectory"),
    ("write", "m/../n", "NotFound"),
    ("write", "d/../n", "Ok"),
    ("write", "d/g/../n", "NotADirectory"),
    ("write", "d/sub/../n", "Ok"),
    ("write", "d/m/../n", "NotFound"),
    ("write", "d/sub/../../n", "Ok"),
    ("create_dir", "f/..", "NotADirectory"),
    ("create_dir", "m/..", "NotFound"),
    ("create_dir", "f/../d", "NotADirectory"),
    ("create_dir", "m/../d", "NotFound"),
    ("create_dir", "d/../f", "AlreadyExists"),
    ("create_dir", "d/sub/../g", "AlreadyExists"),
    ("create_dir", "d/m/../g", "NotFound"),
    ("create_dir", "d/g/../g", "NotADirectory"),
    ("create_dir", "d/..", "AlreadyExists"),
    ("create_dir", "d/sub/..", "AlreadyExists"),
    ("create_dir", "d/sub/../", "AlreadyExists"),
    ("create_dir", "f/../", "NotADirectory"),
    ("create_dir", "d/./..", "AlreadyExists"),
    ("create_dir", "f/./..", "NotADirectory"),
    ("create_dir", "d/sub/../../f", "AlreadyExists"),
    ("create_dir", "d/sub/../m/../g", "NotFound"),
    ("create_dir", "e/.", "AlreadyExists"),
    ("create_dir", "e/./", "AlreadyExists"),
    ("create_dir", "f/.", "NotADirectory"),
    ("create_dir", "m/.", "NotFound"),
    ("create_dir", "f/../n", "NotADirectory"),
    ("create_dir", "m/../n", "NotFound"),
    ("create_dir", "d/../n", "Ok"),
    ("create_dir", "d/g/../n", "NotADirectory"),
    ("create_dir", "d/sub/../n", "Ok"),
    ("create_dir", "d/m/../n", "NotFound"),
    ("create_dir", "d/sub/../../n", "Ok"),
    ("create_dir_all", "f/..", "NotADirectory"),
    ("create_dir_all", "m/..", "Ok+m"),
    ("create_dir_all", "f/../d", "NotADirectory"),
    ("create_dir_all", "m/../d", "Ok+m"),
    ("create_dir_all", "d/../f", "AlreadyExists"),
    ("create_dir_all", "d/sub/../g", "AlreadyExists"),
    ("create_dir_all", "d/m/../g", "AlreadyExists"),
    ("create_dir_all", "d/g/../g", "NotADirectory"),
    ("create_dir_all", "d/..", "Ok"),
    ("create_dir_all", "d/sub/..", "Ok"),
    ("create_dir_all", "d/sub/../", "Ok"),
    ("create_dir_all", "f/../", "NotADirectory"),
    ("create_dir_all", "d/./..", "Ok"),
    ("create_dir_all", "f/./..", "NotADirectory"),
    ("create_dir_all", "d/sub/../../f", "AlreadyExists"),
    ("create_dir_all", "d/sub/../m/../g", "AlreadyExists"),
    ("create_dir_all", "e/.", "Ok"),
    ("create_dir_all", "e/./", "Ok"),
    ("create_dir_all", "f/.", "NotADirectory"),
    ("create_dir_all", "m/.", "NotFound"),
    ("create_dir_all", "f/../n", "NotADirectory"),
    ("create_dir_all", "m/../n", "Ok+m"),
    ("create_dir_all", "d/../n", "Ok"),
    ("create_dir_all", "d/g/../n", "NotADirectory"),
    ("create_dir_all", "d/sub/../n", "Ok"),
    ("create_dir_all", "d/m/../n", "Ok"),
    ("create_dir_all", "d/sub/../../n", "Ok"),
    ("remove_file", "f/..", "NotADirectory"),
    ("remove_file", "m/..", "NotFound"),
    ("remove_file", "f/../d", "NotADirectory"),
    ("remove_file", "m/../d", "NotFound"),
    ("remove_file", "d/../f", "Ok"),
    ("remove_file", "d/sub/../g", "Ok"),
    ("remove_file", "d/m/../g", "NotFound"),
    ("remove_file", "d/g/../g", "NotADirectory"),
    ("remove_file", "d/..", "IsADirectory"),
    ("remove_file", "d/sub/..", "IsADirectory"),
    ("remove_file", "d/sub/../", "IsADirectory"),
    ("remove_file", "f/../", "NotADirectory"),
    ("remove_file", "d/./..", "IsADirectory"),
    ("remove_file", "f/./..", "NotADirectory"),
    ("remove_file", "d/sub/../../f", "Ok"),
    ("remove_file", "d/sub/../m/../g", "NotFound"),
    ("remove_file", "e/.", "IsADirectory"),
    ("remove_file", "e/./", "IsADirectory"),
    ("remove_file", "f/.", "NotADirectory"),
    ("remove_file", "m/.", "NotFound"),
    ("remove_file", "f/../n", "NotADirectory"),
    ("remove_file", "m/../n", "NotFound"),
    ("remove_file", "d/../n", "NotFound"),
    ("remove_file", "d/g/../n", "NotADirectory"),
    ("remove_file", "d/sub/../n", "NotFound"),
    ("remove_file", "d/m/../n", "NotFound"),
    ("remove_file", "d/sub/../../n", "NotFound"),
    ("remove_dir", "f/..", "NotADirectory"),
    ("remove_dir", "m/..", "NotFound"),
    ("remove_dir", "f/../d", "NotADirectory"),
    ("remove_dir", "m/../d", "NotFound"),
    ("remove_dir", "d/../f", "NotADirectory"),
    ("remove_dir", "d/sub/../g", "NotADirectory"),
    ("remove_dir", "d/m/../g", "NotFound"),
    ("remove_dir", "d/g/../g", "NotADirectory"),
    ("remove_dir", "d/..", "DirectoryNotEmpty"),
    ("remove_dir", "d/sub/..", "DirectoryNotEmpty"),
    ("remove_dir", "d/sub/../", "DirectoryNotEmpty"),
    ("remove_dir", "f/../", "NotADirectory"),
    ("remove_dir", "d/./..", "DirectoryNotEmpty"),
    ("remove_dir", "f/./..", "NotADirectory"),
    ("remove_dir", "d/sub/../../f", "NotADirectory"),
    ("remove_dir", "d/sub/../m/../g", "NotFound"),
    ("remove_dir", "e/.", "InvalidInput"),
    ("remove_dir", "e/./", "InvalidInput"),
    ("remove_dir", "f/.", "NotADirectory"),
    ("remove_dir", "m/.", "NotFound"),
    ("remove_dir", "f/../n", "NotADirectory"),
    ("remove_dir", "m/../n", "NotFound"),
    ("remove_dir", "d/../n", "NotFound"),
    ("remove_dir", "d/g/../n", "NotADirectory"),
    ("remove_dir", "d/sub/../n", "NotFound"),
    ("remove_dir", "d/m/../n", "NotFound"),
    ("remove_dir", "d/sub/../../n", "NotFound"),
    ("rename_from", "f/..", "NotADirectory"),
    ("rename_from", "m/..", "NotFound"),
    ("rename_from", "f/../d", "NotADirectory"),
    ("rename_from", "m/../d", "NotFound"),
    ("rename_from", "d/../f", "Ok"),
    ("rename_from", "d/sub/../g", "Ok"),
    ("rename_from", "d/m/../g", "NotFound"),
    ("rename_from", "d/g/../g", "NotADirectory"),
    ("rename_from", "d/..", "ResourceBusy"),
    ("rename_from", "d/sub/..", "ResourceBusy"),
    ("rename_from", "d/sub/../", "ResourceBusy"),
    ("rename_from", "f/../", "NotADirectory"),
    ("rename_from", "d/./..", "ResourceBusy"),
    ("rename_from", "f/./..", "NotADirectory"),
    ("rename_from", "d/sub/../../f", "Ok"),
    ("rename_from", "d/sub/../m/../g", "NotFound"),
    ("rename_from", "e/.", "ResourceBusy"),
    ("rename_from", "e/./", "ResourceBusy"),
    ("rename_from", "f/.", "NotADirectory"),
    ("rename_from", "m/.", "NotFound"),
    ("rename_from", "f/../n", "NotADirectory"),
    ("rename_from", "m/../n", "NotFound"),
    ("rename_from", "d/../n", "NotFound"),
    ("rename_from", "d/g/../n", "NotADirectory"),
    ("rename_from", "d/sub/../n", "NotFound"),
    ("rename_from", "d/m/../n", "NotFound"),
    ("rename_from", "d/sub/../../n", "NotFound"),
    ("rename_file_to", "f/..", "NotADirectory"),
    ("rename_file_to", "m/..", "NotFound"),
    ("rename_file_to", "f/../d", "NotADirectory"),
    ("rename_file_to", "m/../d", "NotFound"),
    ("rename_file_to", "d/../f", "Ok"),
    ("rename_file_to", "d/sub/../g", "Ok"),
    ("rename_file_to", "d/m/../g", "NotFound"),
    ("rename_file_to", "d/g/../g", "NotADirectory"),
    ("rename_file_to", "d/..", "ResourceBusy"),
    ("rename_file_to", "d/sub/..", "ResourceBusy"),
    ("rename_file_to", "d/sub/../", "ResourceBusy"),
    ("rename_file_to", "f/../", "NotADirectory"),
    ("rename_file_to", "d/./..", "ResourceBusy"),
    ("rename_file_to", "f/./..", "NotADirectory"),
    ("rename_file_to", "d/sub/../../f", "Ok"),
    ("rename_file_to", "d/sub/../m/../g", "NotFound"),
    ("rename_file_to", "e/.", "ResourceBusy"),
    ("rename_file_to", "e/./", "ResourceBusy"),
    ("rename_file_to", "f/.", "NotADirectory"),
    ("rename_file_to", "m/.", "NotFound"),
    ("rename_file_to", "f/../n", "NotADirectory"),
    ("rename_file_to", "m/../n", "NotFound"),
    ("rename_file_to", "d/../n", "Ok"),
    ("rename_file_to", "d/g/../n", "NotADirectory"),
    ("rename_file_to", "d/sub/../n", "Ok"),
    ("rename_file_to", "d/m/../n", "NotFound"),
    ("rename_file_to", "d/sub/../../n", "Ok"),
    ("rename_dir_to", "f/..", "NotADirectory"),
    ("rename_dir_to", "m/..", "NotFound"),
    ("rename_dir_to", "f/../d", "NotADirectory"),
    ("rename_dir_to", "m/../d", "NotFound"),
    ("rename_dir_to", "d/../f", "NotADirectory"),
    ("rename_dir_to", "d/sub/../g", "NotADirectory"),
    ("rename_dir_to", "d/m/../g", "NotFound"),
    ("rename_dir_to", "d/g/../g", "NotADirectory"),
    ("rename_dir_to", "d/..", "ResourceBusy"),
    ("rename_dir_to", "d/sub/..", "ResourceBusy"),
    ("rename_dir_to", "d/sub/../", "ResourceBusy"),
    ("rename_dir_to", "f/../", "NotADirectory"),
    ("rename_dir_to", "d/./..", "ResourceBusy"),
    ("rename_dir_to", "f/./..", "NotADirectory"),
    ("rename_dir_to", "d/sub/../../f", "NotADirectory"),
    ("rename_dir_to", "d/sub/../m/../g", "NotFound"),
    ("rename_dir_to", "e/.", "ResourceBusy"),
    ("rename_dir_to", "e/./", "ResourceBusy"),
    ("rename_dir_to", "f/.", "NotADirectory"),
    ("rename_dir_to", "m/.", "NotFound"),
    ("rename_dir_to", "f/../n", "NotADirectory"),
    ("rename_dir_to", "m/../n", "NotFound"),
    ("rename_dir_to", "d/../n", "Ok"),
    ("rename_dir_to", "d/g/../n", "NotADirectory"),
    ("rename_dir_to", "d/sub/../n", "Ok"),
    ("rename_dir_to", "d/m/../n", "NotFound"),
    ("rename_dir_to", "d/sub/../../n", "Ok"),
];

/// The disk of every row: `/t/f` and `/t/d/g` files, `/t/d/sub` and `/t/e`
/// empty directories (`/t/m` is missing).
async fn setup() {
    fs::create_dir_all("/t/d/sub").await.unwrap();
    fs::create_dir("/t/e").await.unwrap();
    fs::write("/t/f", "f").await.unwrap();
    fs::write("/t/d/g", "g").await.unwrap();
}

fn show<T>(r: std::io::Result<T>) -> String {
    match r {
        Ok(_) => "Ok".to_string(),
        Err(e) => format!("{:?}", e.kind()),
    }
}

/// Runs `op` on `/t/{path}` on a fresh disk; the outcome as [`LINUX`]
/// writes it.
fn outcome(op: &'static str, path: &'static str) -> String {
    let mut sim = Sim::builder().build();
    sim.run(async move {
        setup().await;
        let p = format!("/t/{path}");
        match op {
            "metadata" => show(fs::metadata(&p).await),
            "read_dir" => show(fs::read_dir(&p).await),
            "open" => show(File::open(&p).await),
            "open_write" => show(OpenOptions::new().write(true).open(&p).await),
            "create" => show(File::create(&p).await),
            "create_new" => show(File::create_new(&p).await),
            "write" => show(fs::write(&p, "x").await),
            "create_dir" => show(fs::create_dir(&p).await),
            "create_dir_all" => {
                let r = show(fs::create_dir_all(&p).await);
                if fs::try_exists("/t/m").await.unwrap() {
                    format!("{r}+m")
                } else {
                    r
                }
            }
            "remove_file" => show(fs::remove_file(&p).await),
            "remove_dir" => show(fs::remove_dir(&p).await),
            "rename_from" => show(fs::rename(&p, "/t/new").await),
            "rename_file_to" => show(fs::rename("/t/f", &p).await),
            "rename_dir_to" => show(fs::rename("/t/e", &p).await),
            _ => unreachable!("{op}"),
        }
    })
    .unwrap()
}

#[test]
fn dot_dot_is_resolved_on_the_disk_as_linux_resolves_it() {
    let wrong: Vec<String> = LINUX
        .iter()
        .filter_map(|&(op, path, linux)| {
            let got = outcome(op, path);
            (got != linux).then(|| format!("{op}(\"/t/{path}\"): {got}, Linux: {linux}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} of {} differ from Linux:\n{}",
        wrong.len(),
        LINUX.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_kernel_examples_from_the_review() {
    use ErrorKind::*;
    let mut sim = Sim::builder().build();
    sim.run(async {
        fs::write("/f", "x").await.unwrap();
        let kind = |r: std::io::Result<fs::Metadata>| r.unwrap_err().kind();
        assert_eq!(kind(fs::metadata("/f/..").await), NotADirectory);
        assert_eq!(kind(fs::metadata("/missing/..").await), NotFound);
        assert_eq!(kind(fs::metadata("/missing/../f").await), NotFound);
        // `..` at the root stays at the root, as on Linux.
        assert!(fs::metadata("/..").await.unwrap().is_dir());
        assert_eq!(fs::read("/../f").await.unwrap(), b"x");
        fs::create_dir("/d").await.unwrap();
        assert_eq!(fs::read("/d/../f").await.unwrap(), b"x");
    })
    .unwrap();
}

#[test]
fn rename_resolves_both_parents_before_it_looks_at_either_name() {
    // Linux's order (std::fs on Linux gives these): both parent
    // directories, then a last "." or ".." (EBUSY), then the source.
    use ErrorKind::*;
    let mut sim = Sim::builder().build();
    sim.run(async {
        fs::write("/f", "x").await.unwrap();
        fs::create_dir("/e").await.unwrap();
        let kind = |r: std::io::Result<()>| r.unwrap_err().kind();
        assert_eq!(kind(fs::rename("/m", "/f/x").await), NotADirectory);
        assert_eq!(kind(fs::rename("/m", "/e/.").await), ResourceBusy);
        assert_eq!(kind(fs::rename("/e/.", "/m/x").await), NotFound);
        assert_eq!(kind(fs::rename("/m/x", "/e/.").await), NotFound);
        assert_eq!(fs::read("/f").await.unwrap(), b"x");
    })
    .unwrap();
}

#[test]
fn the_error_names_the_path_as_written_and_the_directory_at_fault() {
    let mut sim = Sim::builder().build();
    sim.run(async {
        fs::write("/f", "x").await.unwrap();
        let e = fs::metadata("/f/../g").await.unwrap_err();
        insta::assert_snapshot!(e.to_string());
        let e = fs::create_dir("/missing/../g").await.unwrap_err();
        insta::assert_snapshot!(e.to_string());
    })
    .unwrap();
}

#[test]
fn create_dir_all_of_the_empty_path_is_ok_as_with_std() {
    // std on this machine: nothing to create is no error for
    // create_dir_all, while create_dir("") is NotFound.
    assert!(std::fs::create_dir_all("").is_ok());
    let std_create_dir = std::fs::create_dir("").map_err(|e| e.kind());
    let mut sim = Sim::builder().build();
    let (all, one) = sim
        .run(async {
            (
                fs::create_dir_all("").await.map_err(|e| e.kind()),
                fs::create_dir("").await.map_err(|e| e.kind()),
            )
        })
        .unwrap();
    assert_eq!(all, Ok(()));
    assert_eq!(one, std_create_dir);
    assert_eq!(one, Err(ErrorKind::NotFound));
}

/// std (and so tokio) refuses a path with a NUL byte with `InvalidInput`
/// before any system call; so does the simulated disk, for every call.
#[test]
fn a_nul_byte_in_a_path_is_invalid_input() {
    let real = std::fs::write(std::env::temp_dir().join("detsim\0nul"), "x").unwrap_err();
    assert_eq!(real.kind(), ErrorKind::InvalidInput);
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir("/d").await.unwrap();
            let kinds = [
                fs::write("/d/a\0b", "x").await.unwrap_err().kind(),
                File::open("/d\0").await.unwrap_err().kind(),
                fs::create_dir("/d/\0").await.unwrap_err().kind(),
                fs::rename("/d", "/e\0").await.unwrap_err().kind(),
                fs::metadata("/d/\0/..").await.unwrap_err().kind(),
            ];
            assert_eq!(kinds, [ErrorKind::InvalidInput; 5]);
            let e = fs::write("/d/a\0b", "x").await.unwrap_err();
            assert!(e.to_string().contains("NUL byte"), "{e}");
            assert!(fs::try_exists("/d").await.unwrap());
            let mut names = fs::read_dir("/d").await.unwrap();
            assert!(
                names.next_entry().await.unwrap().is_none(),
                "nothing created"
            );
        })
        .unwrap();
}

#[test]
fn a_file_renamed_onto_a_directory_above_it_is_directory_not_empty() {
    Sim::builder()
        .build()
        .run(async {
            fs::create_dir_all("/d/sub").await.unwrap();
            fs::write("/d/g", "x").await.unwrap();
            fs::write("/d/sub/h", "y").await.unwrap();
            // Linux: ENOTEMPTY (the target holds the file), not EISDIR.
            for (from, to) in [("/d/g", "/d"), ("/d/sub/h", "/d")] {
                let err = fs::rename(from, to).await.unwrap_err();
                assert_eq!(err.kind(), ErrorKind::DirectoryNotEmpty, "{from}");
            }
            // Onto a directory beside it: EISDIR, as before.
            let err = fs::rename("/d/g", "/d/sub").await.unwrap_err();
            assert_eq!(err.kind(), ErrorKind::IsADirectory);
            assert_eq!(fs::read("/d/g").await.unwrap(), b"x");
        })
        .unwrap();
}
