//! A small write-ahead log on `detsim::fs` survives random crashes.
//!
//! Records are framed `len: u32 LE | crc32: u32 LE | payload`; the payload
//! is the record's sequence number (u64 LE) and filler of a drawn length
//! (so records straddle sector boundaries). A writer node recovers the
//! log (keeping the longest valid prefix and truncating a torn tail,
//! durably), then appends records, acknowledging each only after
//! `sync_data` returned. The test kills the node at a random virtual time,
//! restarts it, lets it recover, and checks that every acknowledged record
//! is there and that what is there is whole: valid records numbered from
//! 0 with no gap, nothing after them.
//!
//! The disk tears and reorders unsynced writes at crashes, injects sync
//! errors, and has latency, so crashes land between any two steps. A
//! failed sync is fatal: the writer stops until the node restarts and
//! recovers from what is durable (retrying the sync would lose the record
//! once its changes were dropped, as on Linux: see fs_sync_error.rs). The
//! planted bug (acknowledge before syncing) is found by the same sweep and
//! its failing seed replays to the same failure and fingerprint.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use detsim::fs::Latency;
use detsim::fs::{self, Disk, DiskConfig, File, OpenOptions};
use detsim::node::Node;
use detsim::{Failure, Sim, rand, time};

const LOG: &str = "/wal/log";
const SEEDS: u64 = 500;

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

fn frame(seq: u64, filler: usize) -> Vec<u8> {
    let mut payload = seq.to_le_bytes().to_vec();
    payload.extend(std::iter::repeat_n(seq as u8, filler));
    let mut rec = (payload.len() as u32).to_le_bytes().to_vec();
    rec.extend(crc32(&payload).to_le_bytes());
    rec.extend(payload);
    rec
}

/// The valid records at the start of `data` (their sequence numbers) and
/// where the valid prefix ends.
fn parse(data: &[u8]) -> (Vec<u64>, usize) {
    let (mut seqs, mut at) = (Vec::new(), 0);
    while data.len() - at >= 8 {
        let len = u32::from_le_bytes(data[at..at + 4].try_into().unwrap()) as usize;
        let crc = u32::from_le_bytes(data[at + 4..at + 8].try_into().unwrap());
        let Some(payload) = data.get(at + 8..at + 8 + len) else {
            break;
        };
        if len < 8 || crc32(payload) != crc {
            break;
        }
        seqs.push(u64::from_le_bytes(payload[..8].try_into().unwrap()));
        at += 8 + len;
    }
    (seqs, at)
}

#[derive(Default)]
struct Shared {
    /// Acknowledged sequence numbers (what a client was told is durable).
    acked: Vec<u64>,
    /// What each recovery found, in order.
    recovered: Vec<Vec<u64>>,
    /// Recoveries that cut a torn or invalid tail.
    truncated: usize,
}

/// A failed sync is fatal: the writer stops (until the node is killed and
/// restarted, and recovers from what is durable).
async fn synced(result: std::io::Result<()>) {
    if result.is_err() {
        std::future::pending::<()>().await;
    }
}

/// The writer: recover, then append and acknowledge forever.
async fn writer(shared: Rc<RefCell<Shared>>, ack_before_sync: bool) {
    let (data, first_boot) = match fs::read(LOG).await {
        Ok(d) => (d, false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Vec::new(), true),
        Err(e) => panic!("recovery read failed: {e}"),
    };
    let (seqs, valid) = parse(&data);
    let mut next = seqs.last().map_or(0, |s| s + 1);
    shared.borrow_mut().recovered.push(seqs);
    if first_boot {
        // Create the log durably: the file, then its name.
        let f = File::create(LOG).await.unwrap();
        synced(f.sync_all().await).await;
        synced(fs::sync_dir("/wal").await).await;
    }
    let log = OpenOptions::new().write(true).open(LOG).await.unwrap();
    if valid < data.len() {
        shared.borrow_mut().truncated += 1;
        log.set_len(valid as u64).await.unwrap();
        synced(log.sync_data().await).await;
    }
    let mut at = valid as u64;
    loop {
        let rec = frame(next, rand::gen_range(0..1500));
        if ack_before_sync {
            log.write_all_at(&rec, at).await.unwrap();
            shared.borrow_mut().acked.push(next);
            let _ = log.sync_data().await;
        } else {
            log.write_all_at(&rec, at).await.unwrap();
            // Acknowledge only once the record is durable.
            synced(log.sync_data().await).await;
            shared.borrow_mut().acked.push(next);
        }
        at += rec.len() as u64;
        next += 1;
    }
}

