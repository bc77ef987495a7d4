//! How a trace shows the disk's events: each event kind's two words (see
//! the `EventKind`s in `faults.rs` and where `ops.rs`, `file.rs` and
//! `options.rs` fold them) turned back into nodes, inodes, offsets and
//! sizes.

use linkme::distributed_slice;

use crate::ext::{EVENT_RENDERERS, EventRenderer};

/// `ino ^ node << 48`, as writes and syncs pack them.
fn node_ino(a: u64) -> (u64, u64) {
    (a >> 48, a & ((1 << 48) - 1))
}

fn write(a: u64, b: u64) -> String {
    let (node, ino) = node_ino(a);
    // `offset ^ len << 40`, or `size ^ u64::MAX << 40` for a set_len.
    if b >> 40 == u64::MAX >> 40 {
        let size = b & ((1 << 40) - 1);
        return format!("disk: node {node} set_len inode {ino} to {size} bytes");
    }
    let (len, offset) = (b >> 40, b & ((1 << 40) - 1));
    format!("disk: node {node} write inode {ino} at {offset} ({len} bytes)")
}

fn sync(a: u64, b: u64) -> String {
    let (node, ino) = node_ino(a);
    format!("disk: node {node} sync inode {ino} ({b} bytes made durable)")
}

fn crash(a: u64, b: u64) -> String {
    format!("disk: node {a} crashed (now incarnation {b}): unsynced state lost")
}

fn fault(a: u64, b: u64) -> String {
    let what = match b {
        1 => "read error (EIO)",
        2 => "write error (EIO)",
        3 => "sync error (EIO)",
        4 => "read corruption (a bit flip)",
        5 => "disk full",
        6 => "journal commit error (EIO): the journal aborted, the disk is read-only",
        _ => "fault",
    };
    format!("disk: node {a} injected {what}")
}

fn namespace(a: u64, b: u64) -> String {
    let what = match b & 0xff {
        1 => "create_dir",
        2 => "create_dir_all",
        3 => "remove_file",
        4 => "remove_dir",
        5 => "remove_dir_all",
        6 => "rename",
        7 => return format!("disk: node {a} open inode {}", b >> 8),
        8 => return format!("disk: node {a} hard_link to inode {}", b >> 8),
        9 => return format!("disk: node {a} copy to inode {}", b >> 8),
        10 => return format!("disk: node {a} set_permissions of inode {}", b >> 8),
        _ => "namespace change",
    };
    format!("disk: node {a} {what}")
}

/// Registers the renderer of the disk event kind `code`. linkme places
/// the static in a link section, which the `unsafe_code` lint counts; no
/// unsafe operation is involved (the slice is only ever read).
macro_rules! renderer {
    ($name:ident, $code:expr, $render:expr) => {
        #[allow(unsafe_code)]
        #[distributed_slice(EVENT_RENDERERS)]
        #[linkme(crate = linkme)]
        static $name: EventRenderer = EventRenderer {
            code: $code,
            render: $render,
        };
    };
}

renderer!(WRITE, 0x4601, write);
renderer!(SYNC, 0x4602, sync);
renderer!(CRASH, 0x4603, crash);
renderer!(FAULT, 0x4604, fault);
renderer!(NAMESPACE, 0x4605, namespace);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_decode_as_the_disk_packs_them() {
        let a = 9 ^ (2u64 << 48);
        assert_eq!(
            write(a, 4096 ^ (512u64 << 40)),
            "disk: node 2 write inode 9 at 4096 (512 bytes)"
        );
        assert_eq!(
            write(a, 100 ^ (u64::MAX << 40)),
            "disk: node 2 set_len inode 9 to 100 bytes"
        );
        assert_eq!(
            sync(a, 8192),
            "disk: node 2 sync inode 9 (8192 bytes made durable)"
        );
        assert_eq!(fault(1, 5), "disk: node 1 injected disk full");
        assert_eq!(
            fault(1, 6),
            "disk: node 1 injected journal commit error (EIO): the journal aborted, the disk is \
             read-only"
        );
        assert_eq!(namespace(1, 6), "disk: node 1 rename");
        assert_eq!(namespace(1, 7 ^ (3 << 8)), "disk: node 1 open inode 3");
        assert_eq!(
            namespace(1, 8 ^ (3 << 8)),
            "disk: node 1 hard_link to inode 3"
        );
        assert_eq!(namespace(1, 9 ^ (3 << 8)), "disk: node 1 copy to inode 3");
        assert_eq!(
            namespace(1, 10 ^ (3 << 8)),
            "disk: node 1 set_permissions of inode 3"
        );
        for code in [0x4601, 0x4602, 0x4603, 0x4604, 0x4605] {
            assert!(EVENT_RENDERERS.iter().any(|r| r.code == code));
        }
    }
}