fn check(acked: &[u64], recovered: &[u64]) {
    let expect: Vec<u64> = (0..recovered.len() as u64).collect();
    assert_eq!(
        recovered,
        &expect[..],
        "records are whole, valid and in order"
    );
    for seq in acked {
        assert!(
            recovered.contains(seq),
            "acknowledged record {seq} was lost: {} acknowledged, {} recovered",
            acked.len(),
            recovered.len()
        );
    }
}

/// What a scenario exercised: records acknowledged, unsynced writes a
/// crash tore, recoveries that truncated a torn tail.
#[derive(Clone, Copy, Debug, Default)]
struct Exercised {
    acked: usize,
    torn: u64,
    truncated: usize,
}

fn scenario(seed: u64, ack_before_sync: bool) -> (Result<Exercised, Failure>, detsim::Fingerprint) {
    let mut sim = Sim::builder().seed(seed).build();
    let result = sim.run(async move {
        let us = Duration::from_micros;
        Disk::set_default(
            DiskConfig::new()
                .torn_writes(true)
                .reorder_writes(rand::gen_bool(0.5))
                .sync_error(0.05)
                .latency(Latency::uniform(us(5), us(50)))
                .sync_latency(Latency::uniform(us(100), us(2000))),
        )
        .unwrap();
        let shared = Rc::new(RefCell::new(Shared::default()));
        let s = shared.clone();
        let node = Node::builder("wal")
            .init(move || writer(s.clone(), ack_before_sync))
            .build();
        Disk::of(&node).preload("/wal/.keep", "").unwrap();
        for _ in 0..3 {
            time::sleep(us(rand::gen_range(0..20_000))).await;
            node.kill();
            // Acknowledged before the crash: these must survive it.
            let acked = shared.borrow().acked.clone();
            let boots = shared.borrow().recovered.len();
            node.restart();
            while shared.borrow().recovered.len() == boots {
                time::sleep(us(10)).await;
            }
            check(&acked, shared.borrow().recovered.last().unwrap());
        }
        node.kill();
        let shared = shared.borrow();
        Exercised {
            acked: shared.acked.len(),
            torn: Disk::of(&node).stats().faults.torn_writes,
            truncated: shared.truncated,
        }
    });
    (result, sim.fingerprint())
}

#[test]
fn acknowledged_records_survive_500_seeds_of_crashes() {
    let mut total = Exercised::default();
    for seed in 0..SEEDS {
        match scenario(seed, false).0 {
            Ok(e) => {
                total.acked += e.acked;
                total.torn += e.torn;
                total.truncated += e.truncated;
            }
            Err(f) => panic!("seed {seed}: {f}"),
        }
    }
    eprintln!("{SEEDS} seeds: {total:?}");
    // The sweep exercised what it claims to: many records, crashes that
    // tore unsynced writes, recoveries that cut torn tails.
    assert!(total.acked > 10 * SEEDS as usize, "{total:?}");
    assert!(total.torn > SEEDS / 2, "{total:?}");
    assert!(total.truncated > SEEDS as usize / 4, "{total:?}");
}

#[test]
fn acknowledging_before_sync_is_found_and_its_seed_replays() {
    let failing = (0..SEEDS).find_map(|seed| match scenario(seed, true) {
        (Err(f), fp) => Some((seed, f, fp)),
        (Ok(_), _) => None,
    });
    let (seed, failure, fingerprint) = failing.expect("the sweep finds the planted bug");
    eprintln!("planted bug found at seed {seed}: {}", failure.message());
    assert!(failure.is_panic(), "{failure}");
    assert!(
        failure.message().contains("acknowledged record"),
        "{}",
        failure.message()
    );
    let (again, fp_again) = scenario(seed, true);
    let again = again.unwrap_err();
    assert_eq!(again.message(), failure.message());
    assert_eq!(again.fingerprint(), failure.fingerprint());
    assert_eq!(fp_again, fingerprint);
}

#[test]
fn the_frame_parser_keeps_the_valid_prefix() {
    let mut log = frame(0, 3);
    log.extend(frame(1, 600));
    let whole = log.len();
    log.extend(&frame(2, 10)[..9]); // torn
    assert_eq!(parse(&log), (vec![0, 1], whole));
    let mut bad = log.clone();
    bad[10] ^= 1; // corrupt record 0's payload
    assert_eq!(parse(&bad), (vec![], 0));
}
